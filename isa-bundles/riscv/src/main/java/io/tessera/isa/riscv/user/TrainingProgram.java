package io.tessera.isa.riscv.user;

import static io.tessera.isa.riscv.user.GuestAssembler.A0;
import static io.tessera.isa.riscv.user.GuestAssembler.A1;
import static io.tessera.isa.riscv.user.GuestAssembler.A2;
import static io.tessera.isa.riscv.user.GuestAssembler.A3;
import static io.tessera.isa.riscv.user.GuestAssembler.A4;
import static io.tessera.isa.riscv.user.GuestAssembler.A5;
import static io.tessera.isa.riscv.user.GuestAssembler.A6;
import static io.tessera.isa.riscv.user.GuestAssembler.A7;
import static io.tessera.isa.riscv.user.GuestAssembler.DOUBLE;
import static io.tessera.isa.riscv.user.GuestAssembler.DYN;
import static io.tessera.isa.riscv.user.GuestAssembler.RA;
import static io.tessera.isa.riscv.user.GuestAssembler.S0;
import static io.tessera.isa.riscv.user.GuestAssembler.S1;
import static io.tessera.isa.riscv.user.GuestAssembler.S2;
import static io.tessera.isa.riscv.user.GuestAssembler.S3;
import static io.tessera.isa.riscv.user.GuestAssembler.S4;
import static io.tessera.isa.riscv.user.GuestAssembler.S5;
import static io.tessera.isa.riscv.user.GuestAssembler.SINGLE;
import static io.tessera.isa.riscv.user.GuestAssembler.SP;
import static io.tessera.isa.riscv.user.GuestAssembler.T0;
import static io.tessera.isa.riscv.user.GuestAssembler.T1;
import static io.tessera.isa.riscv.user.GuestAssembler.T2;
import static io.tessera.isa.riscv.user.GuestAssembler.T3;
import static io.tessera.isa.riscv.user.GuestAssembler.T4;
import static io.tessera.isa.riscv.user.GuestAssembler.ZERO;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A static riscv64 Linux program that Tessera assembles itself, for the training run of user
 * mode's start-up cache ({@link UserTraining}): what a libc program's start does (the system
 * calls of glibc's start-up, files, a directory, a pipe, a forked child and its wait status,
 * signal masks and actions), then loops of integer (with Zba, Zbb and Zbs), memory (every
 * width), call, floating-point (F and D) and atomic instructions, long enough for the
 * translator to take them and their loops. Compressed instructions are among them.
 *
 * <p>Run as {@code PROGRAM DIRECTORY OUTPUT}: it lists DIRECTORY, writes what its loops computed
 * to the file OUTPUT (the same under every accelerator and under QEMU), prints a line, and
 * exits with 0; when a system call does not answer as Linux does, it exits with the number of
 * the step that failed.
 */
final class TrainingProgram {

    /** Where the code is loaded (the ELF and program headers first, as linkers place them). */
    static final long TEXT = 0x10000;
    /** Where the data is loaded; its first page holds initialized data, then scratch space. */
    static final long DATA = 0x40000;
    /** The buffer of the memory loop, in the zero-filled part of the data segment. */
    static final long BUFFER = DATA + 0x2000;
    static final int BUFFER_SIZE = 64 << 10;
    /** Where the loops leave their results, written to OUTPUT at the end. */
    static final long RESULTS = DATA + 0x800;
    static final int RESULT_SIZE = 8 * 8;
    static final String GREETING = "tessera user-mode training run\n";

    private static final int CODE_OFFSET = 0x100;
    private static final long PROC_SELF_EXE = DATA, GREETING_AT = DATA + 0x20, CONSTANTS = DATA + 0x40, SIG_IGN_ACTION = DATA + 0x80,
            SCRATCH = DATA + 0x100, UNAME = DATA + 0x300, STAT = DATA + 0x600, ATOMIC = DATA + 0x700, FILE_BUFFER = DATA + 0x1000;
    private static final double[] FLOATS = {1.0000001, 0.5, 3.0, 1e-3};
    private static final int AT_FDCWD = -100, SIGCHLD = 17, CHILD_STATUS = 42;

    private final GuestAssembler a = new GuestAssembler(TEXT + CODE_OFFSET);
    /** Where {@link #function()} was placed. */
    private long functionAddress;

    private TrainingProgram() {
    }

