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
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Hand-worked binary64 cases with known results and flags. */
class Fp64CornerCaseTest {

    static final long ONE = 0x3ff0_0000_0000_0000L;
    static final long P0 = 0L;
    static final long N0 = 0x8000_0000_0000_0000L;
    static final long PINF = 0x7ff0_0000_0000_0000L;
    static final long NINF = 0xfff0_0000_0000_0000L;
    static final long MAX = 0x7fef_ffff_ffff_ffffL;
    static final long NMAX = 0xffef_ffff_ffff_ffffL;
    static final long MIN_NORMAL = 0x0010_0000_0000_0000L;
    static final long MAX_SUB = 0x000f_ffff_ffff_ffffL;
    static final long MIN_SUB = 1L;
    static final long QNAN = 0x7ff8_0000_0000_0000L;
    static final long QNAN_PAYLOAD = 0xfff8_0000_dead_beefL;
    static final long SNAN = 0x7ff0_0000_0000_0001L;

    private final FpFlags f = new FpFlags();

    static long d(double v) {
        return Double.doubleToRawLongBits(v);
    }

    interface Op {
        long apply(int rm, FpFlags f);
    }

    /** Asserts the result and flags in each mode: {rm, bits, flags} triples. */
    private void expect(String what, Op op, long[][] perMode) {
        for (long[] c : perMode) {
            f.clear();
            long got = op.apply((int) c[0], f);
            assertEquals(String.format("%016x %s", c[1], FpFlags.toString((int) c[2])),
                    String.format("%016x %s", got, FpFlags.toString(f.get())), what + " rm" + c[0]);
        }
    }

    private void all(String what, Op op, long bits, int flags) {
        long[][] cases = new long[5][];
        for (int rm = 0; rm < 5; rm++) {
            cases[rm] = new long[] {rm, bits, flags};
        }
        expect(what, op, cases);
    }

    @Test
    void tiesInAddition() {
        // 1 + 2^-53: exactly halfway between 1 and 1 + 2^-52
        expect("1 + 2^-53", (rm, f) -> Fp64.add(ONE, d(0x1p-53), rm, f), new long[][] {
            {RNE, ONE, NX}, {RTZ, ONE, NX}, {RDN, ONE, NX}, {RUP, ONE + 1, NX}, {RMM, ONE + 1, NX}});
        // 1 + 2^-52 + 2^-53: halfway between an odd and an even neighbour
        expect("1 + 3*2^-53", (rm, f) -> Fp64.add(ONE + 1, d(0x1p-53), rm, f), new long[][] {
            {RNE, ONE + 2, NX}, {RTZ, ONE + 1, NX}, {RDN, ONE + 1, NX}, {RUP, ONE + 2, NX}, {RMM, ONE + 2, NX}});
        // -1 - 2^-53
        expect("-1 - 2^-53", (rm, f) -> Fp64.sub(ONE | N0, d(0x1p-53), rm, f), new long[][] {
            {RNE, ONE | N0, NX}, {RTZ, ONE | N0, NX}, {RDN, (ONE + 1) | N0, NX}, {RUP, ONE | N0, NX}, {RMM, (ONE + 1) | N0, NX}});
        // 1 - 2^-54: halfway between 1 - 2^-53 and 1 (the binade below has the finer ulp)
        expect("1 - 2^-54", (rm, f) -> Fp64.sub(ONE, d(0x1p-54), rm, f), new long[][] {
            {RNE, ONE, NX}, {RTZ, ONE - 1, NX}, {RDN, ONE - 1, NX}, {RUP, ONE, NX}, {RMM, ONE, NX}});
        // 1 + 2^-53 + 2^-105: just above the tie
        expect("1 + 2^-53 + 2^-105", (rm, f) -> Fp64.add(ONE, d(0x1p-53 + 0x1p-105), rm, f), new long[][] {
            {RNE, ONE + 1, NX}, {RTZ, ONE, NX}, {RDN, ONE, NX}, {RUP, ONE + 1, NX}, {RMM, ONE + 1, NX}});
    }

