/* Integer arithmetic at the edges, printed so that two runs can be compared line by line. */
#include <stdio.h>
#include <stdint.h>
#include <limits.h>

static volatile int64_t values[] = {0, 1, -1, 2, -2, 7, -7, 31, 32, 63, 64, 0x7fffffff, -0x80000000LL,
    0xffffffffLL, 0x100000000LL, INT64_MAX, INT64_MIN, 0x123456789abcdefLL, -0x123456789abcdefLL};

int main(void) {
    int n = sizeof values / sizeof values[0];
    uint64_t hash = 1469598103934665603ULL;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            int64_t a = values[i], b = values[j];
            uint64_t ua = a, ub = b;
            int32_t wa = (int32_t) a, wb = (int32_t) b;
            uint64_t r[] = {
                a + b, a - b, a * b, (uint64_t) ((__int128) a * b >> 64), (uint64_t) (((unsigned __int128) ua * ub) >> 64),
                b ? (a == INT64_MIN && b == -1 ? a : a / b) : 0, b ? (a == INT64_MIN && b == -1 ? 0 : a % b) : 0,
                ub ? ua / ub : 0, ub ? ua % ub : 0,
                (uint64_t) (int64_t) (int32_t) (wa + wb), (uint64_t) (int64_t) (int32_t) ((uint32_t) wa * (uint32_t) wb),
                wb ? (wa == INT32_MIN && wb == -1 ? (uint64_t) (int64_t) wa : (uint64_t) (int64_t) (wa / wb)) : 0,
                wb ? (uint64_t) (int64_t) (int32_t) ((uint32_t) wa / (uint32_t) wb) : 0,
                ua << (b & 63), ua >> (b & 63), (uint64_t) (a >> (b & 63)),
                (uint64_t) (int64_t) (int32_t) ((uint32_t) wa << (b & 31)), (uint64_t) (int64_t) (wa >> (b & 31)),
                a < b, ua < ub, a & b, a | b, a ^ b, a & ~b, a | ~b, ~(a ^ b),
                a < b ? a : b, ua > ub ? ua : ub,
                (uint64_t) __builtin_popcountll(ua), ua ? (uint64_t) __builtin_clzll(ua) : 64, ua ? (uint64_t) __builtin_ctzll(ua) : 64,
                __builtin_bswap64(ua), (ua << 3) + ub, ((ua & 0xffffffff) << 2) + ub, (uint64_t) (int8_t) a, (uint64_t) (int16_t) a,
                (ua >> (b & 63)) & 1, ua | (1ULL << (b & 63)), ua ^ (1ULL << (b & 63)), ua & ~(1ULL << (b & 63)),
                (ua >> (b & 63)) | (ua << ((64 - (b & 63)) & 63)),
            };
            for (unsigned k = 0; k < sizeof r / sizeof r[0]; k++) {
                hash = (hash ^ r[k]) * 1099511628211ULL;
            }
            if (j == i) {
                printf("%2d: %016llx %016llx %016llx %016llx\n", i, (unsigned long long) r[0], (unsigned long long) r[2],
                       (unsigned long long) r[5], (unsigned long long) r[28]);
            }
        }
    }
    printf("hash %016llx\n", (unsigned long long) hash);
    return 0;
}