    /** @return the program as an ELF executable */
    static byte[] elf() {
        TrainingProgram p = new TrainingProgram();
        p.program();
        return p.link(p.a.code());
    }

    /** Makes the next system call's failure exit with {@code step}. */
    private void step(int step) {
        a.li(S5, step);
    }

    /** Calls system call {@code number} with the arguments already in a0..a5. */
    private void syscall(int number) {
        a.li(A7, number);
        a.ecall();
    }

    /** Exits with the step number when a0 is negative (an errno). */
    private void expectSuccess() {
        a.blt(A0, ZERO, "fail");
    }

    /** Exits with the step number unless a0 equals {@code register}. */
    private void expectEqual(int register) {
        a.bne(A0, register, "fail");
    }

    private void program() {
        // The initial stack: argc, then argv[0] (this program), argv[1] (a directory), argv[2] (the output file).
        a.j("main");
        function();
        a.label("main");
        a.mv(S0, SP);
        a.ld(S1, S0, 16);
        a.ld(S2, S0, 24);
        startUp();
        filesAndPipes();
        forkAndWait();
        integerLoop();
        memoryLoop();
        callLoop();
        floatLoop();
        atomicLoop();
        output();
        a.li(A0, 0);
        syscall(94);
        a.label("fail");
        a.mv(A0, S5);
        syscall(94);
    }

    /** The calls glibc makes before main. */
    private void startUp() {
        step(1);
        a.li(A0, (int) SCRATCH);
        syscall(96); // set_tid_address
        expectSuccess();
        a.li(A0, (int) SCRATCH + 8).li(A1, 24);
        syscall(99); // set_robust_list (QEMU refuses it; glibc goes on)
        step(3);
        a.li(A0, 0).li(A1, 3).li(A2, 0).li(A3, (int) SCRATCH + 0x10);
        syscall(261); // prlimit64(RLIMIT_STACK)
        expectSuccess();
        step(4);
        a.li(A0, AT_FDCWD).li(A1, (int) PROC_SELF_EXE).li(A2, (int) FILE_BUFFER).li(A3, 256);
        syscall(78); // readlinkat
        expectSuccess();
        step(5);
        a.li(A0, (int) SCRATCH + 0x20).li(A1, 16).li(A2, 0);
        syscall(278); // getrandom
        a.li(T0, 16);
        expectEqual(T0);
        step(6);
        a.li(A0, 0);
        syscall(214); // brk(0)
        a.mv(S3, A0);
        a.li(T0, 0x10000).add(A0, S3, T0).mv(S4, A0);
        syscall(214); // brk(+64 KiB)
        expectEqual(S4);
        a.sd(S4, S3, 8).ld(T0, S3, 8).mv(A0, T0);
        expectEqual(S4);
        step(7);
        a.li(A0, 0).li(A1, 0x10000).li(A2, 3).li(A3, 0x22).li(A4, -1).li(A5, 0);
        syscall(222); // mmap(anonymous)
        expectSuccess();
        a.mv(S3, A0).sd(S3, S3, 0x100).ld(T0, S3, 0x100).li(A1, 0x10000);
        syscall(215); // munmap
        expectSuccess();
        step(8);
        a.li(A0, (int) DATA).li(A1, 4096).li(A2, 3);
        syscall(226); // mprotect
        expectSuccess();
        syscall(174); // getuid
        syscall(172); // getpid
        syscall(173); // getppid
        step(9);
        a.li(A0, (int) UNAME);
        syscall(160); // uname
        expectSuccess();
        a.li(A0, 1).li(A1, 0x5401).li(A2, (int) SCRATCH + 0x40);
        syscall(29); // ioctl(TCGETS): whatever stdout is
        step(10);
        a.li(A0, 1).li(A1, (int) SCRATCH + 0x60);
        syscall(113); // clock_gettime(CLOCK_MONOTONIC)
        expectSuccess();
        step(11);
        a.li(A0, 0).li(A1, (int) SCRATCH + 0x70).li(A2, (int) SCRATCH + 0x78).li(A3, 8);
        syscall(135); // rt_sigprocmask(SIG_BLOCK, nothing)
        expectSuccess();
        step(12);
        a.li(A0, 10).li(A1, (int) SIG_IGN_ACTION).li(A2, 0).li(A3, 8);
        syscall(134); // rt_sigaction(SIGUSR1, SIG_IGN)
        expectSuccess();
    }

