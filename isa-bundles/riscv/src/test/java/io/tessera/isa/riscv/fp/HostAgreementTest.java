package io.tessera.isa.riscv.fp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * In round-to-nearest-even, results must equal the JVM's own IEEE arithmetic (which is correctly
 * rounded) bit for bit, with every NaN replaced by the canonical NaN.
 */
class HostAgreementTest {

    private static final int N = FpGen.cases(3000) * 40;

    private static long canon(double r) {
        return Double.isNaN(r) ? Fp64.CANONICAL_NAN : Double.doubleToRawLongBits(r);
    }

    private static int canon(float r) {
        return Float.isNaN(r) ? Fp32.CANONICAL_NAN : Float.floatToRawIntBits(r);
    }

    /** Operands from the biased generator half the time, uniformly random bits otherwise. */
    private static long operand(FpGen g, SplittableRandom r) {
        return r.nextBoolean() ? g.next() : r.nextLong();
    }

    @Test
    void binary64() {
        FpGen g = new FpGen(RefFp.D, FpGen.seed() + 7);
        SplittableRandom r = new SplittableRandom(FpGen.seed() + 8);
        FpFlags f = new FpFlags();
        for (int i = 0; i < N; i++) {
            long a = operand(g, r);
            long b = r.nextInt(3) == 0 ? g.addend(a) : operand(g, r);
            long c = operand(g, r);
            double x = Double.longBitsToDouble(a);
            double y = Double.longBitsToDouble(b);
            double z = Double.longBitsToDouble(c);
            String ops = Long.toHexString(a) + " " + Long.toHexString(b) + " " + Long.toHexString(c);
            assertEquals(canon(x + y), Fp64.add(a, b, 0, f), () -> "add " + ops);
            assertEquals(canon(x - y), Fp64.sub(a, b, 0, f), () -> "sub " + ops);
            assertEquals(canon(x * y), Fp64.mul(a, b, 0, f), () -> "mul " + ops);
            assertEquals(canon(x / y), Fp64.div(a, b, 0, f), () -> "div " + ops);
            assertEquals(canon(Math.sqrt(x)), Fp64.sqrt(a, 0, f), () -> "sqrt " + ops);
            assertEquals(canon(Math.fma(x, y, z)), Fp64.fmadd(a, b, c, 0, f), () -> "fma " + ops);
            assertEquals(canon(Math.fma(-x, y, z)), Fp64.fnmsub(a, b, c, 0, f), () -> "fnmsub " + ops);
            assertEquals(canon((float) x), Fp64.toFp32(a, 0, f), () -> "fcvt.s.d " + ops);
            assertEquals(Double.doubleToRawLongBits((double) a), Fp64.fromInt64(a, 0, f), () -> "fcvt.d.l " + ops);
            if (!Double.isNaN(x) && Math.abs(x) < 0x1p63) {
                assertEquals((long) x, Fp64.toInt64(a, 1, f), () -> "fcvt.l.d rtz " + ops);
            }
        }
    }

    @Test
    void binary32() {
        FpGen g = new FpGen(RefFp.S, FpGen.seed() + 9);
        SplittableRandom r = new SplittableRandom(FpGen.seed() + 10);
        FpFlags f = new FpFlags();
        for (int i = 0; i < N; i++) {
            int a = (int) (r.nextBoolean() ? g.next() : r.nextInt());
            int b = (int) (r.nextInt(3) == 0 ? g.addend(a & 0xffff_ffffL) : r.nextBoolean() ? g.next() : r.nextInt());
            int c = (int) (r.nextBoolean() ? g.next() : r.nextInt());
            float x = Float.intBitsToFloat(a);
            float y = Float.intBitsToFloat(b);
            float z = Float.intBitsToFloat(c);
            String ops = Integer.toHexString(a) + " " + Integer.toHexString(b) + " " + Integer.toHexString(c);
            assertEquals(canon(x + y), Fp32.add(a, b, 0, f), () -> "add " + ops);
            assertEquals(canon(x - y), Fp32.sub(a, b, 0, f), () -> "sub " + ops);
            assertEquals(canon(x * y), Fp32.mul(a, b, 0, f), () -> "mul " + ops);
            assertEquals(canon(x / y), Fp32.div(a, b, 0, f), () -> "div " + ops);
            assertEquals(canon((float) Math.sqrt(x)), Fp32.sqrt(a, 0, f), () -> "sqrt " + ops);
            assertEquals(canon(Math.fma(x, y, z)), Fp32.fmadd(a, b, c, 0, f), () -> "fma " + ops);
            assertEquals(canon(Math.fma(x, y, -z)), Fp32.fmsub(a, b, c, 0, f), () -> "fmsub " + ops);
            assertEquals(Float.floatToRawIntBits((float) a), Fp32.fromInt32(a, 0, f), () -> "fcvt.s.w " + ops);
            long l = r.nextLong() >> r.nextInt(64);
            assertEquals(Float.floatToRawIntBits((float) l), Fp32.fromInt64(l, 0, f), () -> "fcvt.s.l " + l);
        }
    }
}
