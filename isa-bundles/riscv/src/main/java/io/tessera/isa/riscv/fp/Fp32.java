package io.tessera.isa.riscv.fp;

import static io.tessera.isa.riscv.fp.FpRounding.RDN;
import static io.tessera.isa.riscv.fp.FpRounding.RNE;

/**
 * IEEE 754-2008 binary32 arithmetic with RISC-V F-extension semantics, on raw encodings.
 *
 * <p>Every operation is correctly rounded in the given mode ({@link FpRounding}), ORs the
 * exception flags it raises into {@code f} (tininess is detected after rounding; underflow is
 * raised only for a tiny inexact result; overflow raises OF and NX), returns the canonical NaN
 * {@link #CANONICAL_NAN} for every NaN result, and raises NV for a signaling NaN operand.
 *
 * <p>Implementation: operands are widened to binary64 exactly and the operation is done there
 * (the product of two binary32 numbers, and their fused multiply-add's product, are exact in
 * binary64), together with the exact side of the binary64 result's error where it matters
 * (Fast2Sum for sums; quotients and square roots of binary32 numbers are never close enough to a
 * binary32 rounding boundary for it to matter). In round-to-nearest-even the binary64 result narrowed by the host
 * is already correctly rounded for add, sub, mul, div and sqrt (binary64 has more than 2p + 2
 * bits), and for a fused multiply-add unless the binary64 result falls exactly halfway between
 * two binary32 numbers; everything else (other modes, possibly tiny results) is narrowed by an
 * exact integer rounding that knows the error's side. Nothing allocates.
 */
public final class Fp32 {

    /** The canonical NaN, which RISC-V returns for every NaN result. */
    public static final int CANONICAL_NAN = 0x7fc0_0000;

    static final int SIGN = 0x8000_0000;
    static final int EXP = 0x7f80_0000;
    static final int FRAC = 0x007f_ffff;
    static final int QUIET = 0x0040_0000;

    /** Binary64 results at least this large narrow to normal binary32 numbers that cannot be tiny. */
    private static final double SAFE_MIN = 0x1p-125;

