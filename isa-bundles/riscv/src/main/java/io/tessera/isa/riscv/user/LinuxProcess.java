package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.Environment;
import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.Interpreter;
import io.tessera.isa.riscv.RiscvHart;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

/**
 * A riscv64 Linux process run on this host, as qemu-riscv64 runs one: the ELF image (and its
 * dynamic loader from the sysroot) in a process image, the initial stack with arguments,
 * environment and auxiliary vector, and the system calls of {@link LinuxSyscalls}.
 */
public final class LinuxProcess {

    /** Where the stack ends (Sv39's user half ends at 0x40_0000_0000). */
    static final long STACK_TOP = 0x3f_ffff_f000L;
    static final long STACK_SIZE = 8L << 20;
    /** Where position-independent executables and the dynamic loader are placed. */
    static final long PIE_BASE = 0x2a_aaaa_a000L;
    static final long INTERPRETER_BASE = 0x3f_f000_0000L;
    /** Where mmap looks for free space first. */
    static final long MMAP_BASE = 0x20_0000_0000L;

    private static final int AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
            AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_HWCAP = 16,
            AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31;

    /** HWCAP letters of the extensions this hart implements (bit n for letter 'A' + n). */
    static final long HWCAP = letters("IMAFDC");

    final ProcessMemory memory = new ProcessMemory();
    final RiscvHart hart = new RiscvHart(0, null);
    final Path sysroot;
    final Path program;
    final PrintStream diagnostics;
    long brkStart;
    long brk;

    private LinuxProcess(Path program, Path sysroot, PrintStream diagnostics) {
        this.program = program;
        this.sysroot = sysroot;
        this.diagnostics = diagnostics;
    }

    private static long letters(String letters) {
        long bits = 0;
        for (char c : letters.toCharArray()) {
            bits |= 1L << (c - 'A');
        }
        return bits;
    }

    /**
     * Loads {@code program} with its arguments and environment, ready to run.
     *
     * @param sysroot where absolute paths of the guest (its dynamic loader, its libraries) are looked up, or null
     * @throws IOException when the program cannot be read or is not a riscv64 executable
     */
    public static LinuxProcess load(Path program, List<String> args, Map<String, String> env, Path sysroot,
            PrintStream diagnostics) throws IOException {
        LinuxProcess process = new LinuxProcess(program, sysroot, diagnostics);
        process.setUp(ElfImage.read(program), args, env);
        return process;
    }

    private long mapImage(ElfImage elf, long base) {
        for (ElfImage.Segment s : elf.segments) {
            long start = (base + s.vaddr()) & ~ProcessMemory.PAGE_MASK;
            long end = (base + s.vaddr() + s.memSize() + ProcessMemory.PAGE_MASK) & ~ProcessMemory.PAGE_MASK;
            int protection = ((s.flags() & ElfImage.PF_R) != 0 ? ProcessMemory.READ : 0)
                    | ((s.flags() & ElfImage.PF_W) != 0 ? ProcessMemory.WRITE : 0)
                    | ((s.flags() & ElfImage.PF_X) != 0 ? ProcessMemory.EXEC : 0);
            for (long page = start; page < end; page += ProcessMemory.PAGE_SIZE) {
                if (memory.isFree(page, 1)) {
                    memory.map(page, ProcessMemory.PAGE_SIZE, protection);
                } else {
                    // Two segments share this page: it gets the protections of both.
                    memory.protect(page, 1, memory.protection(page) | protection);
                }
            }
            memory.poke(base + s.vaddr(), elf.bytes, (int) s.offset(), (int) s.fileSize());
        }
        return base + elf.highAddress();
    }

    private void setUp(ElfImage elf, List<String> args, Map<String, String> env) throws IOException {
        long base = elf.positionIndependent ? PIE_BASE - (elf.lowAddress() & ~ProcessMemory.PAGE_MASK) : 0;
        long end = mapImage(elf, base);
        brkStart = brk = (end + ProcessMemory.PAGE_MASK) & ~ProcessMemory.PAGE_MASK;
        long entry = base + elf.entry;
        long interpreterBase = 0;
        if (elf.interpreter != null) {
            Path interpreterPath = resolve(elf.interpreter);
            ElfImage interpreter = ElfImage.read(interpreterPath);
            if (!interpreter.positionIndependent) {
                throw new IOException(interpreterPath + ": the dynamic loader must be position-independent");
            }
            interpreterBase = INTERPRETER_BASE;
            mapImage(interpreter, interpreterBase);
            entry = interpreterBase + interpreter.entry;
        }
        memory.map(STACK_TOP - STACK_SIZE, STACK_SIZE, ProcessMemory.READ | ProcessMemory.WRITE);
        hart.x[2] = buildStack(elf, base, interpreterBase, args, env);
        hart.pc = entry;
    }