    @Test
    void signedZeros() {
        all("-0 + -0", (rm, f) -> Fp64.add(N0, N0, rm, f), N0, 0);
        all("+0 + +0", (rm, f) -> Fp64.add(P0, P0, rm, f), P0, 0);
        expect("+0 + -0", (rm, f) -> Fp64.add(P0, N0, rm, f), new long[][] {
            {RNE, P0, 0}, {RTZ, P0, 0}, {RDN, N0, 0}, {RUP, P0, 0}, {RMM, P0, 0}});
        expect("1 + -1", (rm, f) -> Fp64.add(ONE, ONE | N0, rm, f), new long[][] {
            {RNE, P0, 0}, {RTZ, P0, 0}, {RDN, N0, 0}, {RUP, P0, 0}, {RMM, P0, 0}});
        expect("+0 - +0", (rm, f) -> Fp64.sub(P0, P0, rm, f), new long[][] {
            {RNE, P0, 0}, {RDN, N0, 0}});
        expect("x - x", (rm, f) -> Fp64.sub(d(0x1.23p-1050), d(0x1.23p-1050), rm, f), new long[][] {
            {RNE, P0, 0}, {RUP, P0, 0}, {RDN, N0, 0}});
        all("-0 * 5", (rm, f) -> Fp64.mul(N0, d(5), rm, f), N0, 0);
        all("-0 / -5", (rm, f) -> Fp64.div(N0, d(-5), rm, f), P0, 0);
        all("3 / -inf", (rm, f) -> Fp64.div(d(3), NINF, rm, f), N0, 0);
        all("sqrt(-0)", (rm, f) -> Fp64.sqrt(N0, rm, f), N0, 0);
        all("sqrt(+0)", (rm, f) -> Fp64.sqrt(P0, rm, f), P0, 0);
    }

    @Test
    void subnormalResultsAndTininess() {
        // 2^-537 squared is the smallest subnormal, exactly: tiny but exact, so no UF
        all("2^-537^2", (rm, f) -> Fp64.mul(d(0x1p-537), d(0x1p-537), rm, f), MIN_SUB, 0);
        // 2^-1074 / 2 = 2^-1075: halfway between 0 and 2^-1074
        expect("2^-1075", (rm, f) -> Fp64.mul(MIN_SUB, d(0.5), rm, f), new long[][] {
            {RNE, P0, UF | NX}, {RTZ, P0, UF | NX}, {RDN, P0, UF | NX}, {RUP, MIN_SUB, UF | NX}, {RMM, MIN_SUB, UF | NX}});
        expect("-2^-1075", (rm, f) -> Fp64.div(MIN_SUB | N0, d(2), rm, f), new long[][] {
            {RNE, N0, UF | NX}, {RTZ, N0, UF | NX}, {RDN, MIN_SUB | N0, UF | NX}, {RUP, N0, UF | NX}, {RMM, MIN_SUB | N0, UF | NX}});
        // 3 * 2^-1075 is halfway between 2^-1074 (odd) and 2^-1073 (even)
        expect("3*2^-1075", (rm, f) -> Fp64.mul(d(0x1.8p-1073), d(0.5), rm, f), new long[][] {
            {RNE, 2, UF | NX}, {RTZ, 1, UF | NX}, {RDN, 1, UF | NX}, {RUP, 2, UF | NX}, {RMM, 2, UF | NX}});
        // 2^-1074 / 3
        expect("2^-1074/3", (rm, f) -> Fp64.div(MIN_SUB, d(3), rm, f), new long[][] {
            {RNE, P0, UF | NX}, {RTZ, P0, UF | NX}, {RDN, P0, UF | NX}, {RUP, MIN_SUB, UF | NX}, {RMM, P0, UF | NX}});
        // (1 - 2^-53) * 2^-1022 = 2^-1022 - 2^-1075: 53 bits, so tiny at unbounded exponent, but
        // halfway on the subnormal grid: RNE gives the smallest normal number and still UF
        expect("2^-1022 - 2^-1075", (rm, f) -> Fp64.mul(ONE - 1, MIN_NORMAL, rm, f), new long[][] {
            {RNE, MIN_NORMAL, UF | NX}, {RTZ, MAX_SUB, UF | NX}, {RDN, MAX_SUB, UF | NX}, {RUP, MIN_NORMAL, UF | NX}, {RMM, MIN_NORMAL, UF | NX}});
        // (1 + 2^-52)(2^-1022 - 2^-1074) = 2^-1022 - 2^-1126: rounds to 2^-1022 at unbounded
        // exponent in RNE/RUP/RMM, so it is not tiny there
        expect("2^-1022 - 2^-1126", (rm, f) -> Fp64.mul(ONE + 1, MAX_SUB, rm, f), new long[][] {
            {RNE, MIN_NORMAL, NX}, {RTZ, MAX_SUB, UF | NX}, {RDN, MAX_SUB, UF | NX}, {RUP, MIN_NORMAL, NX}, {RMM, MIN_NORMAL, NX}});
        // subnormal sums are exact
        all("sub + sub", (rm, f) -> Fp64.add(MAX_SUB, MIN_SUB, rm, f), MIN_NORMAL, 0);
        all("min normal - min sub", (rm, f) -> Fp64.sub(MIN_NORMAL, MIN_SUB, rm, f), MAX_SUB, 0);
        // sqrt of the smallest subnormal: 2^-537, exact
        all("sqrt(2^-1074)", (rm, f) -> Fp64.sqrt(MIN_SUB, rm, f), d(0x1p-537), 0);
    }

