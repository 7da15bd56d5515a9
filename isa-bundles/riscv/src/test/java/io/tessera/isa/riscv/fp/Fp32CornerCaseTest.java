package io.tessera.isa.riscv.fp;

import static io.tessera.isa.riscv.fp.FpFlags.DZ;
import static io.tessera.isa.riscv.fp.FpFlags.NV;
import static io.tessera.isa.riscv.fp.FpFlags.NX;
import static io.tessera.isa.riscv.fp.FpFlags.OF;
import static io.tessera.isa.riscv.fp.FpFlags.UF;
import static io.tessera.isa.riscv.fp.FpRounding.RDN;
import static io.tessera.isa.riscv.fp.FpRounding.RMM;
import static io.tessera.isa.riscv.fp.FpRounding.RNE;
import static io.tessera.isa.riscv.fp.FpRounding.RTZ;
import static io.tessera.isa.riscv.fp.FpRounding.RUP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Hand-worked binary32 cases (and binary64/binary32 conversions) with known results and flags. */
class Fp32CornerCaseTest {

    static final int ONE = 0x3f80_0000;
    static final int P0 = 0;
    static final int N0 = 0x8000_0000;
    static final int PINF = 0x7f80_0000;
    static final int NINF = 0xff80_0000;
    static final int MAX = 0x7f7f_ffff;
    static final int MIN_NORMAL = 0x0080_0000;
    static final int MAX_SUB = 0x007f_ffff;
    static final int MIN_SUB = 1;
    static final int QNAN = 0x7fc0_0000;
    static final int SNAN = 0xff80_0001;

    static int s(float v) {
        return Float.floatToRawIntBits(v);
    }

    static long d(double v) {
        return Double.doubleToRawLongBits(v);
    }

    interface Op {
        int apply(int rm, FpFlags f);
    }

    private void expect(String what, Op op, int[][] perMode) {
        FpFlags f = new FpFlags();
        for (int[] c : perMode) {
            f.clear();
            int got = op.apply(c[0], f);
            assertEquals(String.format("%08x %s", c[1], FpFlags.toString(c[2])),
                    String.format("%08x %s", got, FpFlags.toString(f.get())), what + " rm" + c[0]);
        }
    }

    private void all(String what, Op op, int bits, int flags) {
        int[][] cases = new int[5][];
        for (int rm = 0; rm < 5; rm++) {
            cases[rm] = new int[] {rm, bits, flags};
        }
        expect(what, op, cases);
    }

    @Test
    void ties() {
        expect("1 + 2^-24", (rm, f) -> Fp32.add(ONE, s(0x1p-24f), rm, f), new int[][] {
            {RNE, ONE, NX}, {RTZ, ONE, NX}, {RDN, ONE, NX}, {RUP, ONE + 1, NX}, {RMM, ONE + 1, NX}});
        expect("1 + 3*2^-24", (rm, f) -> Fp32.add(ONE + 1, s(0x1p-24f), rm, f), new int[][] {
            {RNE, ONE + 2, NX}, {RTZ, ONE + 1, NX}, {RDN, ONE + 1, NX}, {RUP, ONE + 2, NX}, {RMM, ONE + 2, NX}});
        expect("-1 - 2^-24", (rm, f) -> Fp32.sub(ONE | N0, s(0x1p-24f), rm, f), new int[][] {
            {RNE, ONE | N0, NX}, {RTZ, ONE | N0, NX}, {RDN, (ONE + 1) | N0, NX}, {RUP, ONE | N0, NX}, {RMM, (ONE + 1) | N0, NX}});
        // a sum whose exact value needs far more than binary64's 53 bits
        expect("1 + 2^-100", (rm, f) -> Fp32.add(ONE, s(0x1p-100f), rm, f), new int[][] {
            {RNE, ONE, NX}, {RTZ, ONE, NX}, {RDN, ONE, NX}, {RUP, ONE + 1, NX}, {RMM, ONE, NX}});
        expect("1 - 2^-100", (rm, f) -> Fp32.sub(ONE, s(0x1p-100f), rm, f), new int[][] {
            {RNE, ONE, NX}, {RTZ, ONE - 1, NX}, {RDN, ONE - 1, NX}, {RUP, ONE, NX}, {RMM, ONE, NX}});
    }

