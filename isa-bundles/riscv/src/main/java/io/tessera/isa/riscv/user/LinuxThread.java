package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.HartRunner;
import io.tessera.isa.riscv.RiscvHart;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread of an emulated process, run by a Java thread of its own: its hart, its view of
 * the process's memory, its signal mask and pending signals. Signals are delivered between
 * batches of instructions and when a system call returns; a thread blocked in a system call
 * is woken by one (the call then fails with EINTR or is restarted, as Linux does it).
 */
final class LinuxThread implements Runnable {

    /** Instructions run between two looks at pending signals. */
    private static final int BATCH = 1 << 14;

    /** Thrown by a system call that has set the pc itself (execve, rt_sigreturn, a signal to deliver). */
    static final RuntimeException REDIRECT = new RuntimeException("redirect", null, false, false) {
        private static final long serialVersionUID = 1L;
    };

    final LinuxProcess process;
    final int tid;
    final RiscvHart hart = new RiscvHart(0, null);
    volatile ProcessMemory memory;
    /** Runs the hart: the translator or the interpreter, as the run's {@link Execution} says; replaced by execve. */
    HartRunner runner;
    final LinuxSyscalls syscalls;

    /** The signal mask; only this thread changes it, others read it to choose where a signal goes. */
    volatile long blocked;
    private final AtomicLong pending = new AtomicLong();
    private final SignalFrame.Info[] infos = new SignalFrame.Info[SignalActions.NSIG + 1];
    /** The mask to restore once a handler is set up (sigsuspend's), or -1. */
    long maskAfterHandler = -1;
    /** set_tid_address / CLONE_CHILD_CLEARTID: zeroed and woken when the thread ends. */
    long clearChildTid;

    /** Set when another thread's execve ends this one: it goes without ending the process. */
    volatile boolean endsAlone;

    private Thread javaThread;
    private final Object interruptLock = new Object();
    private boolean interruptible;

    LinuxThread(LinuxProcess process, int tid, ProcessMemory memory) {
        this.process = process;
        this.tid = tid;
        this.memory = memory;
        this.runner = process.table.execution.runner(memory);
        this.syscalls = new LinuxSyscalls(this);
    }

    void start() {
        javaThread = Thread.ofPlatform().daemon().name("riscv64 pid " + process.pid + " tid " + tid).unstarted(this);
        javaThread.start();
    }

    @Override
    public void run() {
        int exitCode = 0;
        try {
            while (true) {
                if (signalPending()) {
                    deliverSignals();
                }
                try {
                    runner.run(hart, memory, syscalls, BATCH);
                } catch (RuntimeException e) {
                    if (e != REDIRECT) {
                        throw e;
                    }
                }
            }
        } catch (ProcessExit exit) {
            exitCode = exit.status;
        } catch (GuestFault fault) {
            int signal = switch (fault.cause()) {
                case GuestFault.ILLEGAL_INSTRUCTION -> SignalActions.SIGILL;
                case GuestFault.BREAKPOINT -> SignalActions.SIGTRAP;
                case GuestFault.LOAD_MISALIGNED, GuestFault.STORE_MISALIGNED, GuestFault.INSTRUCTION_MISALIGNED -> SignalActions.SIGBUS;
                default -> SignalActions.SIGSEGV;
            };
            process.table.diagnostics.printf("tessera user: %s at pc 0x%x: signal %d%n", fault.getMessage(), hart.pc, signal);
            process.exitGroup(signal);
        } catch (RuntimeException | Error e) {
            process.table.diagnostics.println("tessera user: internal error in thread " + tid + " at pc 0x"
                    + Long.toHexString(hart.pc) + ": " + e);
            e.printStackTrace(process.table.diagnostics);
            process.exitGroup(SignalActions.SIGABRT);
        } finally {
            if (clearChildTid != 0) {
                try {
                    memory.store(clearChildTid, 4, 0);
                    process.space.futexes.wake(clearChildTid, 1, -1);
                } catch (GuestFault ignored) {
                    // The word is gone with its memory; nobody can wait on it.
                }
            }
            if (process.table.execution.statistics().threads() && runner instanceof io.tessera.isa.riscv.tcg.TranslatingRunner t) {
                process.table.diagnostics.println("tessera user: thread " + tid + ": " + t.statistics() + ", instructions " + hart.instret);
            }
            process.threadEnded(this, exitCode);
        }
    }

    /** @return whether a signal is pending that this thread does not block */
    boolean signalPending() {
        return (pending.get() & ~(blocked & ~SignalActions.UNBLOCKABLE)) != 0;
    }