    private void filesAndPipes() {
        step(20);
        a.li(A0, AT_FDCWD).mv(A1, S1).li(A2, 0200000).li(A3, 0);
        syscall(56); // openat(DIRECTORY, O_DIRECTORY)
        expectSuccess();
        a.mv(S3, A0).li(A1, (int) FILE_BUFFER).li(A2, 4096);
        syscall(61); // getdents64
        expectSuccess();
        a.mv(A0, S3);
        syscall(57); // close
        step(21);
        a.li(A0, AT_FDCWD).ld(A1, S0, 8).li(A2, 0).li(A3, 0);
        syscall(56); // openat(this program)
        expectSuccess();
        a.mv(S3, A0).li(A1, (int) STAT);
        syscall(80); // fstat
        expectSuccess();
        step(22);
        a.mv(A0, S3).li(A1, (int) FILE_BUFFER).li(A2, 4096);
        syscall(63); // read
        a.li(T0, 4096);
        expectEqual(T0);
        step(23);
        a.mv(A0, S3).li(A1, 0).li(A2, 0);
        syscall(62); // lseek(SEEK_SET)
        expectEqual(ZERO);
        a.mv(A0, S3);
        syscall(57); // close
        step(24);
        a.li(A0, AT_FDCWD).ld(A1, S0, 8).li(A2, (int) STAT).li(A3, 0);
        syscall(79); // newfstatat
        expectSuccess();
        step(25);
        a.li(A0, (int) SCRATCH + 0x80).li(A1, 0);
        syscall(59); // pipe2
        expectSuccess();
        a.li(T0, (int) SCRATCH + 0x80);
        a.load(2, S3, T0, 0).load(2, S4, T0, 4); // the read and write ends
        a.mv(A0, S4).li(A1, (int) GREETING_AT).li(A2, GREETING.length());
        syscall(64); // write
        a.li(T1, GREETING.length());
        expectEqual(T1);
        a.mv(A0, S3).li(A1, (int) FILE_BUFFER).li(A2, 256);
        syscall(63); // read
        expectEqual(T1);
        step(26);
        a.mv(A0, S3).li(A1, 20).li(A2, 0);
        syscall(24); // dup3
        a.li(T0, 20);
        expectEqual(T0);
        a.li(A1, 1);
        syscall(25); // fcntl(F_GETFD)
        expectSuccess();
        a.li(A0, 20);
        syscall(57);
        a.mv(A0, S3);
        syscall(57);
        a.mv(A0, S4);
        syscall(57);
    }

    /** fork (clone with SIGCHLD), the child exits with 42, the parent waits for that status. */
    private void forkAndWait() {
        step(30);
        a.li(A0, SIGCHLD).li(A1, 0).li(A2, 0).li(A3, 0).li(A4, 0);
        syscall(220); // clone
        expectSuccess();
        a.bne(A0, ZERO, "parent");
        a.li(A0, CHILD_STATUS);
        syscall(94); // the child's exit_group
        a.label("parent");
        step(31);
        a.li(A0, -1).li(A1, (int) SCRATCH + 0x90).li(A2, 0).li(A3, 0);
        syscall(260); // wait4
        expectSuccess();
        a.li(T0, (int) SCRATCH + 0x90).load(2, A0, T0, 0).li(T0, CHILD_STATUS << 8);
        expectEqual(T0);
    }