    @Test
    void overflow() {
        expect("MAX * 2", (rm, f) -> Fp64.mul(MAX, d(2), rm, f), new long[][] {
            {RNE, PINF, OF | NX}, {RTZ, MAX, OF | NX}, {RDN, MAX, OF | NX}, {RUP, PINF, OF | NX}, {RMM, PINF, OF | NX}});
        expect("-MAX * 2", (rm, f) -> Fp64.mul(NMAX, d(2), rm, f), new long[][] {
            {RNE, NINF, OF | NX}, {RTZ, NMAX, OF | NX}, {RDN, NINF, OF | NX}, {RUP, NMAX, OF | NX}, {RMM, NINF, OF | NX}});
        // MAX + half an ulp: the overflow threshold in RNE
        // (below 2^1024, so rounding towards zero does not overflow)
        expect("MAX + 2^970", (rm, f) -> Fp64.add(MAX, d(0x1p970), rm, f), new long[][] {
            {RNE, PINF, OF | NX}, {RTZ, MAX, NX}, {RDN, MAX, NX}, {RUP, PINF, OF | NX}, {RMM, PINF, OF | NX}});
        // MAX + a quarter ulp: no overflow unless rounding up
        expect("MAX + 2^969", (rm, f) -> Fp64.add(MAX, d(0x1p969), rm, f), new long[][] {
            {RNE, MAX, NX}, {RTZ, MAX, NX}, {RDN, MAX, NX}, {RUP, PINF, OF | NX}, {RMM, MAX, NX}});
        expect("-MAX - 2^969", (rm, f) -> Fp64.sub(NMAX, d(0x1p969), rm, f), new long[][] {
            {RNE, NMAX, NX}, {RTZ, NMAX, NX}, {RDN, NINF, OF | NX}, {RUP, NMAX, NX}, {RMM, NMAX, NX}});
        expect("MAX / 0.5", (rm, f) -> Fp64.div(MAX, d(0.5), rm, f), new long[][] {
            {RNE, PINF, OF | NX}, {RTZ, MAX, OF | NX}});
        expect("fma MAX*2 - MAX", (rm, f) -> Fp64.fmadd(MAX, d(2), NMAX, rm, f), new long[][] {
            {RNE, MAX, 0}, {RTZ, MAX, 0}, {RUP, MAX, 0}});
        // infinities are exact, not overflows
        all("inf + 1", (rm, f) -> Fp64.add(PINF, ONE, rm, f), PINF, 0);
        all("inf * -2", (rm, f) -> Fp64.mul(PINF, d(-2), rm, f), NINF, 0);
    }