    @Test
    void signedZerosAndSpecials() {
        expect("+0 + -0", (rm, f) -> Fp32.add(P0, N0, rm, f), new int[][] {
            {RNE, P0, 0}, {RTZ, P0, 0}, {RDN, N0, 0}, {RUP, P0, 0}, {RMM, P0, 0}});
        all("-0 + -0", (rm, f) -> Fp32.add(N0, N0, rm, f), N0, 0);
        expect("3 - 3", (rm, f) -> Fp32.sub(s(3), s(3), rm, f), new int[][] {{RNE, P0, 0}, {RDN, N0, 0}});
        all("sqrt(-0)", (rm, f) -> Fp32.sqrt(N0, rm, f), N0, 0);
        all("sqrt(-1)", (rm, f) -> Fp32.sqrt(ONE | N0, rm, f), QNAN, NV);
        all("sqrt(sNaN)", (rm, f) -> Fp32.sqrt(SNAN, rm, f), QNAN, NV);
        all("inf - inf", (rm, f) -> Fp32.sub(PINF, PINF, rm, f), QNAN, NV);
        all("0 * -inf", (rm, f) -> Fp32.mul(N0, NINF, rm, f), QNAN, NV);
        all("1 / -0", (rm, f) -> Fp32.div(ONE, N0, rm, f), NINF, DZ);
        all("0 / 0", (rm, f) -> Fp32.div(P0, N0, rm, f), QNAN, NV);
        all("qNaN + 1", (rm, f) -> Fp32.add(0xffc0_1234, ONE, rm, f), QNAN, 0);
        all("sNaN * 1", (rm, f) -> Fp32.mul(SNAN, ONE, rm, f), QNAN, NV);
    }

    @Test
    void squareRoot() {
        // sqrt(2) = 1.41421356..., 0x3fb504f3 = 1.41421353816986083984375 lies below it, nearer
        expect("sqrt 2", (rm, f) -> Fp32.sqrt(s(2), rm, f), new int[][] {
            {RNE, 0x3fb504f3, NX}, {RTZ, 0x3fb504f3, NX}, {RDN, 0x3fb504f3, NX}, {RUP, 0x3fb504f4, NX}, {RMM, 0x3fb504f3, NX}});
        all("sqrt 2^-148", (rm, f) -> Fp32.sqrt(2, rm, f), s(0x1p-74f), 0);
        all("sqrt 9", (rm, f) -> Fp32.sqrt(s(9), rm, f), s(3), 0);
    }

    @Test
    void subnormalsAndTininess() {
        expect("2^-150", (rm, f) -> Fp32.mul(MIN_SUB, s(0.5f), rm, f), new int[][] {
            {RNE, P0, UF | NX}, {RTZ, P0, UF | NX}, {RDN, P0, UF | NX}, {RUP, MIN_SUB, UF | NX}, {RMM, MIN_SUB, UF | NX}});
        all("2^-75 squared", (rm, f) -> Fp32.mul(s(0x1p-75f), s(0x1p-74f), rm, f), MIN_SUB, 0);
        // (1 - 2^-24) 2^-126: tiny at unbounded exponent, rounds to the smallest normal in RNE: UF
        expect("2^-126 - 2^-150", (rm, f) -> Fp32.mul(ONE - 1, MIN_NORMAL, rm, f), new int[][] {
            {RNE, MIN_NORMAL, UF | NX}, {RTZ, MAX_SUB, UF | NX}, {RDN, MAX_SUB, UF | NX}, {RUP, MIN_NORMAL, UF | NX}, {RMM, MIN_NORMAL, UF | NX}});
        // (1 + 2^-23)(2^-126 - 2^-149) = 2^-126 - 2^-172: not tiny after rounding in RNE/RUP/RMM
        expect("2^-126 - 2^-172", (rm, f) -> Fp32.mul(ONE + 1, MAX_SUB, rm, f), new int[][] {
            {RNE, MIN_NORMAL, NX}, {RTZ, MAX_SUB, UF | NX}, {RDN, MAX_SUB, UF | NX}, {RUP, MIN_NORMAL, NX}, {RMM, MIN_NORMAL, NX}});
        all("2^-149 / -2^-149", (rm, f) -> Fp32.div(MIN_SUB, MIN_SUB | N0, rm, f), ONE | N0, 0);
        expect("2^-149 / 3", (rm, f) -> Fp32.div(MIN_SUB, s(3), rm, f), new int[][] {
            {RNE, P0, UF | NX}, {RUP, MIN_SUB, UF | NX}, {RMM, P0, UF | NX}});
    }

