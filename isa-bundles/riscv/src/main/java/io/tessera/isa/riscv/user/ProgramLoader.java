package io.tessera.isa.riscv.user;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Loads a riscv64 ELF program (and its dynamic loader) into an empty address space, as Linux's
 * execve does: the segments, the initial stack with arguments, environment and auxiliary
 * vector, and the page holding the return path of signal handlers (Linux has it in the vDSO).
 */
final class ProgramLoader {

    /** Where the stack ends (Sv39's user half ends at 0x40_0000_0000). */
    static final long STACK_TOP = 0x3f_ffff_e000L;
    static final long STACK_SIZE = 8L << 20;
    /** Where signal handlers return to: {@code li a7, 139; ecall} (rt_sigreturn). */
    static final long SIGRETURN_TRAMPOLINE = 0x3f_ffff_f000L;
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

    /** Where the program starts: its entry (or its loader's) and initial stack pointer. */
    record Start(long pc, long sp) {
    }

    private ProgramLoader() {
    }

    private static long letters(String letters) {
        long bits = 0;
        for (char c : letters.toCharArray()) {
            bits |= 1L << (c - 'A');
        }
        return bits;
    }

    /**
     * Loads {@code elf} into the empty {@code space}.
     *
     * @param resolve the host path of a guest path (for the dynamic loader)
     * @param environment "NAME=value" strings
     */
    static Start load(AddressSpace space, ElfImage elf, List<String> args, List<String> environment,
            Function<String, Path> resolve) throws IOException {
        ProcessMemory memory = new ProcessMemory(space.pages);
        long base = elf.positionIndependent ? PIE_BASE - (elf.lowAddress() & ~ProcessMemory.PAGE_MASK) : 0;
        long end = mapImage(memory, elf, base);
        space.brkStart = space.brk = (end + ProcessMemory.PAGE_MASK) & ~ProcessMemory.PAGE_MASK;
        long entry = base + elf.entry;
        long interpreterBase = 0;
        if (elf.interpreter != null) {
            Path interpreterPath = resolve.apply(elf.interpreter);
            ElfImage interpreter = ElfImage.read(interpreterPath);
            if (!interpreter.positionIndependent) {
                throw new IOException(interpreterPath + ": the dynamic loader must be position-independent");
            }
            interpreterBase = INTERPRETER_BASE;
            mapImage(memory, interpreter, interpreterBase);
            entry = interpreterBase + interpreter.entry;
        }
        memory.map(SIGRETURN_TRAMPOLINE, ProcessMemory.PAGE_SIZE, ProcessMemory.READ | ProcessMemory.WRITE);
        memory.store(SIGRETURN_TRAMPOLINE, 4, 0x08b00893);
        memory.store(SIGRETURN_TRAMPOLINE + 4, 4, 0x00000073);
        memory.protect(SIGRETURN_TRAMPOLINE, ProcessMemory.PAGE_SIZE, ProcessMemory.READ | ProcessMemory.EXEC);
        memory.map(STACK_TOP - STACK_SIZE, STACK_SIZE, ProcessMemory.READ | ProcessMemory.WRITE);
        long sp = buildStack(memory, elf, base, interpreterBase, args, environment);
        return new Start(entry, sp);
    }

    private static long mapImage(ProcessMemory memory, ElfImage elf, long base) {
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

    private static long buildStack(ProcessMemory memory, ElfImage elf, long base, long interpreterBase, List<String> args,
            List<String> environment) {
        long sp = STACK_TOP;
        sp = pushString(memory, sp, elf.path.toString());
        long execfn = sp;
        long[] argv = new long[args.size()];
        for (int i = args.size() - 1; i >= 0; i--) {
            sp = pushString(memory, sp, args.get(i));
            argv[i] = sp;
        }
        long[] envp = new long[environment.size()];
        for (int i = environment.size() - 1; i >= 0; i--) {
            sp = pushString(memory, sp, environment.get(i));
            envp[i] = sp;
        }
        byte[] random = new byte[16];
        HostRandom.fill(random);
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

    private static long pushString(ProcessMemory memory, long sp, String s) {
        byte[] bytes = (s + "\0").getBytes(StandardCharsets.UTF_8);
        sp -= bytes.length;
        memory.poke(sp, bytes, 0, bytes.length);
        return sp;
    }
}