    /** A linear congruential sequence folded through most integer instructions. */
    private void integerLoop() {
        a.li(S3, 30000).li(T0, 1).li(T1, 0).li(T2, 1103515245).li(S4, 1000).li(A6, 7).li(A5, 12345);
        a.label("integer");
        a.op(1, 0, T0, T0, T2).add(T0, T0, A5); // mul, add
        a.srli(T3, T0, 7).xor(T1, T1, T3);
        a.op(1, 7, T3, T0, S4).add(T1, T1, T3); // remu
        a.op(1, 4, T3, T0, A6).add(T1, T1, T3); // div
        a.op(1, 5, T3, T0, A6).xor(T1, T1, T3); // divu
        a.op(1, 6, T3, T0, A6).sub(T1, T1, T3); // rem
        a.op(1, 1, T3, T0, T2).xor(T1, T1, T3); // mulh
        a.op(1, 3, T3, T0, T2).add(T1, T1, T3); // mulhu
        a.op32(0, 0, T3, T0, T1).op32(0, 1, T3, T3, A6).xor(T1, T1, T3); // addw, sllw
        a.op32(0x20, 5, T3, T0, A6).add(T1, T1, T3); // sraw
        a.op32(1, 0, T3, T0, T2).op32(1, 4, T4, T3, A6).xor(T1, T1, T4); // mulw, divw
        a.op(0, 2, T3, T0, T1).add(T1, T1, T3).op(0, 3, T3, T1, T0).add(T1, T1, T3); // slt, sltu
        a.op(0, 1, T3, T0, A6).op(0, 5, T4, T0, A6).op(0x20, 5, T3, T3, T4).xor(T1, T1, T3); // sll, srl, sra
        a.op(0x10, 2, T3, T0, T1).op(0x10, 4, T3, T3, T1).op(0x10, 6, T3, T3, T1).xor(T1, T1, T3); // sh1add, sh2add, sh3add
        a.op32(0x04, 0, T3, T0, T1).add(T1, T1, T3); // add.uw
        a.op(0x20, 7, T3, T0, T1).op(0x20, 6, T4, T0, T1).op(0x20, 4, T3, T3, T4).xor(T1, T1, T3); // andn, orn, xnor
        a.i(0x600, T0, 1, T3, 0x13).i(0x601, T0, 1, T4, 0x13).add(T3, T3, T4).i(0x602, T0, 1, T4, 0x13).add(T1, T1, T3).add(T1, T1, T4); // clz, ctz, cpop
        a.i(0x6b8, T0, 5, T3, 0x13).xor(T1, T1, T3).i(0x287, T0, 5, T3, 0x13).add(T1, T1, T3); // rev8, orc.b
        a.i(0x604, T0, 1, T3, 0x13).i(0x605, T3, 1, T3, 0x13).add(T1, T1, T3); // sext.b, sext.h
        a.op(0x30, 1, T3, T0, A6).op(0x30, 5, T3, T3, A6).i(0x600 | 13, T3, 5, T3, 0x13).xor(T1, T1, T3); // rol, ror, rori
        a.op(0x05, 6, T3, T0, T1).op(0x05, 4, T4, T0, T1).xor(T3, T3, T4).op(0x05, 7, T4, T0, T1).op(0x05, 5, T4, T4, T3).add(T1, T1, T4); // max, min, maxu, minu
        a.op32(0x04, 4, T3, T0, ZERO).add(T1, T1, T3); // zext.h
        a.op(0x14, 1, T3, T1, A6).op(0x24, 1, T3, T3, A6).op(0x34, 1, T3, T3, A5).op(0x24, 5, T4, T0, A6).add(T1, T3, T4); // bset, bclr, binv, bext
        a.i(0x280 | 40, T1, 1, T1, 0x13); // bseti
        a.xori(T3, T0, -1).andi(T3, T3, 0x7f).slti(T4, T3, 64).add(T1, T1, T4).srai(T3, T0, 3).slli(T3, T3, 2).add(T1, T1, T3);
        a.addiw(T3, T0, 5).add(T1, T1, T3);
        a.addi(S3, S3, -1);
        a.bne(S3, ZERO, "integer");
        a.li(T0, (int) RESULTS).sd(T1, T0, 0);
    }

    /** Stores and loads of every width over a 64 KiB buffer, forwards and backwards. */
    private void memoryLoop() {
        a.li(S3, 8); // passes
        a.li(T1, 0);
        a.label("memory-pass");
        a.li(T0, (int) BUFFER).li(T2, (int) BUFFER + BUFFER_SIZE);
        a.label("memory-store");
        a.store(0, S3, T0, 0).store(1, T0, T0, 2).store(2, T1, T0, 4).store(3, T0, T0, 8);
        a.addi(T0, T0, 16);
        a.bltu(T0, T2, "memory-store");
        a.li(T0, (int) BUFFER);
        a.label("memory-load");
        int[] offsets = {-16, -14, -12, -8, -15, -14, -12}; // lb, lh, lw, ld, lbu, lhu, lwu: each aligned
        for (int width = 0; width < offsets.length; width++) {
            a.load(width, T3, T2, offsets[width]).add(T1, T1, T3);
        }
        a.addi(T2, T2, -16);
        a.bgeu(T2, T0, "memory-load");
        a.addi(S3, S3, -1);
        a.bne(S3, ZERO, "memory-pass");
        a.li(T0, (int) RESULTS).sd(T1, T0, 8);
    }