    @Test
    void overflow() {
        expect("MAX * 2", (rm, f) -> Fp32.mul(MAX, s(2), rm, f), new int[][] {
            {RNE, PINF, OF | NX}, {RTZ, MAX, OF | NX}, {RDN, MAX, OF | NX}, {RUP, PINF, OF | NX}, {RMM, PINF, OF | NX}});
        expect("-MAX - 2^103 (half ulp)", (rm, f) -> Fp32.sub(MAX | N0, s(0x1p103f), rm, f), new int[][] {
            {RNE, NINF, OF | NX}, {RTZ, MAX | N0, NX}, {RDN, NINF, OF | NX}, {RUP, MAX | N0, NX}, {RMM, NINF, OF | NX}});
        expect("MAX + 2^102", (rm, f) -> Fp32.add(MAX, s(0x1p102f), rm, f), new int[][] {
            {RNE, MAX, NX}, {RTZ, MAX, NX}, {RUP, PINF, OF | NX}, {RMM, MAX, NX}});
        expect("MAX / 0.5", (rm, f) -> Fp32.div(MAX, s(0.5f), rm, f), new int[][] {
            {RNE, PINF, OF | NX}, {RTZ, MAX, OF | NX}});
    }

    @Test
    void fusedMultiplyAdd() {
        all("0*inf + qNaN", (rm, f) -> Fp32.fmadd(P0, PINF, QNAN, rm, f), QNAN, NV);
        all("inf*-0 - 1", (rm, f) -> Fp32.fmsub(PINF, N0, ONE, rm, f), QNAN, NV);
        all("fnmadd -(2*3)-1", (rm, f) -> Fp32.fnmadd(s(2), s(3), ONE, rm, f), s(-7), 0);
        all("fnmsub -(2*3)+1", (rm, f) -> Fp32.fnmsub(s(2), s(3), ONE, rm, f), s(-5), 0);
        all("fnmadd -(0*1)-0", (rm, f) -> Fp32.fnmadd(P0, ONE, P0, rm, f), N0, 0);
        expect("fmadd 1*1 - 1", (rm, f) -> Fp32.fmadd(ONE, ONE, ONE | N0, rm, f), new int[][] {
            {RNE, P0, 0}, {RDN, N0, 0}, {RUP, P0, 0}});
        // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a binary32 midpoint; 2^-80 more makes the exact sum
        // lie above it while binary64 rounds the sum back onto it: one rounding must see through
        int a = s(1 + 0x1p-12f);
        int lo = 0x3f80_1000;                          // 1 + 2^-11
        expect("tie + 2^-80", (rm, f) -> Fp32.fmadd(a, a, s(0x1p-80f), rm, f), new int[][] {
            {RNE, lo + 1, NX}, {RTZ, lo, NX}, {RDN, lo, NX}, {RUP, lo + 1, NX}, {RMM, lo + 1, NX}});
        expect("tie - 2^-80", (rm, f) -> Fp32.fmadd(a, a, s(-0x1p-80f), rm, f), new int[][] {
            {RNE, lo, NX}, {RTZ, lo, NX}, {RDN, lo, NX}, {RUP, lo + 1, NX}, {RMM, lo, NX}});
        expect("exact tie", (rm, f) -> Fp32.fmadd(a, a, P0, rm, f), new int[][] {
            {RNE, lo, NX}, {RTZ, lo, NX}, {RDN, lo, NX}, {RUP, lo + 1, NX}, {RMM, lo + 1, NX}});
        expect("tiny product + 2^-149", (rm, f) -> Fp32.fmadd(s(0x1p-100f), s(0x1p-60f), MIN_SUB, rm, f), new int[][] {
            {RNE, MIN_SUB, UF | NX}, {RUP, 2, UF | NX}, {RDN, MIN_SUB, UF | NX}});
    }

