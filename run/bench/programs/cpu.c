/* Tessera's CPU benchmark for user mode: integer, memory, branch-heavy and floating-point
 * kernels. Prints a checksum per kernel so that
 * a wrong result is seen, not just a time. */
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef KERNEL_TIMES
#include <time.h>
/* Seconds since an arbitrary start: each kernel's time goes to stderr, the checksums to stdout. */
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
#define TIMED(name, expr) do { double t0 = now(); expr; fprintf(stderr, "%s %.2f s ", name, now() - t0); } while (0)
#else
#define TIMED(name, expr) expr
#endif

static uint64_t integer_kernel(int rounds) {
    uint64_t x = 88172645463325252ULL, acc = 0;
    for (int i = 0; i < rounds; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        acc += (x * 0x9E3779B97F4A7C15ULL) >> 17;
        acc ^= acc / ((x & 0xff) + 1);
    }
    return acc;
}

static uint64_t memory_kernel(int rounds) {
    enum { N = 1 << 20 };
    uint32_t *a = malloc(N * sizeof *a);
    for (uint32_t i = 0; i < N; i++) a[i] = i * 2654435761u;
    uint64_t sum = 0;
    for (int r = 0; r < rounds; r++) {
        for (uint32_t i = 1; i < N; i++) a[i] += a[i - 1] ^ (a[(i * 7) & (N - 1)] >> 3);
        sum += a[N - 1];
    }
    free(a);
    return sum;
}

static int cmp(const void *p, const void *q) {
    uint32_t a = *(const uint32_t *) p, b = *(const uint32_t *) q;
    return (a > b) - (a < b);
}

static uint64_t branch_kernel(int n) {
    uint32_t *v = malloc(n * sizeof *v);
    uint32_t s = 12345;
    for (int i = 0; i < n; i++) { s = s * 1103515245 + 12345; v[i] = s >> 8; }
    qsort(v, n, sizeof *v, cmp);
    uint64_t h = 0;
    for (int i = 0; i < n; i++) h = h * 31 + (v[i] & 1 ? v[i] : ~v[i]);
    free(v);
    return h;
}

/* Double-precision arithmetic as numerical code has it: multiply-add chains, division and
 * square root (an n-body-like pairwise force sum), with the bits of the result as checksum. */
static uint64_t float_kernel(int steps) {
    enum { N = 64 };
    double x[N], y[N], vx[N], vy[N];
    for (int i = 0; i < N; i++) {
        x[i] = i * 0.37;
        y[i] = (i * 7 % 13) * 0.61;
        vx[i] = vy[i] = 0;
    }
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < N; i++) {
            double fx = 0, fy = 0;
            for (int j = 0; j < N; j++) {
                double dx = x[j] - x[i], dy = y[j] - y[i];
                double d2 = dx * dx + dy * dy + 0.01;
                double inv = 1.0 / (d2 * sqrt(d2));
                fx += dx * inv;
                fy += dy * inv;
            }
            vx[i] += fx * 1e-4;
            vy[i] += fy * 1e-4;
        }
        for (int i = 0; i < N; i++) {
            x[i] += vx[i];
            y[i] += vy[i];
        }
    }
    double sum = 0;
    for (int i = 0; i < N; i++) {
        sum += x[i] * 3 + y[i];
    }
    uint64_t bits;
    memcpy(&bits, &sum, sizeof bits);
    return bits;
}

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    TIMED("integer", printf("integer %016llx\n", (unsigned long long) integer_kernel(20000000 * scale)));
    TIMED("memory", printf("memory  %016llx\n", (unsigned long long) memory_kernel(8 * scale)));
    TIMED("branch", printf("branch  %016llx\n", (unsigned long long) branch_kernel(1000000 * scale)));
    TIMED("float", printf("float   %016llx\n", (unsigned long long) float_kernel(400 * scale)));
    return 0;
}
