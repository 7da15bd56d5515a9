/* Handlers with sigreturn (registers survive), masks, SIGCHLD, kill, sigsuspend, SA_RESTART. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, chld, alrm;
static volatile int last_code;

static void on_usr1(int sig) { usr1 += sig; }
static void on_chld(int sig, siginfo_t *info, void *uc) {
    (void) sig; (void) uc;
    chld++;
    last_code = info->si_code;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);

    /* A handler runs between two instructions and the computation goes on unharmed. */
    double d = 1.5;
    long acc = 0;
    for (int i = 0; i < 1000; i++) {
        if (i == 500) kill(getpid(), SIGUSR1);
        acc += i * 3;
        d *= 1.001;
    }
    printf("usr1 %d acc %ld d %.6f\n", usr1, acc, d);

    /* Blocked signals wait; unblocking delivers them. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    sigset_t pending;
    sigpending(&pending);
    printf("pending while blocked %d, delivered %d\n", sigismember(&pending, SIGUSR1), usr1);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("after unblocking %d\n", usr1);

    /* SIGCHLD with siginfo, waited for with sigsuspend. */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old);
    pid_t pid = fork();
    if (pid == 0) _exit(3);
    sigset_t none;
    sigemptyset(&none);
    while (!chld) sigsuspend(&none);
    sigprocmask(SIG_SETMASK, &old, NULL);
    int status;
    waitpid(pid, &status, 0);
    printf("chld %d code %d status %d\n", chld, last_code, WEXITSTATUS(status));

    /* A child blocked reading a pipe is killed by its parent. */
    int fds[2];
    pipe(fds);
    pid = fork();
    if (pid == 0) {
        char c;
        close(fds[1]);
        read(fds[0], &c, 1);
        _exit(0);
    }
    close(fds[0]);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    printf("killed %d sig %d\n", WIFSIGNALED(status), WTERMSIG(status));

    /* A handler in a child, then its default action. */
    pid = fork();
    if (pid == 0) {
        raise(SIGUSR1);
        signal(SIGUSR1, SIG_DFL);
        printf("child handled %d\n", usr1);
        raise(SIGUSR1);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    printf("child ended by %d\n", WTERMSIG(status));

    /* SIG_IGN survives; the process itself ends by a signal in the end. */
    signal(SIGTERM, SIG_IGN);
    raise(SIGTERM);
    printf("ignored SIGTERM\n");
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}
