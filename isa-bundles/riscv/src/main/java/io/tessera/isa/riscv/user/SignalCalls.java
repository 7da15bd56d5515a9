package io.tessera.isa.riscv.user;

/** The signal system calls of one thread: dispositions, the mask, sigsuspend and sigreturn. */
final class SignalCalls {

    private static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;

    private final LinuxThread thread;
    private final Object suspension = new Object();

    SignalCalls(LinuxThread thread) {
        this.thread = thread;
    }

    long sigaction(int signal, long action, long old) {
        if (signal < 1 || signal > SignalActions.NSIG
                || action != 0 && (signal == SignalActions.SIGKILL || signal == SignalActions.SIGSTOP)) {
            return -LinuxSyscalls.EINVAL;
        }
        ProcessMemory memory = thread.memory;
        SignalActions actions = thread.process.actions;
        SignalActions.Action current = actions.get(signal);
        SignalActions.Action replacement = null;
        if (action != 0) {
            replacement = new SignalActions.Action(memory.load(action, 8), memory.load(action + 8, 8),
                    memory.load(action + 16, 8) & ~SignalActions.UNBLOCKABLE);
        }
        if (old != 0) {
            memory.store(old, 8, current.handler());
            memory.store(old + 8, 8, current.flags());
            memory.store(old + 16, 8, current.mask());
        }
        if (replacement != null) {
            actions.set(signal, replacement);
        }
        return 0;
    }

    long sigprocmask(int how, long set, long old) {
        ProcessMemory memory = thread.memory;
        long mask = thread.blocked;
        long change = set != 0 ? memory.load(set, 8) : 0;
        if (old != 0) {
            memory.store(old, 8, mask);
        }
        if (set != 0) {
            mask = switch (how) {
                case SIG_BLOCK -> mask | change;
                case SIG_UNBLOCK -> mask & ~change;
                case SIG_SETMASK -> change;
                default -> -1;
            };
            if (how < SIG_BLOCK || how > SIG_SETMASK) {
                return -LinuxSyscalls.EINVAL;
            }
            thread.blocked = mask & ~SignalActions.UNBLOCKABLE;
        }
        return 0;
    }

    long sigpending(long set) {
        thread.memory.store(set, 8, thread.pendingSignals() & thread.blocked);
        return 0;
    }

    long sigsuspend(long set) {
        long old = thread.blocked;
        thread.blocked = thread.memory.load(set, 8) & ~SignalActions.UNBLOCKABLE;
        synchronized (suspension) {
            while (!thread.signalPending()) {
                thread.block(suspension, 0);
            }
        }
        // The handler runs with the mask of the suspension, and sigreturn then puts back this one.
        thread.maskAfterHandler = old;
        return -LinuxSyscalls.EINTR;
    }

    /** Sleeps until {@code deadline} (System.nanoTime()) or a signal; -EINTR for the signal. */
    long sleepUntil(long deadline) {
        synchronized (suspension) {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                if (thread.signalPending()) {
                    return -LinuxSyscalls.EINTR;
                }
                thread.block(suspension, Math.max(1, left / 1_000_000));
            }
        }
    }

    long sigreturn() {
        long mask = SignalFrame.pop(thread.hart, thread.memory);
        thread.blocked = mask & ~SignalActions.UNBLOCKABLE;
        throw LinuxThread.REDIRECT;
    }

    long sigaltstack(long old) {
        if (old != 0) {
            thread.memory.store(old, 8, 0);
            thread.memory.store(old + 8, 4, 2);
            thread.memory.store(old + 16, 8, 0);
        }
        return 0;
    }
}