    /** @return the lowest pending signal this thread does not block, or 0 */
    int nextSignal() {
        long ready = pending.get() & ~(blocked & ~SignalActions.UNBLOCKABLE);
        return ready == 0 ? 0 : Long.numberOfTrailingZeros(ready) + 1;
    }

    long pendingSignals() {
        return pending.get();
    }

    /** Makes a signal pending and wakes the thread if a system call of it waits. */
    void post(SignalFrame.Info info) {
        int signal = info.signal();
        long bit = SignalActions.bit(signal);
        if ((blocked & bit) == 0 && process.actions.isIgnored(signal)) {
            return;
        }
        infos[signal] = info;
        pending.getAndUpdate(p -> p | bit);
        synchronized (interruptLock) {
            if (interruptible && javaThread != null) {
                javaThread.interrupt();
            }
        }
    }

    /**
     * Waits on {@code monitor} (held by the caller) for a notification, a signal or
     * {@code millis} (0: no limit). The caller checks again what it waits for.
     */
    void block(Object monitor, long millis) {
        synchronized (interruptLock) {
            interruptible = true;
        }
        try {
            if (!signalPending()) {
                monitor.wait(millis);
            }
        } catch (InterruptedException e) {
            // A signal came: the caller sees it pending.
        } finally {
            // Host I/O must not see the interrupt: it would close the channel.
            synchronized (interruptLock) {
                interruptible = false;
                Thread.interrupted();
            }
        }
    }

    /**
     * After a system call that left a signal to deliver: sets up its handler (or takes its
     * default action). A call interrupted with {@code restartable} set runs again when the
     * handler has SA_RESTART or there is no handler; otherwise it fails with EINTR.
     */
    void afterInterruptedCall(boolean restartable, long ecallPc, long firstArgument) {
        if (restartable) {
            int signal = nextSignal();
            SignalActions.Action action = signal == 0 ? null : process.actions.get(signal);
            boolean handled = action != null && action.handler() != SignalActions.SIG_DFL && action.handler() != SignalActions.SIG_IGN;
            if (signal != 0 && (!handled || (action.flags() & SignalActions.SA_RESTART) != 0)) {
                hart.pc = ecallPc;
                hart.x[10] = firstArgument;
            } else {
                hart.x[10] = -LinuxSyscalls.EINTR;
            }
        }
        deliverSignals();
        if (maskAfterHandler >= 0) {
            blocked = maskAfterHandler;
            maskAfterHandler = -1;
        }
    }

    /** Delivers the lowest deliverable signal: a handler frame, or the default action. */
    void deliverSignals() {
        while (true) {
            int signal = nextSignal();
            if (signal == 0) {
                return;
            }
            long bit = SignalActions.bit(signal);
            pending.getAndUpdate(p -> p & ~bit);
            SignalFrame.Info info = infos[signal];
            if (info == null || info.signal() != signal) {
                info = new SignalFrame.Info(signal, SignalFrame.SI_USER, 0, 0);
            }
            SignalActions.Action action = process.actions.get(signal);
            if (signal == SignalActions.SIGKILL || action.handler() == SignalActions.SIG_DFL) {
                if (signal != SignalActions.SIGKILL && SignalActions.ignoredByDefault(signal)) {
                    continue;
                }
                if (!endsAlone) {
                    process.exitGroup(signal);
                }
                throw new ProcessExit(0);
            }
            if (action.handler() == SignalActions.SIG_IGN) {
                continue;
            }
            long saved = maskAfterHandler >= 0 ? maskAfterHandler : blocked;
            maskAfterHandler = -1;
            SignalFrame.push(hart, memory, info, saved, action.handler(), ProgramLoader.SIGRETURN_TRAMPOLINE);
            long handlerMask = action.mask() | ((action.flags() & SignalActions.SA_NODEFER) != 0 ? 0 : bit);
            blocked = (saved | handlerMask) & ~SignalActions.UNBLOCKABLE;
            if ((action.flags() & SignalActions.SA_RESETHAND) != 0) {
                process.actions.set(signal, new SignalActions.Action(SignalActions.SIG_DFL, 0, 0));
            }
            return;
        }
    }

    /** Copies the registers of {@code parent} for a clone: the child returns 0 from the call. */
    void copyRegisters(RiscvHart parent) {
        System.arraycopy(parent.x, 0, hart.x, 0, 32);
        System.arraycopy(parent.f, 0, hart.f, 0, 32);
        hart.fflags.set(parent.fflags.get());
        hart.frm = parent.frm;
        hart.pc = parent.pc + 4;
        hart.x[10] = 0;
    }
}