    /** Direct and indirect calls of a function in compressed instructions. */
    private void callLoop() {
        a.li(S3, 20000).li(A0, 3).li(A1, 0);
        a.label("calls");
        a.call("function");
        a.li(T4, (int) functionAddress).jalr(RA, T4, 0); // an indirect call as well
        a.addi(S3, S3, -1);
        a.bne(S3, ZERO, "calls");
        a.li(T0, (int) RESULTS).sd(A1, T0, 16);
    }

    /** The function the call loop calls: a1 += a0 * 8 + 5, in compressed instructions, through memory. */
    private void function() {
        a.label("function");
        functionAddress = a.here();
        a.cMv(T3, A0).cSlli(T3, 3).cAddi(T3, 5).cAdd(A1, T3).cLi(A2, 1);
        a.li(A3, (int) SCRATCH + 0xa0).cSd(A1, A3, 8).cLd(A4, A3, 8).cMv(A1, A4);
        a.cRet();
    }

    /** Double- and single-precision arithmetic, conversions, comparisons and the flags. */
    private void floatLoop() {
        a.li(T0, (int) CONSTANTS);
        for (int f = 0; f < FLOATS.length; f++) {
            a.fload(3, f, T0, 8 * f); // fld f0..f3
        }
        a.fp(4, DOUBLE, 0, 4, 2, 2); // fsgnj.d f4, f2, f2: the running value starts at 3.0
        a.fp(0x1a, DOUBLE, DYN, 5, ZERO, 2); // fcvt.d.l f5, zero
        a.li(S3, 20000).li(T1, 0);
        a.label("float");
        a.fmadd(DOUBLE, 4, 4, 0, 1); // f4 = f4 * 1.0000001 + 0.5
        a.fp(3, DOUBLE, DYN, 6, 4, 2); // fdiv.d f6 = f4 / 3
        a.fp(0x0b, DOUBLE, DYN, 7, 6, 0); // fsqrt.d
        a.fp(0, DOUBLE, DYN, 5, 5, 7).fp(1, DOUBLE, DYN, 5, 5, 3).fp(2, DOUBLE, DYN, 8, 5, 3); // fadd.d, fsub.d, fmul.d
        a.fp(0x18, DOUBLE, 1, T3, 6, 0).add(T1, T1, T3); // fcvt.w.d (rtz)
        a.fp(0x18, DOUBLE, 1, T3, 6, 2).add(T1, T1, T3); // fcvt.l.d (rtz)
        a.fp(0x1a, DOUBLE, DYN, 9, T3, 0); // fcvt.d.w
        a.fp(0x08, SINGLE, DYN, 10, 7, 1).fp(0, SINGLE, DYN, 10, 10, 10).fp(2, SINGLE, DYN, 10, 10, 10); // fcvt.s.d, fadd.s, fmul.s
        a.fp(0x08, DOUBLE, DYN, 11, 10, 0).fp(0, DOUBLE, DYN, 5, 5, 11); // fcvt.d.s, fadd.d
        a.fp(0x14, DOUBLE, 2, T3, 6, 7).add(T1, T1, T3).fp(0x14, DOUBLE, 1, T3, 6, 7).add(T1, T1, T3); // feq.d, flt.d
        a.fp(0x14, DOUBLE, 0, T3, 7, 6).add(T1, T1, T3); // fle.d
        a.fp(5, DOUBLE, 0, 12, 6, 7).fp(5, DOUBLE, 1, 13, 6, 7).fp(0, DOUBLE, DYN, 5, 5, 12).fp(1, DOUBLE, DYN, 5, 5, 13); // fmin.d, fmax.d
        a.fp(0x1c, DOUBLE, 1, T3, 6, 0).add(T1, T1, T3); // fclass.d
        a.fp(0x1c, DOUBLE, 0, T3, 5, 0).xor(T1, T1, T3); // fmv.x.d
        a.addi(S3, S3, -1);
        a.bne(S3, ZERO, "float");
        a.csrr(T3, 0x001).add(T1, T1, T3); // fflags
        a.li(T0, (int) RESULTS).sd(T1, T0, 24);
        a.fp(0x1c, DOUBLE, 0, T1, 4, 0).sd(T1, T0, 32);
        a.fstore(3, 5, T0, 40);
    }

