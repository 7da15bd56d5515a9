package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.RiscvHart;

/**
 * The frame Linux pushes on a riscv64 thread's stack to run a signal handler, and takes back
 * in rt_sigreturn: a siginfo followed by a ucontext (uapi asm/ucontext.h, asm/sigcontext.h):
 * uc_flags, uc_link, uc_stack, the 8-byte signal mask padded to 128 bytes, then at offset 176
 * the sigcontext with pc and x1..x31, the 32 FP registers and fcsr, and room for the Q extension.
 */
final class SignalFrame {

    static final int SIGINFO_SIZE = 128;
    static final int UCONTEXT_SIZE = 960;
    static final int FRAME_SIZE = SIGINFO_SIZE + UCONTEXT_SIZE;
    private static final int UC_STACK = 16, UC_SIGMASK = 40, UC_MCONTEXT = 176;
    private static final int SC_FPREGS = 256, SC_FCSR = 512;
    private static final int SS_DISABLE = 2;

    /** si_code values. */
    static final int SI_USER = 0, SI_TKILL = -6, CLD_EXITED = 1, CLD_KILLED = 2;

    /** What siginfo says about a signal: its code and the sending (or ended) process. */
    record Info(int signal, int code, int pid, int status) {
    }

    private SignalFrame() {
    }

    /** Pushes the frame and points the hart at {@code handler}, to return through {@code trampoline}. */
    static void push(RiscvHart hart, ProcessMemory memory, Info info, long savedMask, long handler, long trampoline) {
        long frame = (hart.x[2] - FRAME_SIZE) & ~15L;
        memory.poke(frame, new byte[FRAME_SIZE], 0, FRAME_SIZE);
        memory.store(frame, 4, info.signal());
        memory.store(frame + 8, 4, info.code());
        memory.store(frame + 16, 4, info.pid());
        if (info.signal() == SignalActions.SIGCHLD) {
            memory.store(frame + 24, 4, info.status());
        }
        long uc = frame + SIGINFO_SIZE;
        memory.store(uc + UC_STACK + 8, 4, SS_DISABLE);
        memory.store(uc + UC_SIGMASK, 8, savedMask);
        long sc = uc + UC_MCONTEXT;
        memory.store(sc, 8, hart.pc);
        for (int i = 1; i < 32; i++) {
            memory.store(sc + 8L * i, 8, hart.x[i]);
        }
        for (int i = 0; i < 32; i++) {
            memory.store(sc + SC_FPREGS + 8L * i, 8, hart.f[i]);
        }
        memory.store(sc + SC_FCSR, 4, (hart.frm << 5) | hart.fflags.get());
        hart.x[10] = info.signal();
        hart.x[11] = frame;
        hart.x[12] = uc;
        hart.x[2] = frame;
        hart.x[1] = trampoline;
        hart.pc = handler;
    }

    /**
     * rt_sigreturn: restores the registers from the frame at the stack pointer.
     *
     * @return the signal mask to restore
     */
    static long pop(RiscvHart hart, ProcessMemory memory) {
        long uc = hart.x[2] + SIGINFO_SIZE;
        long sc = uc + UC_MCONTEXT;
        long mask = memory.load(uc + UC_SIGMASK, 8);
        hart.pc = memory.load(sc, 8);
        for (int i = 1; i < 32; i++) {
            hart.x[i] = memory.load(sc + 8L * i, 8);
        }
        for (int i = 0; i < 32; i++) {
            hart.f[i] = memory.load(sc + SC_FPREGS + 8L * i, 8);
        }
        int fcsr = (int) memory.load(sc + SC_FCSR, 4);
        hart.fflags.set(fcsr & 0x1f);
        hart.frm = (fcsr >>> 5) & 7;
        return mask;
    }
}
