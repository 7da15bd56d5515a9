/* fork, pipe, dup2, execve (of itself), wait4 statuses, close-on-exec, getpid/getppid. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int child_main(const char *what) {
    if (strcmp(what, "exec-child") == 0) {
        /* fd 5 was close-on-exec in the parent; fd 6 was not. */
        printf("exec child: fd5 %s, fd6 %s\n", fcntl(5, F_GETFD) < 0 ? "closed" : "open",
               fcntl(6, F_GETFD) < 0 ? "closed" : "open");
        char buf[64];
        ssize_t n = read(0, buf, sizeof buf - 1);
        buf[n < 0 ? 0 : n] = 0;
        printf("exec child read: %s", buf);
        fflush(stdout);
        return 42;
    }
    return 1;
}

/* execve of ourselves with stdin from a pipe, a close-on-exec descriptor and an inherited one. */
static int exec_test(char **argv) {
    int fds[2], status;
    if (pipe(fds) != 0) return 3;
    int cloexec = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int inherited = open("/dev/null", O_RDONLY);
    dup2(cloexec, 5);
    fcntl(5, F_SETFD, FD_CLOEXEC);
    dup2(inherited, 6);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[0], 0);
        close(fds[0]);
        close(fds[1]);
        char *args[] = {argv[0], "exec-child", NULL};
        execv("/proc/self/exe", args);
        _exit(127);
    }
    close(fds[0]);
    write(fds[1], "through the pipe\n", 17);
    close(fds[1]);
    waitpid(pid, &status, 0);
    printf("exec child exited %d\n", WEXITSTATUS(status));
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1) {
        return strcmp(argv[1], "exec") == 0 ? exec_test(argv) : child_main(argv[1]);
    }
    /* A pipe from a forked child to the parent, with a large transfer. */
    int fds[2];
    if (pipe(fds) != 0) return 2;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        static char big[200000];
        for (int i = 0; i < (int) sizeof big; i++) big[i] = 'a' + i % 26;
        size_t off = 0;
        while (off < sizeof big) {
            ssize_t w = write(fds[1], big + off, sizeof big - off);
            if (w <= 0) _exit(9);
            off += w;
        }
        _exit(7);
    }
    close(fds[1]);
    long total = 0, sum = 0;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) sum += buf[i];
        total += n;
    }
    close(fds[0]);
    int status;
    pid_t got = waitpid(pid, &status, 0);
    printf("read %ld bytes, sum %ld, reaped %s, exited %d status %d\n", total, sum, got == pid ? "it" : "other",
           WIFEXITED(status), WEXITSTATUS(status));

    /* Memory is copied at fork: the child's writes stay in the child. */
    static int shared_value = 1;
    pid = fork();
    if (pid == 0) {
        shared_value = 99;
        _exit(shared_value);
    }
    waitpid(pid, &status, 0);
    printf("child saw %d, parent still %d\n", WEXITSTATUS(status), shared_value);

    /* A child killed by a signal. */
    pid = fork();
    if (pid == 0) {
        kill(getpid(), SIGTERM);
        for (;;) pause();
    }
    waitpid(pid, &status, 0);
    printf("signaled %d by %d\n", WIFSIGNALED(status), WTERMSIG(status));

    /* No children left. */
    printf("wait without children: %d\n", (int) wait(&status));

    /* A vfork child that execs something missing. */
    pid = vfork();
    if (pid == 0) {
        execl("/nonexistent/program", "x", (char *) NULL);
        _exit(126);
    }
    waitpid(pid, &status, 0);
    printf("vfork child exited %d\n", WEXITSTATUS(status));

    /* Writing to a pipe without readers: EPIPE once SIGPIPE is ignored. */
    signal(SIGPIPE, SIG_IGN);
    if (pipe(fds) != 0) return 4;
    close(fds[0]);
    printf("write to a closed pipe: %d\n", (int) write(fds[1], "x", 1));
    printf("ppid is the parent: %d\n", getppid() != getpid());
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    self[len < 0 ? 0 : len] = 0;
    printf("/proc/self/exe is absolute and names us: %d\n", self[0] == '/' && strstr(self, "/processes") != NULL);
    return 5;
}
