/* Files through the system calls glibc uses: open, write, lseek, read, fstat, close, unlink-free. */
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: files PATH\n");
        return 2;
    }
    int fd = open(argv[1], O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (fd < 0) { perror("open"); return 1; }
    const char *text = "line one\nline two\n";
    printf("wrote %zd\n", write(fd, text, strlen(text)));
    printf("seek %lld\n", (long long) lseek(fd, 5, SEEK_SET));
    char buf[64] = {0};
    printf("read %zd: %s", read(fd, buf, sizeof buf - 1), buf);
    struct stat st;
    printf("fstat %d size %lld regular %d\n", fstat(fd, &st), (long long) st.st_size, S_ISREG(st.st_mode));
    printf("close %d\n", close(fd));
    FILE *f = fopen(argv[1], "r");
    char line[64];
    while (fgets(line, sizeof line, f)) printf("got: %s", line);
    fclose(f);
    printf("missing: %d\n", open("/nonexistent/file", O_RDONLY) < 0);
    return 0;
}
