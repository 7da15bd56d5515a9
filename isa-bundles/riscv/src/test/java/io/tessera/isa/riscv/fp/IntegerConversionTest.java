package io.tessera.isa.riscv.fp;

import static io.tessera.isa.riscv.fp.FpFlags.NV;
import static io.tessera.isa.riscv.fp.FpFlags.NX;
import static io.tessera.isa.riscv.fp.FpRounding.RDN;
import static io.tessera.isa.riscv.fp.FpRounding.RMM;
import static io.tessera.isa.riscv.fp.FpRounding.RNE;
import static io.tessera.isa.riscv.fp.FpRounding.RTZ;
import static io.tessera.isa.riscv.fp.FpRounding.RUP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * fcvt between floating point and integers: saturation, NV versus NX, each rounding mode, and
 * the RV64 register image of 32-bit results (sign-extended, also for the unsigned ones).
 */
class IntegerConversionTest {

    interface Conv {
        long apply(int rm, FpFlags f);
    }

    /** {rm, result, flags} for each listed mode. */
    private static void expect(String what, Conv c, long[][] perMode) {
        FpFlags f = new FpFlags();
        for (long[] m : perMode) {
            f.clear();
            long got = c.apply((int) m[0], f);
            assertEquals(String.format("%016x %s", m[1], FpFlags.toString((int) m[2])),
                    String.format("%016x %s", got, FpFlags.toString(f.get())), what + " rm" + m[0]);
        }
    }

    private static void all(String what, Conv c, long result, int flags) {
        long[][] m = new long[5][];
        for (int rm = 0; rm < 5; rm++) {
            m[rm] = new long[] {rm, result, flags};
        }
        expect(what, c, m);
    }

    private static long d(double v) {
        return Double.doubleToRawLongBits(v);
    }

    private static int s(float v) {
        return Float.floatToRawIntBits(v);
    }

    private static final long NAN = 0x7ff8_0000_0000_0000L;
    private static final long MIN32 = Integer.MIN_VALUE;   // sign-extended
    private static final long MAX32 = Integer.MAX_VALUE;

    @Test
    void toInt32() {
        all("2^31", (rm, f) -> Fp64.toInt32(d(0x1p31), rm, f), MAX32, NV);
        all("-2^31", (rm, f) -> Fp64.toInt32(d(-0x1p31), rm, f), MIN32, 0);
        all("-2^31 - 1", (rm, f) -> Fp64.toInt32(d(-0x1p31 - 1), rm, f), MIN32, NV);
        all("2^31 - 1", (rm, f) -> Fp64.toInt32(d(0x1p31 - 1), rm, f), MAX32, 0);
        all("NaN", (rm, f) -> Fp64.toInt32(NAN | 0x8000_0000_0000_0000L, rm, f), MAX32, NV);
        all("+inf", (rm, f) -> Fp64.toInt32(d(Double.POSITIVE_INFINITY), rm, f), MAX32, NV);
        all("-inf", (rm, f) -> Fp64.toInt32(d(Double.NEGATIVE_INFINITY), rm, f), MIN32, NV);
        all("-0", (rm, f) -> Fp64.toInt32(d(-0.0), rm, f), 0, 0);
        expect("0.5", (rm, f) -> Fp64.toInt32(d(0.5), rm, f), new long[][] {
            {RNE, 0, NX}, {RTZ, 0, NX}, {RDN, 0, NX}, {RUP, 1, NX}, {RMM, 1, NX}});
        expect("-0.5", (rm, f) -> Fp64.toInt32(d(-0.5), rm, f), new long[][] {
            {RNE, 0, NX}, {RTZ, 0, NX}, {RDN, -1, NX}, {RUP, 0, NX}, {RMM, -1, NX}});
        expect("1.5", (rm, f) -> Fp64.toInt32(d(1.5), rm, f), new long[][] {
            {RNE, 2, NX}, {RTZ, 1, NX}, {RDN, 1, NX}, {RUP, 2, NX}, {RMM, 2, NX}});
        expect("2.5", (rm, f) -> Fp64.toInt32(d(2.5), rm, f), new long[][] {
            {RNE, 2, NX}, {RTZ, 2, NX}, {RDN, 2, NX}, {RUP, 3, NX}, {RMM, 3, NX}});
        expect("-2.5", (rm, f) -> Fp64.toInt32(d(-2.5), rm, f), new long[][] {
            {RNE, -2, NX}, {RTZ, -2, NX}, {RDN, -3, NX}, {RUP, -2, NX}, {RMM, -3, NX}});
        expect("-0.25", (rm, f) -> Fp64.toInt32(d(-0.25), rm, f), new long[][] {
            {RNE, 0, NX}, {RDN, -1, NX}, {RMM, 0, NX}});
        // out of range only after rounding: NV alone, no NX
        expect("2^31 - 0.5", (rm, f) -> Fp64.toInt32(d(0x1p31 - 0.5), rm, f), new long[][] {
            {RNE, MAX32, NV}, {RTZ, MAX32, NX}, {RDN, MAX32, NX}, {RUP, MAX32, NV}, {RMM, MAX32, NV}});
        expect("-2^31 - 0.5", (rm, f) -> Fp64.toInt32(d(-0x1p31 - 0.5), rm, f), new long[][] {
            {RNE, MIN32, NX}, {RTZ, MIN32, NX}, {RDN, MIN32, NV}, {RUP, MIN32, NX}, {RMM, MIN32, NV}});
        // single precision sources
        all("float 2^31", (rm, f) -> Fp32.toInt32(s(0x1p31f), rm, f), MAX32, NV);
        all("float -2^31", (rm, f) -> Fp32.toInt32(s(-0x1p31f), rm, f), MIN32, 0);
        all("float NaN", (rm, f) -> Fp32.toInt32(0xffc0_0000, rm, f), MAX32, NV);
        expect("float 0.5", (rm, f) -> Fp32.toInt32(s(0.5f), rm, f), new long[][] {
            {RNE, 0, NX}, {RTZ, 0, NX}, {RDN, 0, NX}, {RUP, 1, NX}, {RMM, 1, NX}});
    }