    /** @return the host path of a guest path, under the sysroot when one is given */
    Path resolve(String guestPath) {
        if (sysroot != null && guestPath.startsWith("/")) {
            Path inRoot = sysroot.resolve(guestPath.substring(1));
            if (java.nio.file.Files.exists(inRoot)) {
                return inRoot;
            }
        }
        return Path.of(guestPath);
    }

    private long buildStack(ElfImage elf, long base, long interpreterBase, List<String> args, Map<String, String> env) {
        long sp = STACK_TOP;
        sp = pushString(sp, elf.path.toString());
        long execfn = sp;
        long[] argv = new long[args.size()];
        for (int i = args.size() - 1; i >= 0; i--) {
            sp = pushString(sp, args.get(i));
            argv[i] = sp;
        }
        List<String> environment = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
        long[] envp = new long[environment.size()];
        for (int i = environment.size() - 1; i >= 0; i--) {
            sp = pushString(sp, environment.get(i));
            envp[i] = sp;
        }
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        sp -= 16;
        memory.poke(sp, random, 0, 16);
        long randomAt = sp;
        long[] auxv = {
            AT_PHDR, base + elf.lowAddress() + elf.phoff, AT_PHENT, elf.phentsize, AT_PHNUM, elf.phnum,
            AT_PAGESZ, ProcessMemory.PAGE_SIZE, AT_BASE, interpreterBase, AT_FLAGS, 0, AT_ENTRY, base + elf.entry,
            AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_HWCAP, HWCAP, AT_CLKTCK, 100, AT_SECURE, 0,
            AT_RANDOM, randomAt, AT_EXECFN, execfn, AT_NULL, 0};
        int words = 1 + argv.length + 1 + envp.length + 1 + auxv.length;
        sp = (sp - words * 8L) & ~15L;
        long at = sp;
        memory.store(at, 8, args.size());
        at += 8;
        for (long p : argv) {
            memory.store(at, 8, p);
            at += 8;
        }
        memory.store(at, 8, 0);
        at += 8;
        for (long p : envp) {
            memory.store(at, 8, p);
            at += 8;
        }
        memory.store(at, 8, 0);
        at += 8;
        for (long v : auxv) {
            memory.store(at, 8, v);
            at += 8;
        }
        return sp;
    }

    private long pushString(long sp, String s) {
        byte[] bytes = (s + "\0").getBytes(StandardCharsets.UTF_8);
        sp -= bytes.length;
        memory.poke(sp, bytes, 0, bytes.length);
        return sp;
    }

    /**
     * Runs the process to its end.
     *
     * @param streams what the process's descriptors 0, 1 and 2 are
     * @return its exit status, or 128 + the signal number when a fault killed it (as a shell reports it)
     */
    public int run(StandardStreams streams) {
        Interpreter interpreter = new Interpreter();
        Environment syscalls = new LinuxSyscalls(this, streams);
        try {
            // Runs until exit or exit_group throws ProcessExit, or a fault kills the process.
            interpreter.run(hart, memory, syscalls, Long.MAX_VALUE);
            throw new IllegalStateException("the process ran 2^63 instructions without ending");
        } catch (ProcessExit exit) {
            return exit.status;
        } catch (GuestFault fault) {
            int signal = switch (fault.cause()) {
                case GuestFault.ILLEGAL_INSTRUCTION -> 4;
                case GuestFault.BREAKPOINT -> 5;
                case GuestFault.LOAD_MISALIGNED, GuestFault.STORE_MISALIGNED, GuestFault.INSTRUCTION_MISALIGNED -> 7;
                default -> 11;
            };
            diagnostics.printf("tessera user: %s at pc 0x%x: signal %d%n", fault.getMessage(), hart.pc, signal);
            return 128 + signal;
        }
    }
}