    @Test
    void invalidAndNaN() {
        all("inf - inf", (rm, f) -> Fp64.add(PINF, NINF, rm, f), QNAN, NV);
        all("0 * inf", (rm, f) -> Fp64.mul(P0, NINF, rm, f), QNAN, NV);
        all("0 / 0", (rm, f) -> Fp64.div(N0, P0, rm, f), QNAN, NV);
        all("inf / inf", (rm, f) -> Fp64.div(PINF, NINF, rm, f), QNAN, NV);
        all("sqrt(-1)", (rm, f) -> Fp64.sqrt(ONE | N0, rm, f), QNAN, NV);
        all("sqrt(-inf)", (rm, f) -> Fp64.sqrt(NINF, rm, f), QNAN, NV);
        all("sqrt(-2^-1074)", (rm, f) -> Fp64.sqrt(MIN_SUB | N0, rm, f), QNAN, NV);
        all("sqrt(inf)", (rm, f) -> Fp64.sqrt(PINF, rm, f), PINF, 0);
        all("sqrt(qNaN)", (rm, f) -> Fp64.sqrt(QNAN_PAYLOAD, rm, f), QNAN, 0);
        all("sqrt(sNaN)", (rm, f) -> Fp64.sqrt(SNAN, rm, f), QNAN, NV);
        // quiet NaN operands propagate as the canonical NaN without NV; signaling ones raise NV
        all("qNaN + 1", (rm, f) -> Fp64.add(QNAN_PAYLOAD, ONE, rm, f), QNAN, 0);
        all("1 - sNaN", (rm, f) -> Fp64.sub(ONE, SNAN, rm, f), QNAN, NV);
        all("qNaN * 0", (rm, f) -> Fp64.mul(QNAN_PAYLOAD, P0, rm, f), QNAN, 0);
        all("sNaN / qNaN", (rm, f) -> Fp64.div(SNAN | N0, QNAN, rm, f), QNAN, NV);
        all("inf * qNaN", (rm, f) -> Fp64.mul(PINF, QNAN, rm, f), QNAN, 0);
        all("inf / qNaN", (rm, f) -> Fp64.div(PINF, QNAN, rm, f), QNAN, 0);
    }

    @Test
    void divideByZero() {
        all("1 / +0", (rm, f) -> Fp64.div(ONE, P0, rm, f), PINF, DZ);
        all("-1 / +0", (rm, f) -> Fp64.div(ONE | N0, P0, rm, f), NINF, DZ);
        all("2^-1074 / -0", (rm, f) -> Fp64.div(MIN_SUB, N0, rm, f), NINF, DZ);
        all("inf / 0", (rm, f) -> Fp64.div(PINF, P0, rm, f), PINF, 0);
        all("qNaN / 0", (rm, f) -> Fp64.div(QNAN, P0, rm, f), QNAN, 0);
    }