    @Test
    void toUint32() {
        all("-1", (rm, f) -> Fp64.toUint32(d(-1), rm, f), 0, NV);
        all("-0", (rm, f) -> Fp64.toUint32(d(-0.0), rm, f), 0, 0);
        expect("-0.5", (rm, f) -> Fp64.toUint32(d(-0.5), rm, f), new long[][] {
            {RNE, 0, NX}, {RTZ, 0, NX}, {RDN, 0, NV}, {RUP, 0, NX}, {RMM, 0, NV}});
        // 32-bit results are sign-extended into the 64-bit register, unsigned ones included
        all("2^31", (rm, f) -> Fp64.toUint32(d(0x1p31), rm, f), 0xffff_ffff_8000_0000L, 0);
        all("2^32 - 1", (rm, f) -> Fp64.toUint32(d(0x1p32 - 1), rm, f), -1L, 0);
        all("2^32", (rm, f) -> Fp64.toUint32(d(0x1p32), rm, f), -1L, NV);
        expect("2^32 - 0.5", (rm, f) -> Fp64.toUint32(d(0x1p32 - 0.5), rm, f), new long[][] {
            {RNE, -1L, NV}, {RTZ, -1L, NX}, {RDN, -1L, NX}, {RUP, -1L, NV}, {RMM, -1L, NV}});
        all("NaN", (rm, f) -> Fp64.toUint32(NAN, rm, f), -1L, NV);
        all("+inf", (rm, f) -> Fp64.toUint32(d(Double.POSITIVE_INFINITY), rm, f), -1L, NV);
        all("-inf", (rm, f) -> Fp64.toUint32(d(Double.NEGATIVE_INFINITY), rm, f), 0, NV);
        all("float 3e9", (rm, f) -> Fp32.toUint32(s(3e9f), rm, f), (long) (int) 3_000_000_000L, 0);
    }

    @Test
    void toInt64AndUint64() {
        all("2^63", (rm, f) -> Fp64.toInt64(d(0x1p63), rm, f), Long.MAX_VALUE, NV);
        all("-2^63", (rm, f) -> Fp64.toInt64(d(-0x1p63), rm, f), Long.MIN_VALUE, 0);
        all("2^63 - 1024", (rm, f) -> Fp64.toInt64(d(0x1p63 - 1024), rm, f), 0x7fff_ffff_ffff_fc00L, 0);
        all("NaN", (rm, f) -> Fp64.toInt64(NAN, rm, f), Long.MAX_VALUE, NV);
        all("-inf", (rm, f) -> Fp64.toInt64(d(Double.NEGATIVE_INFINITY), rm, f), Long.MIN_VALUE, NV);
        expect("-1.5", (rm, f) -> Fp64.toInt64(d(-1.5), rm, f), new long[][] {
            {RNE, -2, NX}, {RTZ, -1, NX}, {RDN, -2, NX}, {RUP, -1, NX}, {RMM, -2, NX}});
        all("u 2^64", (rm, f) -> Fp64.toUint64(d(0x1p64), rm, f), -1L, NV);
        all("u 2^64 - 2048", (rm, f) -> Fp64.toUint64(d(0x1p64 - 2048), rm, f), 0xffff_ffff_ffff_f800L, 0);
        all("u 2^63", (rm, f) -> Fp64.toUint64(d(0x1p63), rm, f), Long.MIN_VALUE, 0);
        all("u -1", (rm, f) -> Fp64.toUint64(d(-1), rm, f), 0, NV);
        all("u NaN", (rm, f) -> Fp64.toUint64(NAN, rm, f), -1L, NV);
        expect("u -0.75", (rm, f) -> Fp64.toUint64(d(-0.75), rm, f), new long[][] {
            {RNE, 0, NV}, {RTZ, 0, NX}, {RDN, 0, NV}, {RUP, 0, NX}, {RMM, 0, NV}});
        all("float 2^63", (rm, f) -> Fp32.toInt64(s(0x1p63f), rm, f), Long.MAX_VALUE, NV);
        all("float u 2^63", (rm, f) -> Fp32.toUint64(s(0x1p63f), rm, f), Long.MIN_VALUE, 0);
        all("float u NaN", (rm, f) -> Fp32.toUint64(0x7f80_0001, rm, f), -1L, NV);
    }

