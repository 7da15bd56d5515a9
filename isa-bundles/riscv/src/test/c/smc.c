/* Self-modifying code: an instruction written into executable memory, run, rewritten, run again. */
#include <stdio.h>
#include <stdint.h>
#include <sys/mman.h>

typedef long (*function)(void);

int main(void) {
    uint32_t *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    long sum = 0;
    for (int i = 0; i < 5; i++) {
        code[0] = 0x00000513u | ((uint32_t) (i * 7) << 20); /* addi a0, zero, 7i */
        code[1] = 0x00008067u;                              /* jalr zero, 0(ra) */
        __builtin___clear_cache((char *) code, (char *) (code + 2));
        long v = ((function) code)();
        printf("%ld\n", v);
        sum += v;
    }
    return (int) sum;
}