    @Test
    void fusedMultiplyAdd() {
        // zero times infinity is invalid even with a quiet NaN addend
        all("0*inf + 1", (rm, f) -> Fp64.fmadd(P0, PINF, ONE, rm, f), QNAN, NV);
        all("inf*0 + qNaN", (rm, f) -> Fp64.fmadd(NINF, N0, QNAN, rm, f), QNAN, NV);
        all("fnmadd 0*inf + qNaN", (rm, f) -> Fp64.fnmadd(P0, PINF, QNAN_PAYLOAD, rm, f), QNAN, NV);
        all("qNaN*0 + inf", (rm, f) -> Fp64.fmadd(QNAN, P0, PINF, rm, f), QNAN, 0);
        all("1*1 + sNaN", (rm, f) -> Fp64.fmadd(ONE, ONE, SNAN, rm, f), QNAN, NV);
        all("inf*2 - inf", (rm, f) -> Fp64.fmsub(PINF, d(2), PINF, rm, f), QNAN, NV);
        all("inf*2 + inf", (rm, f) -> Fp64.fmadd(PINF, d(2), PINF, rm, f), PINF, 0);
        all("-(inf*2) - inf", (rm, f) -> Fp64.fnmadd(PINF, d(2), PINF, rm, f), NINF, 0);
        all("1*2 + -inf", (rm, f) -> Fp64.fmadd(ONE, d(2), NINF, rm, f), NINF, 0);
        // signs of the four variants
        all("fmadd 2*3+1", (rm, f) -> Fp64.fmadd(d(2), d(3), ONE, rm, f), d(7), 0);
        all("fmsub 2*3-1", (rm, f) -> Fp64.fmsub(d(2), d(3), ONE, rm, f), d(5), 0);
        all("fnmsub -(2*3)+1", (rm, f) -> Fp64.fnmsub(d(2), d(3), ONE, rm, f), d(-5), 0);
        all("fnmadd -(2*3)-1", (rm, f) -> Fp64.fnmadd(d(2), d(3), ONE, rm, f), d(-7), 0);
        // exact zeros
        all("fnmadd -(+0*1) - +0", (rm, f) -> Fp64.fnmadd(P0, ONE, P0, rm, f), N0, 0);
        expect("fnmsub -(+0*1) + +0", (rm, f) -> Fp64.fnmsub(P0, ONE, P0, rm, f), new long[][] {
            {RNE, P0, 0}, {RTZ, P0, 0}, {RDN, N0, 0}, {RUP, P0, 0}, {RMM, P0, 0}});
        expect("fmadd 1*1 - 1", (rm, f) -> Fp64.fmadd(ONE, ONE, ONE | N0, rm, f), new long[][] {
            {RNE, P0, 0}, {RTZ, P0, 0}, {RDN, N0, 0}, {RUP, P0, 0}, {RMM, P0, 0}});
        all("fmadd 2*3 + -0", (rm, f) -> Fp64.fmadd(d(2), d(3), N0, rm, f), d(6), 0);
        all("fmadd 0*3 + 5", (rm, f) -> Fp64.fmadd(P0, d(3), d(5), rm, f), d(5), 0);
        // one rounding: (1 + 2^-52)^2 - 1 = 2^-51 (1 + 2^-53), a tie that a*b rounded first would lose
        expect("(1+2^-52)^2 - 1", (rm, f) -> Fp64.fmsub(ONE + 1, ONE + 1, ONE, rm, f), new long[][] {
            {RNE, d(0x1p-51), NX}, {RTZ, d(0x1p-51), NX}, {RDN, d(0x1p-51), NX}, {RUP, d(0x1p-51) + 1, NX}, {RMM, d(0x1p-51) + 1, NX}});
        // (1 + 2^-52)(1 - 2^-53) - 1 = 2^-53 - 2^-105: exact after massive cancellation
        all("cancel", (rm, f) -> Fp64.fmsub(ONE + 1, ONE - 1, ONE, rm, f), d(0x1p-53 - 0x1p-105), 0);
        // 1 + 2^-53 via the product: a tie only a single rounding sees
        expect("1*2^-53 + 1", (rm, f) -> Fp64.fmadd(d(0x1p-53), ONE, ONE, rm, f), new long[][] {
            {RNE, ONE, NX}, {RTZ, ONE, NX}, {RDN, ONE, NX}, {RUP, ONE + 1, NX}, {RMM, ONE + 1, NX}});
        // (1 + 2^-52)(1 + 2^-52) + 2^-53 = 1 + 2^-51 + 2^-53 + 2^-104: just above a tie
        expect("just above a tie", (rm, f) -> Fp64.fmadd(ONE + 1, ONE + 1, d(0x1p-53), rm, f), new long[][] {
            {RNE, ONE + 3, NX}, {RTZ, ONE + 2, NX}, {RDN, ONE + 2, NX}, {RUP, ONE + 3, NX}, {RMM, ONE + 3, NX}});
        // a product far below the addend only nudges it
        expect("1 + tiny", (rm, f) -> Fp64.fmadd(MIN_SUB, MIN_SUB, ONE, rm, f), new long[][] {
            {RNE, ONE, NX}, {RTZ, ONE, NX}, {RDN, ONE, NX}, {RUP, ONE + 1, NX}, {RMM, ONE, NX}});
        expect("1 - tiny", (rm, f) -> Fp64.fnmsub(MIN_SUB, MIN_SUB, ONE, rm, f), new long[][] {
            {RNE, ONE, NX}, {RTZ, ONE - 1, NX}, {RDN, ONE - 1, NX}, {RUP, ONE, NX}, {RMM, ONE, NX}});
        // an underflowing product plus a subnormal
        expect("2^-600*2^-500 + 2^-1074", (rm, f) -> Fp64.fmadd(d(0x1p-600), d(0x1p-500), MIN_SUB, rm, f), new long[][] {
            {RNE, MIN_SUB, UF | NX}, {RTZ, MIN_SUB, UF | NX}, {RDN, MIN_SUB, UF | NX}, {RUP, 2, UF | NX}, {RMM, MIN_SUB, UF | NX}});
    }