    @Test
    void fromIntegers() {
        long two53 = d(0x1p53);
        expect("2^53 + 1", (rm, f) -> Fp64.fromInt64((1L << 53) + 1, rm, f), new long[][] {
            {RNE, two53, NX}, {RTZ, two53, NX}, {RDN, two53, NX}, {RUP, two53 + 1, NX}, {RMM, two53 + 1, NX}});
        expect("-(2^53 + 1)", (rm, f) -> Fp64.fromInt64(-(1L << 53) - 1, rm, f), new long[][] {
            {RNE, two53 | Long.MIN_VALUE, NX}, {RDN, (two53 + 1) | Long.MIN_VALUE, NX}, {RUP, two53 | Long.MIN_VALUE, NX}});
        expect("2^53 + 3", (rm, f) -> Fp64.fromInt64((1L << 53) + 3, rm, f), new long[][] {
            {RNE, two53 + 2, NX}, {RTZ, two53 + 1, NX}, {RMM, two53 + 2, NX}});
        expect("Long.MAX", (rm, f) -> Fp64.fromInt64(Long.MAX_VALUE, rm, f), new long[][] {
            {RNE, d(0x1p63), NX}, {RTZ, d(0x1p63) - 1, NX}, {RDN, d(0x1p63) - 1, NX}, {RUP, d(0x1p63), NX}, {RMM, d(0x1p63), NX}});
        all("Long.MIN", (rm, f) -> Fp64.fromInt64(Long.MIN_VALUE, rm, f), d(-0x1p63), 0);
        all("0", (rm, f) -> Fp64.fromInt64(0, rm, f), 0, 0);
        expect("u 2^64 - 1", (rm, f) -> Fp64.fromUint64(-1L, rm, f), new long[][] {
            {RNE, d(0x1p64), NX}, {RTZ, d(0x1p64) - 1, NX}, {RUP, d(0x1p64), NX}});
        assertEquals(d(-0x1p31), Fp64.fromInt32(Integer.MIN_VALUE));
        assertEquals(d(0x1p32 - 1), Fp64.fromUint32(-1));
        long s24 = s(0x1p24f) & 0xffff_ffffL;
        expect("float 2^24 + 1", (rm, f) -> Fp32.fromInt32((1 << 24) + 1, rm, f) & 0xffff_ffffL, new long[][] {
            {RNE, s24, NX}, {RTZ, s24, NX}, {RDN, s24, NX}, {RUP, s24 + 1, NX}, {RMM, s24 + 1, NX}});
        expect("float Integer.MAX", (rm, f) -> Fp32.fromInt32(Integer.MAX_VALUE, rm, f), new long[][] {
            {RNE, 0x4f00_0000, NX}, {RTZ, 0x4eff_ffff, NX}, {RUP, 0x4f00_0000, NX}});
        all("float Integer.MIN", (rm, f) -> Fp32.fromInt32(Integer.MIN_VALUE, rm, f), 0xcf00_0000L | 0xffff_ffff_0000_0000L, 0);
        expect("float u 2^32 - 1", (rm, f) -> Fp32.fromUint32(-1, rm, f), new long[][] {
            {RNE, 0x4f80_0000, NX}, {RTZ, 0x4f7f_ffff, NX}});
        expect("float Long.MAX", (rm, f) -> Fp32.fromInt64(Long.MAX_VALUE, rm, f), new long[][] {
            {RNE, 0x5f00_0000, NX}, {RTZ, 0x5eff_ffff, NX}});
        expect("float u 2^64 - 1", (rm, f) -> Fp32.fromUint64(-1L, rm, f), new long[][] {
            {RNE, 0x5f80_0000, NX}, {RDN, 0x5f7f_ffff, NX}});
        all("float 0", (rm, f) -> Fp32.fromInt64(0, rm, f), 0, 0);
    }
}
