package io.tessera.isa.riscv.user;

/**
 * The signal dispositions of a process (shared by threads made with CLONE_SIGHAND): for each
 * signal its handler (or SIG_DFL, SIG_IGN), sa_flags and the mask added while it runs. Also the
 * signal numbers and default actions of Linux.
 */
final class SignalActions {

    static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
            SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15,
            SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23,
            SIGWINCH = 28;
    static final int NSIG = 64;
    static final long SIG_DFL = 0, SIG_IGN = 1;
    static final long SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_ONSTACK = 0x08000000L, SA_RESTART = 0x10000000L,
            SA_NODEFER = 0x40000000L, SA_RESETHAND = 0x80000000L;
    /** The signals that cannot be caught, blocked or ignored. */
    static final long UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

    /** One disposition, as struct sigaction holds it. */
    record Action(long handler, long flags, long mask) {
    }

    private static final Action DEFAULT = new Action(SIG_DFL, 0, 0);

    private final Action[] actions = new Action[NSIG + 1];

    SignalActions() {
        java.util.Arrays.fill(actions, DEFAULT);
    }

    static long bit(int signal) {
        return 1L << (signal - 1);
    }

    synchronized Action get(int signal) {
        return actions[signal];
    }

    synchronized void set(int signal, Action action) {
        actions[signal] = action;
    }

    synchronized SignalActions copy() {
        SignalActions copy = new SignalActions();
        System.arraycopy(actions, 0, copy.actions, 0, actions.length);
        return copy;
    }

    /** execve: handlers are gone with the old image; ignored signals stay ignored. */
    synchronized void resetHandlers() {
        for (int i = 1; i <= NSIG; i++) {
            if (actions[i].handler() != SIG_IGN) {
                actions[i] = DEFAULT;
            }
        }
    }

    /** @return whether the default action of {@code signal} is to do nothing (stopping included: there is no job control) */
    static boolean ignoredByDefault(int signal) {
        return switch (signal) {
            case SIGCHLD, SIGCONT, SIGURG, SIGWINCH, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU -> true;
            default -> false;
        };
    }

    /** @return whether delivering {@code signal} now would do nothing at all */
    synchronized boolean isIgnored(int signal) {
        long handler = actions[signal].handler();
        return signal != SIGKILL && (handler == SIG_IGN || handler == SIG_DFL && ignoredByDefault(signal));
    }
}