    @Test
    void squareRoot() {
        // sqrt(2) = 1.4142135623730950488..., 0x3ff6a09e667f3bcd is 1.41421356237309514547...
        expect("sqrt 2", (rm, f) -> Fp64.sqrt(d(2), rm, f), new long[][] {
            {RNE, 0x3ff6a09e667f3bcdL, NX}, {RTZ, 0x3ff6a09e667f3bccL, NX}, {RDN, 0x3ff6a09e667f3bccL, NX},
            {RUP, 0x3ff6a09e667f3bcdL, NX}, {RMM, 0x3ff6a09e667f3bcdL, NX}});
        all("sqrt 4", (rm, f) -> Fp64.sqrt(d(4), rm, f), d(2), 0);
        // x = 2^-1000 + 2^-1050: sqrt(x) = 2^-500 (1 + 2^-51 - 2^-103 + ...) lies just below
        // r = 2^-500 + 2^-551, and x - r^2 = -2^-1102 is far below the subnormals (a residual
        // computed from the unscaled operand would vanish and pass the result off as exact)
        long r = d(0x1p-500) + 2;                  // 2^-551 is two ulps of 2^-500
        expect("sqrt(2^-1000 + 2^-1050)", (rm, f) -> Fp64.sqrt(d(0x1p-1000 + 0x1p-1050), rm, f), new long[][] {
            {RNE, r, NX}, {RTZ, r - 1, NX}, {RDN, r - 1, NX}, {RUP, r, NX}, {RMM, r, NX}});
        all("sqrt 2^-1022", (rm, f) -> Fp64.sqrt(MIN_NORMAL, rm, f), d(0x1p-511), 0);
        // sqrt(MAX) = 2^512 * sqrt(1 - 2^-53) = 2^512 (1 - 2^-54 - 2^-109 - ...), just below the
        // midpoint between 2^512 - 2^459 and 2^512
        expect("sqrt MAX", (rm, f) -> Fp64.sqrt(MAX, rm, f), new long[][] {
            {RNE, d(0x1p512) - 1, NX}, {RTZ, d(0x1p512) - 1, NX}, {RDN, d(0x1p512) - 1, NX},
            {RUP, d(0x1p512), NX}, {RMM, d(0x1p512) - 1, NX}});
    }