    private Fp32() {
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Tests for a NaN.
     *
     * @param a an encoding
     * @return whether it is a NaN (quiet or signaling)
     */
    public static boolean isNaN(int a) {
        return (a & ~SIGN) > EXP;
    }

    /**
     * Tests for a signaling NaN.
     *
     * @param a an encoding
     * @return whether it is a signaling NaN
     */
    public static boolean isSignalingNaN(int a) {
        return (a & ~SIGN) > EXP && (a & QUIET) == 0;
    }

    private static boolean isInf(int a) {
        return (a & ~SIGN) == EXP;
    }

    private static boolean isZero(int a) {
        return (a & ~SIGN) == 0;
    }

    private static double wide(int a) {
        return Float.intBitsToFloat(a);
    }

    private static int nan2(int a, int b, FpFlags f) {
        if (isSignalingNaN(a) || isSignalingNaN(b)) {
            f.flags |= FpFlags.NV;
        }
        return CANONICAL_NAN;
    }

    private static int invalid(FpFlags f) {
        f.flags |= FpFlags.NV;
        return CANONICAL_NAN;
    }

    /**
     * Narrows d, a finite nonzero binary64 value, when the exact result lies on the given side
     * of it ({@code side} &gt; 0: above, &lt; 0: below, 0: d is exact) and within half a
     * binary64 ulp.
     *
     * @param rneSafe whether, in RNE, the host's narrowing of d is known correct
     */
    private static int narrow(double d, int side, boolean rneSafe, int rm, FpFlags f) {
        if (rm == RNE && rneSafe && Math.abs(d) >= SAFE_MIN) {
            float r = (float) d;
            if (side != 0 || r != d) {
                f.flags |= Float.isInfinite(r) ? FpFlags.OF | FpFlags.NX : FpFlags.NX;
            }
            return Float.floatToRawIntBits(r);
        }
        return narrowExact(d, side, rm, f);
    }

    /**
     * The exact narrowing: the exact value x lies strictly between d and its binary64
     * neighbour on the given side, where no binary32 number or rounding boundary lies, so
     * d +- a quarter of its ulp stands for it (two more bits, the last one nonzero).
     */
    private static int narrowExact(double d, int side, int rm, FpFlags f) {
        long b = Double.doubleToRawLongBits(d);
        boolean neg = b < 0;
        int e = (int) (b >>> 52) & 0x7ff;
        long sig = (b & Fp64.FRAC) | (e != 0 ? Fp64.HIDDEN : 0);
        int exp = (e != 0 ? e : 1) - 1075;
        if (side != 0) {
            sig = (sig << 2) + (neg ? -side : side);
            exp -= 2;
        }
        return (int) Rounder.roundPack(false, neg, exp, sig, rm, f);
    }

    private static int side(double rem) {
        return rem > 0 ? 1 : rem < 0 ? -1 : 0;
    }

    // ---------------------------------------------------------------- add, sub

    /**
     * fadd.s: {@code a + b}.
     *
     * @param a first operand (binary32 encoding)
     * @param b second operand
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded sum
     */
    public static int add(int a, int b, int rm, FpFlags f) {
        double x = wide(a);
        double y = wide(b);
        double d = x + y;
        if (Double.isFinite(d)) {
            if (d == 0) {                              // binary32 sums never underflow to zero in binary64
                if (rm == RDN) {
                    return (a | b) == 0 ? 0 : SIGN;
                }
                return Float.floatToRawIntBits((float) d);
            }
            if (rm == RNE && Math.abs(d) >= SAFE_MIN) {
                float r = (float) d;
                if (r != d || (Math.abs(x) >= Math.abs(y) ? y - (d - x) : x - (d - y)) != 0) {
                    f.flags |= Float.isInfinite(r) ? FpFlags.OF | FpFlags.NX : FpFlags.NX;
                }
                return Float.floatToRawIntBits(r);
            }
            double e = Math.abs(x) >= Math.abs(y) ? y - (d - x) : x - (d - y);
            return narrowExact(d, side(e), rm, f);
        }
        if (isNaN(a) || isNaN(b)) {
            return nan2(a, b, f);
        }
        if (Double.isNaN(d)) {
            return invalid(f);
        }
        return Float.floatToRawIntBits((float) d);     // an infinite operand
    }

    /**
     * fsub.s: {@code a - b}.
     *
     * @param a minuend (binary32 encoding)
     * @param b subtrahend
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded difference
     */
    public static int sub(int a, int b, int rm, FpFlags f) {
        return add(a, b ^ SIGN, rm, f);
    }

    // ---------------------------------------------------------------- mul, div, sqrt

    /**
     * fmul.s: {@code a * b}.
     *
     * @param a first factor (binary32 encoding)
     * @param b second factor
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded product
     */
    public static int mul(int a, int b, int rm, FpFlags f) {
        double x = wide(a);
        double y = wide(b);
        double d = x * y;                              // exact
        if (Double.isFinite(d)) {
            if (d == 0) {
                return Float.floatToRawIntBits((float) d);
            }
            return narrow(d, 0, true, rm, f);
        }
        if (isNaN(a) || isNaN(b)) {
            return nan2(a, b, f);
        }
        if (Double.isNaN(d)) {
            return invalid(f);                         // 0 * inf
        }
        return Float.floatToRawIntBits((float) d);
    }

    /**
     * fdiv.s: {@code a / b}. A finite nonzero dividend over zero raises DZ.
     *
     * @param a dividend (binary32 encoding)
     * @param b divisor
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded quotient
     */
    public static int div(int a, int b, int rm, FpFlags f) {
        double x = wide(a);
        double y = wide(b);
        double d = x / y;
        if (Double.isFinite(d)) {
            if (d == 0) {                              // 0 / y or x / inf: exact
                return Float.floatToRawIntBits((float) d);
            }
            // The exact quotient q of two binary32 numbers lies at least two binary64 ulps away
            // from every number g with at most 25 significant bits (binary32 numbers, the
            // midpoints between them, the overflow threshold) unless q == g: x - g*y is then a
            // nonzero multiple of 2^min(weight of x's last bit, weight of g's times y's), which
            // divided by y is that large. So d = RN64(q) is such a number only when q is exact
            // and equal to d: narrowing d as if exact rounds correctly in every mode, and is
            // inexact exactly when q is.
            return narrow(d, 0, true, rm, f);
        }
        if (isNaN(a) || isNaN(b)) {
            return nan2(a, b, f);
        }
        if (Double.isNaN(d)) {
            return invalid(f);                         // 0/0, inf/inf
        }
        if (y == 0 && !Double.isInfinite(x)) {
            f.flags |= FpFlags.DZ;
        }
        return Float.floatToRawIntBits((float) d);     // inf / finite, or x / 0
    }

    /**
     * fsqrt.s. The square root of -0 is -0; of anything else below zero, the canonical NaN with NV.
     *
     * @param a operand (binary32 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded square root
     */
    public static int sqrt(int a, int rm, FpFlags f) {
        double x = wide(a);
        if (x > 0 && x < Double.POSITIVE_INFINITY) {
            // As for division: sqrt(x) lies at least two binary64 ulps away from every number g
            // with at most 25 significant bits unless it equals g (x - g^2 is a nonzero multiple
            // of the weight of x's or g^2's last bit, and sqrt(x) - g = (x - g^2) / (sqrt(x) + g)),
            // so its binary64 rounding narrows correctly in every mode, as if exact. The result
            // is at least 2^-75: never tiny.
            return narrow(Math.sqrt(x), 0, true, rm, f);
        }
        if (isNaN(a)) {
            return nan2(a, a, f);
        }
        if (x == 0 || x > 0) {
            return a;
        }
        return invalid(f);
    }

    // ---------------------------------------------------------------- fused multiply-add

    /**
     * fmadd.s: {@code a * b + c} with a single rounding. Zero times infinity raises NV even
     * when {@code c} is a quiet NaN.
     *
     * @param a first factor (binary32 encoding)
     * @param b second factor
     * @param c addend
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded result
     */
    public static int fmadd(int a, int b, int c, int rm, FpFlags f) {
        return fma(a, b, c, rm, f);
    }

    /**
     * fmsub.s: {@code a * b - c} with a single rounding.
     *
     * @param a first factor (binary32 encoding)
     * @param b second factor
     * @param c subtrahend
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded result
     */
    public static int fmsub(int a, int b, int c, int rm, FpFlags f) {
        return fma(a, b, c ^ SIGN, rm, f);
    }

    /**
     * fnmsub.s: {@code -(a * b) + c} with a single rounding.
     *
     * @param a first factor (binary32 encoding)
     * @param b second factor
     * @param c addend
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded result
     */
    public static int fnmsub(int a, int b, int c, int rm, FpFlags f) {
        return fma(a ^ SIGN, b, c, rm, f);
    }

    /**
     * fnmadd.s: {@code -(a * b) - c} with a single rounding.
     *
     * @param a first factor (binary32 encoding)
     * @param b second factor
     * @param c subtrahend
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded result
     */
    public static int fnmadd(int a, int b, int c, int rm, FpFlags f) {
        return fma(a ^ SIGN, b, c ^ SIGN, rm, f);
    }

    private static int fma(int a, int b, int c, int rm, FpFlags f) {
        if ((a & EXP) == EXP || (b & EXP) == EXP || (c & EXP) == EXP) {
            return fmaSpecial(a, b, c, f);
        }
        double p = wide(a) * wide(b);                  // exact: 48 bits, within binary64's range
        double z = wide(c);
        double d = p + z;
        if (d == 0) {                                  // exact (no binary64 underflow here)
            if (rm == RDN) {
                return (Double.doubleToRawLongBits(p) == 0 && c == 0) ? 0 : SIGN;
            }
            return Float.floatToRawIntBits((float) d);
        }
        double e = Math.abs(p) >= Math.abs(z) ? z - (d - p) : p - (d - z);
        int side = side(e);
        // With an error, d may sit exactly halfway between two binary32 numbers while the exact
        // value does not: then the host's RNE narrowing would break a tie that is not one.
        boolean rneSafe = side == 0 || (Double.doubleToRawLongBits(d) & 0x1fff_ffffL) != 0x1000_0000L;
        return narrow(d, side, rneSafe, rm, f);
    }

    private static int fmaSpecial(int a, int b, int c, FpFlags f) {
        boolean invalid = isSignalingNaN(a) || isSignalingNaN(b) || isSignalingNaN(c)
                || (isInf(a) && isZero(b)) || (isZero(a) && isInf(b));
        if (invalid) {
            return invalid(f);
        }
        if (isNaN(a) || isNaN(b) || isNaN(c)) {
            return CANONICAL_NAN;
        }
        if (isInf(a) || isInf(b)) {
            int product = ((a ^ b) & SIGN) | EXP;
            if (isInf(c) && c != product) {
                return invalid(f);
            }
            return product;
        }
        return c;
    }

    // ---------------------------------------------------------------- min, max, compare, classify

    /**
     * fmin.s (IEEE 754-2019 minimumNumber): the lesser operand, -0 below +0; a NaN operand
     * gives the other one; two NaNs give the canonical NaN. A signaling NaN raises NV.
     *
     * @param a first operand (binary32 encoding)
     * @param b second operand
     * @param f flags to OR into
     * @return the minimum
     */
    public static int min(int a, int b, FpFlags f) {
        boolean an = isNaN(a);
        boolean bn = isNaN(b);
        if (an || bn) {
            int r = an && bn ? CANONICAL_NAN : an ? b : a;
            nan2(a, b, f);
            return r;
        }
        float x = Float.intBitsToFloat(a);
        float y = Float.intBitsToFloat(b);
        return x < y ? a : y < x ? b : a | b;
    }

    /**
     * fmax.s (IEEE 754-2019 maximumNumber): the greater operand, +0 above -0; a NaN operand
     * gives the other one; two NaNs give the canonical NaN. A signaling NaN raises NV.
     *
     * @param a first operand (binary32 encoding)
     * @param b second operand
     * @param f flags to OR into
     * @return the maximum
     */
    public static int max(int a, int b, FpFlags f) {
        boolean an = isNaN(a);
        boolean bn = isNaN(b);
        if (an || bn) {
            int r = an && bn ? CANONICAL_NAN : an ? b : a;
            nan2(a, b, f);
            return r;
        }
        float x = Float.intBitsToFloat(a);
        float y = Float.intBitsToFloat(b);
        return x > y ? a : y > x ? b : a & b;
    }

    /**
     * feq.s (quiet comparison): NV only for a signaling NaN operand.
     *
     * @param a first operand (binary32 encoding)
     * @param b second operand
     * @param f flags to OR into
     * @return 1 when a == b (+0 == -0), 0 otherwise or when either is a NaN
     */
    public static int eq(int a, int b, FpFlags f) {
        if (isNaN(a) || isNaN(b)) {
            nan2(a, b, f);
            return 0;
        }
        return Float.intBitsToFloat(a) == Float.intBitsToFloat(b) ? 1 : 0;
    }

    /**
     * flt.s (signaling comparison): NV for any NaN operand.
     *
     * @param a first operand (binary32 encoding)
     * @param b second operand
     * @param f flags to OR into
     * @return 1 when a &lt; b, 0 otherwise or when either is a NaN
     */
    public static int lt(int a, int b, FpFlags f) {
        if (isNaN(a) || isNaN(b)) {
            f.flags |= FpFlags.NV;
            return 0;
        }
        return Float.intBitsToFloat(a) < Float.intBitsToFloat(b) ? 1 : 0;
    }

    /**
     * fle.s (signaling comparison): NV for any NaN operand.
     *
     * @param a first operand (binary32 encoding)
     * @param b second operand
     * @param f flags to OR into
     * @return 1 when a &lt;= b, 0 otherwise or when either is a NaN
     */
    public static int le(int a, int b, FpFlags f) {
        if (isNaN(a) || isNaN(b)) {
            f.flags |= FpFlags.NV;
            return 0;
        }
        return Float.intBitsToFloat(a) <= Float.intBitsToFloat(b) ? 1 : 0;
    }

    /**
     * fclass.s: the one-hot 10-bit class mask. Bit 0 -inf, 1 negative normal, 2 negative
     * subnormal, 3 -0, 4 +0, 5 positive subnormal, 6 positive normal, 7 +inf, 8 signaling NaN,
     * 9 quiet NaN.
     *
     * @param a operand (binary32 encoding)
     * @return the mask
     */
    public static int classify(int a) {
        boolean neg = a < 0;
        int e = a & EXP;
        int frac = a & FRAC;
        int bit;
        if (e == EXP) {
            bit = frac == 0 ? (neg ? 0 : 7) : (frac & QUIET) != 0 ? 9 : 8;
        } else if (e == 0) {
            bit = frac == 0 ? (neg ? 3 : 4) : (neg ? 2 : 5);
        } else {
            bit = neg ? 1 : 6;
        }
        return 1 << bit;
    }

    // ---------------------------------------------------------------- conversions

    /**
     * fcvt.d.s: widens to binary64 (exact; a NaN gives the canonical NaN, NV if signaling).
     *
     * @param a operand (binary32 encoding)
     * @param f flags to OR into
     * @return the binary64 encoding
     */
    public static long toFp64(int a, FpFlags f) {
        if (isNaN(a)) {
            if (isSignalingNaN(a)) {
                f.flags |= FpFlags.NV;
            }
            return Fp64.CANONICAL_NAN;
        }
        return Double.doubleToRawLongBits(wide(a));
    }

    /**
     * fcvt.w.s: to a signed 32-bit integer, rounding in mode rm. NaN and values above the range
     * give 2^31 - 1, values below it -2^31, raising NV (and not NX); an in-range inexact
     * conversion raises NX.
     *
     * @param a operand (binary32 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the 32-bit result sign-extended to 64 bits, as RV64 writes it to the register
     */
    public static long toInt32(int a, int rm, FpFlags f) {
        return Conv.toInt32(wide(a), rm, f);
    }

    /**
     * fcvt.wu.s: to an unsigned 32-bit integer, rounding in mode rm. NaN and values above the
     * range give 2^32 - 1, values below it (after rounding) 0, raising NV; an in-range inexact
     * conversion raises NX.
     *
     * @param a operand (binary32 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the 32-bit result sign-extended to 64 bits (bit 31 copied up), as RV64 writes it
     */
    public static long toUint32(int a, int rm, FpFlags f) {
        return Conv.toUint32(wide(a), rm, f);
    }

    /**
     * fcvt.l.s: to a signed 64-bit integer, rounding in mode rm, saturating as
     * {@link #toInt32} does (NaN gives 2^63 - 1).
     *
     * @param a operand (binary32 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the result
     */
    public static long toInt64(int a, int rm, FpFlags f) {
        return Conv.toInt64(wide(a), rm, f);
    }

    /**
     * fcvt.lu.s: to an unsigned 64-bit integer, rounding in mode rm, saturating as
     * {@link #toUint32} does (NaN gives 2^64 - 1).
     *
     * @param a operand (binary32 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the result's 64 bits
     */
    public static long toUint64(int a, int rm, FpFlags f) {
        return Conv.toUint64(wide(a), rm, f);
    }

    /**
     * fcvt.s.w: from a signed 32-bit integer, rounding in mode rm (NX when inexact).
     *
     * @param v the integer (the low 32 bits of the source register)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the binary32 encoding
     */
    public static int fromInt32(int v, int rm, FpFlags f) {
        if (v >= -(1 << 24) && v <= 1 << 24) {
            return Float.floatToRawIntBits(v);
        }
        if (rm == RNE) {
            float r = v;                               // the JVM rounds to nearest even; |r| <= 2^31
            if ((long) r != v) {
                f.flags |= FpFlags.NX;
            }
            return Float.floatToRawIntBits(r);
        }
        return (int) Rounder.roundPack(false, v < 0, 0, Math.abs((long) v), rm, f);
    }

    /**
     * fcvt.s.wu: from an unsigned 32-bit integer, rounding in mode rm (NX when inexact).
     *
     * @param v the integer's 32 bits (the low 32 bits of the source register)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the binary32 encoding
     */
    public static int fromUint32(int v, int rm, FpFlags f) {
        long u = v & 0xffff_ffffL;
        if (u <= 1 << 24) {
            return Float.floatToRawIntBits(u);
        }
        return (int) Rounder.roundPack(false, false, 0, u, rm, f);
    }

    /**
     * fcvt.s.l: from a signed 64-bit integer, rounding in mode rm (NX when inexact).
     *
     * @param v the integer
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the binary32 encoding
     */
    public static int fromInt64(long v, int rm, FpFlags f) {
        if (v >= -(1L << 24) && v <= 1L << 24) {
            return Float.floatToRawIntBits(v);
        }
        if (rm == RNE) {
            float r = v;                               // the JVM rounds to nearest even
            if (r == 0x1p63f || (long) r != v) {       // (long) 2^63 would saturate to v = 2^63 - 1
                f.flags |= FpFlags.NX;
            }
            return Float.floatToRawIntBits(r);
        }
        return (int) Rounder.roundPack(false, v < 0, 0, v < 0 ? -v : v, rm, f);
    }

    /**
     * fcvt.s.lu: from an unsigned 64-bit integer, rounding in mode rm (NX when inexact).
     *
     * @param v the integer's 64 bits
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the binary32 encoding
     */
    public static int fromUint64(long v, int rm, FpFlags f) {
        if (v >= 0 && v <= 1L << 24) {
            return Float.floatToRawIntBits(v);
        }
        return (int) Rounder.roundPack(false, false, 0, v, rm, f);
    }

    // ---------------------------------------------------------------- sign injection

    /**
     * fsgnj.s: a's magnitude with b's sign (no flags, NaNs kept as they are).
     *
     * @param a magnitude source
     * @param b sign source
     * @return the result
     */
    public static int sgnj(int a, int b) {
        return (a & ~SIGN) | (b & SIGN);
    }

    /**
     * fsgnjn.s: a's magnitude with the opposite of b's sign.
     *
     * @param a magnitude source
     * @param b sign source
     * @return the result
     */
    public static int sgnjn(int a, int b) {
        return (a & ~SIGN) | (~b & SIGN);
    }

    /**
     * fsgnjx.s: a with its sign XOR-ed with b's.
     *
     * @param a magnitude source
     * @param b sign source
     * @return the result
     */
    public static int sgnjx(int a, int b) {
        return a ^ (b & SIGN);
    }
}
