package io.tessera.isa.riscv.fp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The operations allocate nothing, on fast and slow paths alike. */
class AllocationTest {

    private static long sink;

    private static long work(long[] ops, FpFlags f) {
        long acc = 0;
        for (int i = 0; i + 2 < ops.length; i++) {
            long a = ops[i];
            long b = ops[i + 1];
            long c = ops[i + 2];
            int rm = i % 5;
            acc += Fp64.add(a, b, rm, f) + Fp64.mul(a, b, rm, f) + Fp64.div(a, b, rm, f)
                    + Fp64.sqrt(a, rm, f) + Fp64.fmadd(a, b, c, rm, f) + Fp64.toFp32(a, rm, f)
                    + Fp64.toInt64(a, rm, f) + Fp64.fromInt64(a, rm, f);
            int x = (int) a;
            int y = (int) b;
            int z = (int) c;
            acc += Fp32.add(x, y, rm, f) + Fp32.mul(x, y, rm, f) + Fp32.div(x, y, rm, f)
                    + Fp32.sqrt(x, rm, f) + Fp32.fmadd(x, y, z, rm, f) + Fp32.toFp64(x, f)
                    + Fp32.toUint32(x, rm, f) + Fp32.fromUint64(a, rm, f);
        }
        return acc;
    }

    @Test
    void noAllocation() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)
                || !mx.isThreadAllocatedMemorySupported()) {
            return;
        }
        FpGen g = new FpGen(RefFp.D, 99);
        long[] ops = new long[4096];
        for (int i = 0; i < ops.length; i++) {
            ops[i] = (i & 1) == 0 ? g.next() : g.factor(ops[i - 1]);
        }
        FpFlags f = new FpFlags();
        sink += work(ops, f);                          // warm up (class loading, profiling)
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int k = 0; k < 20; k++) {
            sink += work(ops, f);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        // 20 * 4094 iterations * 16 operations: one object per operation would be megabytes
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes");
    }
}