    @Test
    void minMax() {
        FpFlags g = new FpFlags();
        assertEquals(N0, Fp64.min(P0, N0, g));
        assertEquals(N0, Fp64.min(N0, P0, g));
        assertEquals(P0, Fp64.max(N0, P0, g));
        assertEquals(P0, Fp64.max(P0, N0, g));
        assertEquals(ONE, Fp64.min(QNAN_PAYLOAD, ONE, g));
        assertEquals(ONE, Fp64.max(ONE, QNAN, g));
        assertEquals(0, g.get());
        assertEquals(QNAN, Fp64.min(QNAN_PAYLOAD, QNAN_PAYLOAD, g));
        assertEquals(0, g.get());
        assertEquals(ONE, Fp64.min(SNAN, ONE, g));
        assertEquals(NV, g.getAndClear());
        assertEquals(QNAN, Fp64.max(QNAN, SNAN, g));
        assertEquals(NV, g.getAndClear());
        assertEquals(NINF, Fp64.min(NINF, MAX, g));
        assertEquals(MAX, Fp64.max(NINF, MAX, g));
        assertEquals(MIN_SUB | N0, Fp64.min(MIN_SUB, MIN_SUB | N0, g));
        assertEquals(0, g.get());
    }

    @Test
    void compare() {
        FpFlags g = new FpFlags();
        assertEquals(1, Fp64.eq(P0, N0, g));
        assertEquals(1, Fp64.le(N0, P0, g));
        assertEquals(0, Fp64.lt(N0, P0, g));
        assertEquals(1, Fp64.lt(NINF, NMAX, g));
        assertEquals(0, g.get());
        assertEquals(0, Fp64.eq(QNAN, QNAN, g));
        assertEquals(0, g.get());                      // feq is quiet
        assertEquals(0, Fp64.eq(SNAN, ONE, g));
        assertEquals(NV, g.getAndClear());
        assertEquals(0, Fp64.lt(QNAN, ONE, g));
        assertEquals(NV, g.getAndClear());             // flt and fle signal on any NaN
        assertEquals(0, Fp64.le(ONE, QNAN, g));
        assertEquals(NV, g.getAndClear());
    }

    @Test
    void classify() {
        assertEquals(1 << 0, Fp64.classify(NINF));
        assertEquals(1 << 1, Fp64.classify(ONE | N0));
        assertEquals(1 << 2, Fp64.classify(MAX_SUB | N0));
        assertEquals(1 << 3, Fp64.classify(N0));
        assertEquals(1 << 4, Fp64.classify(P0));
        assertEquals(1 << 5, Fp64.classify(MIN_SUB));
        assertEquals(1 << 6, Fp64.classify(MIN_NORMAL));
        assertEquals(1 << 7, Fp64.classify(PINF));
        assertEquals(1 << 8, Fp64.classify(SNAN | N0));
        assertEquals(1 << 9, Fp64.classify(QNAN_PAYLOAD));
    }

    @Test
    void signInjection() {
        assertEquals(ONE | N0, Fp64.sgnj(ONE, N0));
        assertEquals(ONE, Fp64.sgnjn(ONE | N0, N0));
        assertEquals(ONE, Fp64.sgnjx(ONE | N0, N0));
        assertEquals(SNAN | N0, Fp64.sgnjn(SNAN, P0));   // NaNs untouched, not canonicalized
    }

    @Test
    void flagsAccumulate() {
        FpFlags g = new FpFlags();
        Fp64.div(ONE, P0, RNE, g);
        Fp64.add(ONE, d(0x1p-60), RNE, g);
        Fp64.add(ONE, ONE, RNE, g);
        assertEquals(DZ | NX, g.get());
        assertEquals("DZ|NX", g.toString());
    }

    @Test
    void invalidRoundingModeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Fp64.add(ONE, d(0x1p-60), 5, f));
        assertThrows(IllegalArgumentException.class, () -> Fp64.toInt32(d(0.5), 7, f));
    }
}
