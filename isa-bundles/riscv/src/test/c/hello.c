#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int fib(int n) { return n < 2 ? n : fib(n-1) + fib(n-2); }
int main(int argc, char **argv) {
    printf("hello from riscv64, argc=%d argv[0]=%s\n", argc, argv[0]);
    for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
    char *buf = malloc(100000);
    memset(buf, 'x', 99999); buf[99999] = 0;
    printf("strlen=%zu fib(25)=%d\n", strlen(buf), fib(25));
    long long a = 123456789012345LL; printf("div=%lld rem=%lld mul=%lld\n", a / 977, a % 977, a * 31);
    return 7;
}