    /** lr/sc and AMOs on one doubleword and one word, with fences. */
    private void atomicLoop() {
        a.li(S3, 10000).li(T0, (int) ATOMIC).li(A6, 3);
        a.label("atomic");
        a.amo(0x02, 3, T1, T0, ZERO); // lr.d
        a.addi(T1, T1, 1);
        a.amo(0x03, 3, T2, T0, T1); // sc.d
        a.bne(T2, ZERO, "atomic");
        a.amo(0x00, 2, T3, T0, A6); // amoadd.w on the low word
        a.amo(0x01, 3, T3, T0, T3).amo(0x01, 3, T4, T0, T3); // amoswap.d there and back
        a.amo(0x08, 3, T3, T0, ZERO); // amoor.d
        a.fence();
        a.addi(S3, S3, -1);
        a.bne(S3, ZERO, "atomic");
        a.fenceI();
        a.ld(T1, T0, 0).li(T0, (int) RESULTS).sd(T1, T0, 48);
        a.csrr(T1, 0xc01).sd(ZERO, T0, 56); // rdtime: read, but time is not a result
    }

    /** Writes the results to OUTPUT and the greeting to standard output. */
    private void output() {
        step(40);
        a.li(A0, AT_FDCWD).mv(A1, S2).li(A2, 1 | 0100 | 01000).li(A3, 0644);
        syscall(56); // openat(O_WRONLY | O_CREAT | O_TRUNC)
        expectSuccess();
        a.mv(S3, A0).li(A1, (int) RESULTS).li(A2, RESULT_SIZE);
        syscall(64);
        a.li(T0, RESULT_SIZE);
        expectEqual(T0);
        a.mv(A0, S3);
        syscall(57);
        expectSuccess();
        a.li(A0, 1).li(A1, (int) GREETING_AT).li(A2, GREETING.length());
        syscall(64);
    }

    /** @return an ELF executable of {@code code} and the data: text from TEXT (headers included), data from DATA */
    private byte[] link(byte[] code) {
        int textSize = CODE_OFFSET + code.length;
        int dataOffset = (textSize + 0xfff) & ~0xfff;
        int dataFileSize = 0x100;
        ByteBuffer b = ByteBuffer.allocate(dataOffset + dataFileSize).order(ByteOrder.LITTLE_ENDIAN);
        // ELF header: 64-bit, little-endian, version 1, Linux ABI; EXEC, RISC-V, entry, program headers at 64.
        b.putInt(0x464c457f).put((byte) 2).put((byte) 1).put((byte) 1).put((byte) 0);
        b.position(16);
        b.putShort((short) 2).putShort((short) 243).putInt(1).putLong(TEXT + CODE_OFFSET).putLong(64).putLong(0);
        b.putInt(0x5); // e_flags: RVC, double-float ABI
        b.putShort((short) 64).putShort((short) 56).putShort((short) 2).putShort((short) 64).putShort((short) 0).putShort((short) 0);
        programHeader(b, 0, TEXT, textSize, textSize, ElfImage.PF_R | ElfImage.PF_X);
        programHeader(b, dataOffset, DATA, dataFileSize, BUFFER - DATA + BUFFER_SIZE, ElfImage.PF_R | ElfImage.PF_W);
        b.put(CODE_OFFSET, code);
        b.put(dataOffset + (int) (PROC_SELF_EXE - DATA), "/proc/self/exe".getBytes(StandardCharsets.US_ASCII));
        b.put(dataOffset + (int) (GREETING_AT - DATA), GREETING.getBytes(StandardCharsets.US_ASCII));
        for (int f = 0; f < FLOATS.length; f++) {
            b.putDouble(dataOffset + (int) (CONSTANTS - DATA) + 8 * f, FLOATS[f]);
        }
        b.putLong(dataOffset + (int) (SIG_IGN_ACTION - DATA), 1); // sa_handler = SIG_IGN
        return b.array();
    }

    private static void programHeader(ByteBuffer b, long offset, long address, long fileSize, long memorySize, int flags) {
        b.putInt(ElfImage.PT_LOAD).putInt(flags).putLong(offset).putLong(address).putLong(address).putLong(fileSize)
                .putLong(memorySize).putLong(0x1000);
    }
}
