/* Atomic read-modify-write and compare-and-swap (LR/SC and AMOs), single-threaded. */
#include <stdio.h>
#include <stdint.h>

static int64_t d = 5;
static int32_t w = -3;

int main(void) {
    printf("%lld ", (long long) __atomic_fetch_add(&d, 10, __ATOMIC_SEQ_CST));
    printf("%lld ", (long long) __atomic_fetch_and(&d, 0xc, __ATOMIC_ACQUIRE));
    printf("%lld ", (long long) __atomic_fetch_or(&d, 0x30, __ATOMIC_RELEASE));
    printf("%lld ", (long long) __atomic_fetch_xor(&d, -1, __ATOMIC_RELAXED));
    printf("%lld ", (long long) __atomic_exchange_n(&d, 77, __ATOMIC_SEQ_CST));
    int64_t expected = 77;
    printf("%d ", __atomic_compare_exchange_n(&d, &expected, 99, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    expected = 1;
    printf("%d %lld ", __atomic_compare_exchange_n(&d, &expected, 5, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST), (long long) expected);
    printf("%d ", __atomic_fetch_add(&w, 1, __ATOMIC_SEQ_CST));
    printf("%d ", __atomic_fetch_sub(&w, 100, __ATOMIC_SEQ_CST));
    int32_t ew = -102;
    printf("%d ", __atomic_compare_exchange_n(&w, &ew, 8, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    printf("%lld %d\n", (long long) d, w);
    return (int) (d & 0x3f);
}