    @Test
    void narrowingFromDouble() {
        Fp64Op op = (x, rm, f) -> Fp64.toFp32(d(x), rm, f);
        expectD("1 + 2^-24", op, 1 + 0x1p-24, new int[][] {
            {RNE, ONE, NX}, {RTZ, ONE, NX}, {RDN, ONE, NX}, {RUP, ONE + 1, NX}, {RMM, ONE + 1, NX}});
        expectD("2^-150", op, 0x1p-150, new int[][] {
            {RNE, P0, UF | NX}, {RTZ, P0, UF | NX}, {RDN, P0, UF | NX}, {RUP, MIN_SUB, UF | NX}, {RMM, MIN_SUB, UF | NX}});
        expectD("-2^-1074", op, -0x1p-1074, new int[][] {
            {RNE, N0, UF | NX}, {RTZ, N0, UF | NX}, {RDN, MIN_SUB | N0, UF | NX}, {RUP, N0, UF | NX}, {RMM, N0, UF | NX}});
        expectD("2^-126 - 2^-150", op, 0x1p-126 - 0x1p-150, new int[][] {
            {RNE, MIN_NORMAL, UF | NX}, {RTZ, MAX_SUB, UF | NX}, {RUP, MIN_NORMAL, UF | NX}, {RMM, MIN_NORMAL, UF | NX}});
        expectD("2^-126 - 2^-151", op, 0x1p-126 - 0x1p-151, new int[][] {
            {RNE, MIN_NORMAL, NX}, {RTZ, MAX_SUB, UF | NX}, {RDN, MAX_SUB, UF | NX}, {RUP, MIN_NORMAL, NX}, {RMM, MIN_NORMAL, NX}});
        expectD("double MAX", op, Double.MAX_VALUE, new int[][] {
            {RNE, PINF, OF | NX}, {RTZ, MAX, OF | NX}, {RDN, MAX, OF | NX}, {RUP, PINF, OF | NX}, {RMM, PINF, OF | NX}});
        expectD("float MAX + half ulp", op, 0x1.ffffffp127, new int[][] {
            {RNE, PINF, OF | NX}, {RTZ, MAX, NX}, {RDN, MAX, NX}, {RUP, PINF, OF | NX}, {RMM, PINF, OF | NX}});
        expectD("-inf", op, Double.NEGATIVE_INFINITY, new int[][] {{RNE, NINF, 0}, {RTZ, NINF, 0}});
        expectD("-0", op, -0.0, new int[][] {{RNE, N0, 0}, {RUP, N0, 0}});
        FpFlags f = new FpFlags();
        assertEquals(QNAN, Fp64.toFp32(0x7ff0_0000_0000_0001L, RNE, f));
        assertEquals(NV, f.getAndClear());
        assertEquals(QNAN, Fp64.toFp32(0xfff8_0000_0000_1234L, RNE, f));
        assertEquals(0, f.get());
        // widening is exact; NaNs become the canonical binary64 NaN
        assertEquals(d(0x1p-149), Fp32.toFp64(MIN_SUB, f));
        assertEquals(d(-0.0), Fp32.toFp64(N0, f));
        assertEquals(0, f.get());
        assertEquals(Fp64.CANONICAL_NAN, Fp32.toFp64(SNAN, f));
        assertEquals(NV, f.getAndClear());
        assertEquals(Fp64.CANONICAL_NAN, Fp32.toFp64(0x7fc0_0001, f));
        assertEquals(0, f.get());
    }

    interface Fp64Op {
        int apply(double x, int rm, FpFlags f);
    }

    private void expectD(String what, Fp64Op op, double x, int[][] perMode) {
        expect(what, (rm, f) -> op.apply(x, rm, f), perMode);
    }

    @Test
    void minMaxCompareClassify() {
        FpFlags f = new FpFlags();
        assertEquals(N0, Fp32.min(P0, N0, f));
        assertEquals(P0, Fp32.max(N0, P0, f));
        assertEquals(ONE, Fp32.min(0x7fc0_0001, ONE, f));
        assertEquals(0, f.get());
        assertEquals(QNAN, Fp32.max(0x7fc0_0001, 0xffc0_0002, f));
        assertEquals(0, f.get());
        assertEquals(ONE, Fp32.max(SNAN, ONE, f));
        assertEquals(NV, f.getAndClear());
        assertEquals(1, Fp32.eq(N0, P0, f));
        assertEquals(0, Fp32.eq(QNAN, QNAN, f));
        assertEquals(0, f.get());
        assertEquals(0, Fp32.le(QNAN, ONE, f));
        assertEquals(NV, f.getAndClear());
        assertEquals(0, Fp32.lt(N0, P0, f));
        assertEquals(1, Fp32.le(N0, P0, f));
        assertEquals(1 << 0, Fp32.classify(NINF));
        assertEquals(1 << 1, Fp32.classify(ONE | N0));
        assertEquals(1 << 2, Fp32.classify(MAX_SUB | N0));
        assertEquals(1 << 3, Fp32.classify(N0));
        assertEquals(1 << 4, Fp32.classify(P0));
        assertEquals(1 << 5, Fp32.classify(MIN_SUB));
        assertEquals(1 << 6, Fp32.classify(MAX));
        assertEquals(1 << 7, Fp32.classify(PINF));
        assertEquals(1 << 8, Fp32.classify(SNAN));
        assertEquals(1 << 9, Fp32.classify(QNAN));
    }
}
