package io.tessera.isa.riscv.fp;

import static io.tessera.isa.riscv.fp.FpRounding.RDN;
import static io.tessera.isa.riscv.fp.FpRounding.RMM;
import static io.tessera.isa.riscv.fp.FpRounding.RNE;
import static io.tessera.isa.riscv.fp.FpRounding.RTZ;
import static io.tessera.isa.riscv.fp.FpRounding.RUP;

/**
 * IEEE 754-2008 binary64 arithmetic with RISC-V D-extension semantics, on raw encodings.
 *
 * <p>Every operation is correctly rounded in the given mode ({@link FpRounding}), ORs the
 * exception flags it raises into {@code f} (tininess is detected after rounding; underflow is
 * raised only for a tiny inexact result; overflow raises OF and NX), returns the canonical NaN
 * {@link #CANONICAL_NAN} for every NaN result, and raises NV for a signaling NaN operand.
 *
 * <p>Implementation: the host's correctly rounded binary64 arithmetic gives the
 * round-to-nearest-even result; an exact error term (Fast2Sum, or a residual from
 * {@link Math#fma}) gives inexactness and the side of the exact value, from which the directed
 * modes and RMM move the result by at most one unit in the last place. Results that may be
 * tiny, fused multiply-adds the fast path cannot certify, and conversions go through an exact
 * integer path ({@code Rounder}). Nothing allocates.
 */
public final class Fp64 {

    /** The canonical NaN, which RISC-V returns for every NaN result. */
    public static final long CANONICAL_NAN = 0x7ff8_0000_0000_0000L;

    static final long SIGN = 0x8000_0000_0000_0000L;
    static final long EXP = 0x7ff0_0000_0000_0000L;
    static final long FRAC = 0x000f_ffff_ffff_ffffL;
    static final long HIDDEN = 0x0010_0000_0000_0000L;
    static final long QUIET = 0x0008_0000_0000_0000L;
    private static final long ONE = 0x3ff0_0000_0000_0000L;

    /** Results at least this large in magnitude are normal and cannot be tiny, even after a one-ulp move. */
    private static final double SAFE_MIN = 0x1p-1021;

    private Fp64() {
    }

    // ---------------------------------------------------------------- classification helpers

    /**
     * Tests for a NaN.
     *
     * @param a an encoding
     * @return whether it is a NaN (quiet or signaling)
     */
    public static boolean isNaN(long a) {
        return (a & ~SIGN) > EXP;
    }

    /**
     * Tests for a signaling NaN.
     *
     * @param a an encoding
     * @return whether it is a signaling NaN
     */
    public static boolean isSignalingNaN(long a) {
        return (a & ~SIGN) > EXP && (a & QUIET) == 0;
    }

    private static boolean isInf(long a) {
        return (a & ~SIGN) == EXP;
    }

    private static boolean isZero(long a) {
        return (a & ~SIGN) == 0;
    }

    private static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    private static double val(long a) {
        return Double.longBitsToDouble(a);
    }

    /** The canonical NaN, raising NV when either operand is a signaling NaN. */
    private static long nan2(long a, long b, FpFlags f) {
        if (isSignalingNaN(a) || isSignalingNaN(b)) {
            f.flags |= FpFlags.NV;
        }
        return CANONICAL_NAN;
    }

    private static long invalid(FpFlags f) {
        f.flags |= FpFlags.NV;
        return CANONICAL_NAN;
    }

    /** Biased exponent field, with subnormals and zero counted as 1 (the weight of their last bit is 2^-1074). */
    private static int expField(long a) {
        int e = (int) (a >>> 52) & 0x7ff;
        return e == 0 ? 1 : e;
    }

    /** The integer significand (hidden bit included) of a finite encoding. */
    private static long significand(long a) {
        return (a & EXP) == 0 ? a & FRAC : (a & FRAC) | HIDDEN;
    }

    /** The exponent of the significand's last bit (finite encodings): value = significand * 2^ulpExp. */
    private static int ulpExp(long a) {
        return expField(a) - 1075;
    }

    // ---------------------------------------------------------------- fast-path rounding

    /**
     * Moves {@code r}, the round-to-nearest-even result of an exact value {@code r + e}, to the
     * result in mode rm. {@code e} is the exact, nonzero error; |r| is at least 2^-1021.
     */
    private static double roundWithError(double r, double e, int rm, FpFlags f) {
        f.flags |= FpFlags.NX;
        double res = switch (rm) {
            case RNE -> r;
            case RTZ -> (e < 0) == (r > 0) ? towardZero(r) : r;
            case RDN -> e < 0 ? Math.nextDown(r) : r;
            case RUP -> e > 0 ? Math.nextUp(r) : r;
            case RMM -> {
                if ((e > 0) == (r > 0)) {
                    double n = e > 0 ? Math.nextUp(r) : Math.nextDown(r);
                    if (n - r == e + e) {
                        yield n;                       // a tie, which RNE broke towards zero
                    }
                }
                yield r;
            }
            default -> throw FpRounding.invalid(rm);
        };
        if (Double.isInfinite(res)) {
            f.flags |= FpFlags.OF;
        }
        return res;
    }

    /**
     * As {@link #roundWithError} when only the side of the exact value is known
     * ({@code side} > 0: above r), for operations whose exact result is never halfway
     * between two normal binary64 numbers (division, square root).
     */
    private static double roundBySide(double r, int side, int rm, FpFlags f) {
        f.flags |= FpFlags.NX;
        double res = switch (rm) {
            case RNE, RMM -> r;
            case RTZ -> (side < 0) == (r > 0) ? towardZero(r) : r;
            case RDN -> side < 0 ? Math.nextDown(r) : r;
            case RUP -> side > 0 ? Math.nextUp(r) : r;
            default -> throw FpRounding.invalid(rm);
        };
        if (Double.isInfinite(res)) {
            f.flags |= FpFlags.OF;
        }
        return res;
    }

    private static double towardZero(double r) {
        return r > 0 ? Math.nextDown(r) : Math.nextUp(r);
    }

    // ---------------------------------------------------------------- add, sub

    /**
     * fadd.d: {@code a + b}.
     *
     * @param a first operand (binary64 encoding)
     * @param b second operand
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded sum
     */
    public static long add(long a, long b, int rm, FpFlags f) {
        double x = val(a);
        double y = val(b);
        double r = x + y;
        if (Double.isFinite(r)) {
            if (rm == RNE) {
                // Exact iff r - x == y and r - y == x: whichever operand is the larger, r minus it
                // is computed exactly (Dekker), so that comparison alone decides; the other one
                // holds whenever the sum is exact. (Evaluated without branches.)
                if (!((r - x == y) & (r - y == x))) {
                    f.flags |= FpFlags.NX;             // an inexact sum is at least 2^-1021: never tiny
                }
                return bits(r);
            }
            // Fast2Sum: with |big| >= |small| the error of r is exactly small - (r - big).
            double e = Math.abs(x) >= Math.abs(y) ? y - (r - x) : x - (r - y);
            if (e == 0) {
                if (r == 0 && rm == RDN) {
                    return (a | b) == 0 ? 0 : SIGN;  // an exact zero sum is -0 unless both are +0
                }
                return bits(r);
            }
            // An inexact sum of binary64 numbers is at least 2^-1021 in magnitude: never tiny.
            return bits(roundWithError(r, e, rm, f));
        }
        if (isNaN(a) || isNaN(b)) {
            return nan2(a, b, f);
        }
        if (Double.isNaN(r)) {
            return invalid(f);                         // inf - inf
        }
        if (isInf(a) || isInf(b)) {
            return bits(r);
        }
        // Beyond the RNE overflow threshold: RNE and RMM overflow; the other modes overflow only
        // from 2^1024 up, so leave them to the exact path (a*1 + b).
        return rm == RNE ? Rounder.overflow(true, r < 0, rm, f) : fmaSlow(a, ONE, b, rm, f);
    }

    /**
     * fsub.d: {@code a - b}.
     *
     * @param a minuend (binary64 encoding)
     * @param b subtrahend
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded difference
     */
    public static long sub(long a, long b, int rm, FpFlags f) {
        return add(a, b ^ SIGN, rm, f);
    }

    // ---------------------------------------------------------------- mul

    /**
     * fmul.d: {@code a * b}.
     *
     * @param a first factor (binary64 encoding)
     * @param b second factor
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded product
     */
    public static long mul(long a, long b, int rm, FpFlags f) {
        double x = val(a);
        double y = val(b);
        double r = x * y;
        if (Double.isFinite(r)) {
            // The error fma(x, y, -r) is exact when the product's last bit weighs at least 2^-1074.
            if (Math.abs(r) >= SAFE_MIN && expField(a) + expField(b) >= 1076) {
                double e = Math.fma(x, y, -r);
                return e == 0 ? bits(r) : bits(roundWithError(r, e, rm, f));
            }
            if (x == 0 || y == 0) {
                return bits(r);
            }
            return mulSlow(a, b, rm, f);
        }
        if (isNaN(a) || isNaN(b)) {
            return nan2(a, b, f);
        }
        if (Double.isNaN(r)) {
            return invalid(f);                         // 0 * inf
        }
        if (isInf(a) || isInf(b)) {
            return bits(r);
        }
        return rm == RNE ? Rounder.overflow(true, r < 0, rm, f) : mulSlow(a, b, rm, f);
    }

    /** a * b, both finite and nonzero, exactly rounded through a 106-bit product. */
    private static long mulSlow(long a, long b, int rm, FpFlags f) {
        long ma = significand(a);
        long mb = significand(b);
        return Rounder.roundPack128(true, (a ^ b) < 0, ulpExp(a) + ulpExp(b),
                Math.multiplyHigh(ma, mb), ma * mb, rm, f);
    }

    // ---------------------------------------------------------------- div

    /**
     * fdiv.d: {@code a / b}. A finite nonzero dividend over zero raises DZ.
     *
     * @param a dividend (binary64 encoding)
     * @param b divisor
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded quotient
     */
    public static long div(long a, long b, int rm, FpFlags f) {
        double x = val(a);
        double y = val(b);
        double q = x / y;
        if (Double.isFinite(q)) {
            // x is finite and y nonzero. The residual x - q*y is a multiple of
            // 2^min(ulpExp(x), ulpExp(y) + ulpExp(q)); when that is at least 2^-1074 the rounded
            // residual from fma is zero exactly when the quotient is exact, and has its sign.
            if (Math.abs(q) >= SAFE_MIN && expField(b) + expField(bits(q)) >= 1076) {
                double rem = Math.fma(-q, y, x);
                if (rem == 0) {
                    return bits(q);
                }
                return bits(roundBySide(q, (rem > 0) == (y > 0) ? 1 : -1, rm, f));
            }
            if (x == 0 || Double.isInfinite(y)) {
                return bits(q);
            }
            return divSlow(a, b, rm, f);
        }
        if (isNaN(a) || isNaN(b)) {
            return nan2(a, b, f);
        }
        if (Double.isNaN(q)) {
            return invalid(f);                         // 0/0, inf/inf
        }
        if (isInf(a)) {
            return bits(q);
        }
        if (y == 0) {
            f.flags |= FpFlags.DZ;
            return bits(q);
        }
        return rm == RNE ? Rounder.overflow(true, q < 0, rm, f) : divSlow(a, b, rm, f);
    }

    /** a / b, both finite and nonzero, through a 60-bit integer quotient and a sticky bit. */
    private static long divSlow(long a, long b, int rm, FpFlags f) {
        long ma = significand(a);
        long mb = significand(b);
        int ea = ulpExp(a);
        int eb = ulpExp(b);
        int na = Long.numberOfLeadingZeros(ma) - 11;   // normalize both to [2^52, 2^53)
        int nb = Long.numberOfLeadingZeros(mb) - 11;
        ma <<= na;
        ea -= na;
        mb <<= nb;
        eb -= nb;
        long q = 0;
        long r = ma;
        for (int i = 0; i < 6; i++) {                  // q = floor(ma * 2^60 / mb), 10 bits a step
            r <<= 10;
            q = (q << 10) + r / mb;
            r %= mb;
        }
        return Rounder.roundPack(true, (a ^ b) < 0, ea - eb - 60, q | (r != 0 ? 1 : 0), rm, f);
    }

    // ---------------------------------------------------------------- sqrt

    /**
     * fsqrt.d. The square root of -0 is -0; of anything else below zero, the canonical NaN with NV.
     *
     * @param a operand (binary64 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded square root
     */
    public static long sqrt(long a, int rm, FpFlags f) {
        double x = val(a);
        if (x > 0 && x < Double.POSITIVE_INFINITY) {
            // Scale tiny operands by an even power of two so that the residual x - r*r is a
            // multiple of at least 2^-1074 (its fma rounding then keeps its sign).
            boolean scaled = x < 0x1p-900;
            double xs = scaled ? x * 0x1p1000 : x;
            double r = Math.sqrt(xs);
            double rem = Math.fma(-r, r, xs);
            if (rem != 0) {
                r = roundBySide(r, rem > 0 ? 1 : -1, rm, f);   // a square root is never a tie
            }
            return bits(scaled ? r * 0x1p-500 : r);
        }
        if (isNaN(a)) {
            return nan2(a, a, f);
        }
        if (x == 0 || x > 0) {
            return a;                                  // +-0, +inf
        }
        return invalid(f);
    }

    // ---------------------------------------------------------------- fused multiply-add

    /**
     * fmadd.d: {@code a * b + c} with a single rounding. Zero times infinity raises NV even
     * when {@code c} is a quiet NaN.
     *
     * @param a first factor (binary64 encoding)
     * @param b second factor
     * @param c addend
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded result
     */
    public static long fmadd(long a, long b, long c, int rm, FpFlags f) {
        return fma(a, b, c, rm, f);
    }

    /**
     * fmsub.d: {@code a * b - c} with a single rounding.
     *
     * @param a first factor (binary64 encoding)
     * @param b second factor
     * @param c subtrahend
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded result
     */
    public static long fmsub(long a, long b, long c, int rm, FpFlags f) {
        return fma(a, b, c ^ SIGN, rm, f);
    }

    /**
     * fnmsub.d: {@code -(a * b) + c} with a single rounding.
     *
     * @param a first factor (binary64 encoding)
     * @param b second factor
     * @param c addend
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded result
     */
    public static long fnmsub(long a, long b, long c, int rm, FpFlags f) {
        return fma(a ^ SIGN, b, c, rm, f);
    }

    /**
     * fnmadd.d: {@code -(a * b) - c} with a single rounding.
     *
     * @param a first factor (binary64 encoding)
     * @param b second factor
     * @param c subtrahend
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the rounded result
     */
    public static long fnmadd(long a, long b, long c, int rm, FpFlags f) {
        return fma(a ^ SIGN, b, c ^ SIGN, rm, f);
    }

    private static long fma(long a, long b, long c, int rm, FpFlags f) {
        if ((a & EXP) == EXP || (b & EXP) == EXP || (c & EXP) == EXP) {
            return fmaSpecial(a, b, c, f);
        }
        double x = val(a);
        double y = val(b);
        double z = val(c);
        if (x == 0 || y == 0) {
            if (z != 0) {
                return c;
            }
            boolean pneg = (a ^ b) < 0;
            if (pneg == (c < 0)) {
                return c;                              // same-signed zeros
            }
            return rm == RDN ? SIGN : 0;
        }
        if (z == 0) {
            return mul(a, b, rm, f);                   // a*b is exact and nonzero: its rounding is the result
        }
        long sa = significand(a);
        long sb = significand(b);
        int lsbA = ulpExp(a) + Long.numberOfTrailingZeros(sa);
        int lsbB = ulpExp(b) + Long.numberOfTrailingZeros(sb);
        int lsbP = lsbA + lsbB;                        // weight of the exact product's last 1 bit
        // The product of odd parts with i and j bits has at most i + j bits.
        int productBits = (64 - Long.numberOfLeadingZeros(sa) - Long.numberOfTrailingZeros(sa))
                + (64 - Long.numberOfLeadingZeros(sb) - Long.numberOfTrailingZeros(sb));
        if (productBits <= 53 && lsbP >= -1074) {
            double p = x * y;                          // exact unless it overflows
            if (Double.isFinite(p)) {
                return add(bits(p), c, rm, f);
            }
        }
        if (rm == RNE) {
            double r = Math.fma(x, y, z);
            if (Math.abs(r) >= SAFE_MIN) {
                if (Double.isInfinite(r)) {
                    return Rounder.overflow(true, r < 0, rm, f);
                }
                // When the last 1 bits of a*b and c differ in weight, the exact sum's last 1 bit
                // is the lower of them, L. Were the sum exact it would be r, whose bits span
                // getExponent(r) - L + 1 <= 53; so a wider span proves it inexact.
                int lsbC = ulpExp(c) + Long.numberOfTrailingZeros(significand(c));
                if (lsbP != lsbC && Math.getExponent(r) - Math.min(lsbP, lsbC) >= 53) {
                    f.flags |= FpFlags.NX;
                    return bits(r);
                }
            }
        }
        return fmaSlow(a, b, c, rm, f);
    }

    /** a*b + c for finite nonzero a, b, c, exactly in 128-bit integers. */
    private static long fmaSlow(long a, long b, long c, int rm, FpFlags f) {
        boolean pneg = (a ^ b) < 0;
        boolean cneg = c < 0;
        long ma = significand(a);
        long mb = significand(b);
        long mc = significand(c);
        // Product, normalized so that its top bit is bit 125 of the 128-bit ph:pl.
        long ph = Math.multiplyHigh(ma, mb);
        long pl = ma * mb;
        int np = ph != 0 ? 128 - Long.numberOfLeadingZeros(ph) : 64 - Long.numberOfLeadingZeros(pl);
        int sp = 126 - np;
        if (sp >= 64) {
            ph = pl << (sp - 64);
            pl = 0;
        } else if (sp > 0) {
            ph = (ph << sp) | (pl >>> (64 - sp));
            pl <<= sp;
        }
        int ep = ulpExp(a) + ulpExp(b) - sp;
        // Addend, likewise (at most 53 bits, so the shift is at least 73).
        int sc = 126 - (64 - Long.numberOfLeadingZeros(mc));
        long ch = mc << (sc - 64);
        long cl = 0;
        int ec = ulpExp(c) - sc;
        // Big = the one with the higher exponent; shift the other right onto it, jamming the
        // bits shifted out into bit 0. When the shift exceeds 1 the result keeps its top bit at
        // 124 or above, so the jammed bit is far below the rounding position.
        long bh;
        long bl;
        long sh;
        long sl;
        boolean bneg;
        boolean sneg;
        int d;
        int e;
        if (ep >= ec) {
            bh = ph; bl = pl; bneg = pneg;
            sh = ch; sl = cl; sneg = cneg;
            d = ep - ec;
            e = ep;
        } else {
            bh = ch; bl = cl; bneg = cneg;
            sh = ph; sl = pl; sneg = pneg;
            d = ec - ep;
            e = ec;
        }
        if (d > 0) {
            long jam;
            if (d < 64) {
                jam = (sl << (64 - d)) != 0 ? 1 : 0;
                sl = (sl >>> d) | (sh << (64 - d));
                sh >>>= d;
            } else if (d < 128) {
                jam = (sl != 0 || (d > 64 && (sh << (128 - d)) != 0)) ? 1 : 0;
                sl = d == 64 ? sh : sh >>> (d - 64);
                sh = 0;
            } else {
                jam = (sh | sl) != 0 ? 1 : 0;
                sl = 0;
                sh = 0;
            }
            sl |= jam;
        }
        long rh;
        long rl;
        boolean neg;
        if (bneg == sneg) {
            rl = bl + sl;
            rh = bh + sh + (Long.compareUnsigned(rl, bl) < 0 ? 1 : 0);
            neg = bneg;
        } else {
            int cmp = bh != sh ? Long.compareUnsigned(bh, sh) : Long.compareUnsigned(bl, sl);
            if (cmp == 0) {
                return rm == RDN ? SIGN : 0;           // exact cancellation
            }
            if (cmp < 0) {
                long th = bh; bh = sh; sh = th;
                long tl = bl; bl = sl; sl = tl;
                neg = sneg;
            } else {
                neg = bneg;
            }
            rl = bl - sl;
            rh = bh - sh - (Long.compareUnsigned(bl, sl) < 0 ? 1 : 0);
        }
        return Rounder.roundPack128(true, neg, e, rh, rl, rm, f);
    }

    /** fma where a, b or c is infinite or NaN. */
    private static long fmaSpecial(long a, long b, long c, FpFlags f) {
        boolean invalid = isSignalingNaN(a) || isSignalingNaN(b) || isSignalingNaN(c)
                || (isInf(a) && isZero(b)) || (isZero(a) && isInf(b));
        if (invalid) {
            return invalid(f);
        }
        if (isNaN(a) || isNaN(b) || isNaN(c)) {
            return CANONICAL_NAN;
        }
        if (isInf(a) || isInf(b)) {
            long product = ((a ^ b) & SIGN) | EXP;
            if (isInf(c) && c != product) {
                return invalid(f);                     // inf - inf
            }
            return product;
        }
        return c;                                      // c is infinite, a*b finite
    }

    // ---------------------------------------------------------------- min, max, compare, classify

    /**
     * fmin.d (IEEE 754-2019 minimumNumber): the lesser operand, -0 below +0; a NaN operand
     * gives the other one; two NaNs give the canonical NaN. A signaling NaN raises NV.
     *
     * @param a first operand (binary64 encoding)
     * @param b second operand
     * @param f flags to OR into
     * @return the minimum
     */
    public static long min(long a, long b, FpFlags f) {
        boolean an = isNaN(a);
        boolean bn = isNaN(b);
        if (an || bn) {
            long r = an && bn ? CANONICAL_NAN : an ? b : a;
            nan2(a, b, f);
            return r;
        }
        double x = val(a);
        double y = val(b);
        return x < y ? a : y < x ? b : a | b;          // equal: -0 wins if either is -0
    }

    /**
     * fmax.d (IEEE 754-2019 maximumNumber): the greater operand, +0 above -0; a NaN operand
     * gives the other one; two NaNs give the canonical NaN. A signaling NaN raises NV.
     *
     * @param a first operand (binary64 encoding)
     * @param b second operand
     * @param f flags to OR into
     * @return the maximum
     */
    public static long max(long a, long b, FpFlags f) {
        boolean an = isNaN(a);
        boolean bn = isNaN(b);
        if (an || bn) {
            long r = an && bn ? CANONICAL_NAN : an ? b : a;
            nan2(a, b, f);
            return r;
        }
        double x = val(a);
        double y = val(b);
        return x > y ? a : y > x ? b : a & b;          // equal: +0 wins if either is +0
    }

    /**
     * feq.d (quiet comparison): NV only for a signaling NaN operand.
     *
     * @param a first operand (binary64 encoding)
     * @param b second operand
     * @param f flags to OR into
     * @return 1 when a == b (+0 == -0), 0 otherwise or when either is a NaN
     */
    public static int eq(long a, long b, FpFlags f) {
        if (isNaN(a) || isNaN(b)) {
            nan2(a, b, f);
            return 0;
        }
        return val(a) == val(b) ? 1 : 0;
    }

    /**
     * flt.d (signaling comparison): NV for any NaN operand.
     *
     * @param a first operand (binary64 encoding)
     * @param b second operand
     * @param f flags to OR into
     * @return 1 when a &lt; b, 0 otherwise or when either is a NaN
     */
    public static int lt(long a, long b, FpFlags f) {
        if (isNaN(a) || isNaN(b)) {
            f.flags |= FpFlags.NV;
            return 0;
        }
        return val(a) < val(b) ? 1 : 0;
    }

    /**
     * fle.d (signaling comparison): NV for any NaN operand.
     *
     * @param a first operand (binary64 encoding)
     * @param b second operand
     * @param f flags to OR into
     * @return 1 when a &lt;= b, 0 otherwise or when either is a NaN
     */
    public static int le(long a, long b, FpFlags f) {
        if (isNaN(a) || isNaN(b)) {
            f.flags |= FpFlags.NV;
            return 0;
        }
        return val(a) <= val(b) ? 1 : 0;
    }

    /**
     * fclass.d: the one-hot 10-bit class mask. Bit 0 -inf, 1 negative normal, 2 negative
     * subnormal, 3 -0, 4 +0, 5 positive subnormal, 6 positive normal, 7 +inf, 8 signaling NaN,
     * 9 quiet NaN.
     *
     * @param a operand (binary64 encoding)
     * @return the mask
     */
    public static int classify(long a) {
        boolean neg = a < 0;
        long e = a & EXP;
        long frac = a & FRAC;
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
     * fcvt.s.d: narrows to binary32.
     *
     * @param a operand (binary64 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the binary32 encoding
     */
    public static int toFp32(long a, int rm, FpFlags f) {
        double x = val(a);
        if (rm == RNE && Math.abs(x) >= 0x1p-125 && Math.abs(x) <= Double.MAX_VALUE) {
            float r = (float) x;
            if (r != x) {
                f.flags |= Float.isInfinite(r) ? FpFlags.OF | FpFlags.NX : FpFlags.NX;
            }
            return Float.floatToRawIntBits(r);
        }
        if ((a & EXP) == EXP) {
            if (isNaN(a)) {
                if (isSignalingNaN(a)) {
                    f.flags |= FpFlags.NV;
                }
                return Fp32.CANONICAL_NAN;
            }
            return a < 0 ? 0xff80_0000 : 0x7f80_0000;
        }
        if (x == 0) {
            return a < 0 ? 0x8000_0000 : 0;
        }
        return (int) Rounder.roundPack(false, a < 0, ulpExp(a), significand(a), rm, f);
    }

    /**
     * fcvt.w.d: to a signed 32-bit integer, rounding in mode rm. NaN and values above the range
     * give 2^31 - 1, values below it -2^31, raising NV (and not NX); an in-range inexact
     * conversion raises NX.
     *
     * @param a operand (binary64 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the 32-bit result sign-extended to 64 bits, as RV64 writes it to the register
     */
    public static long toInt32(long a, int rm, FpFlags f) {
        return Conv.toInt32(val(a), rm, f);
    }

    /**
     * fcvt.wu.d: to an unsigned 32-bit integer, rounding in mode rm. NaN and values above the
     * range give 2^32 - 1, values below it (after rounding) 0, raising NV; an in-range inexact
     * conversion raises NX.
     *
     * @param a operand (binary64 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the 32-bit result sign-extended to 64 bits (bit 31 copied up), as RV64 writes it
     */
    public static long toUint32(long a, int rm, FpFlags f) {
        return Conv.toUint32(val(a), rm, f);
    }

    /**
     * fcvt.l.d: to a signed 64-bit integer, rounding in mode rm, saturating as
     * {@link #toInt32} does (NaN gives 2^63 - 1).
     *
     * @param a operand (binary64 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the result
     */
    public static long toInt64(long a, int rm, FpFlags f) {
        return Conv.toInt64(val(a), rm, f);
    }

    /**
     * fcvt.lu.d: to an unsigned 64-bit integer, rounding in mode rm, saturating as
     * {@link #toUint32} does (NaN gives 2^64 - 1).
     *
     * @param a operand (binary64 encoding)
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the result's 64 bits
     */
    public static long toUint64(long a, int rm, FpFlags f) {
        return Conv.toUint64(val(a), rm, f);
    }

    /**
     * fcvt.d.w: from a signed 32-bit integer (always exact).
     *
     * @param v the integer (the low 32 bits of the source register)
     * @return the binary64 encoding
     */
    public static long fromInt32(int v) {
        return bits(v);
    }

    /**
     * fcvt.d.wu: from an unsigned 32-bit integer (always exact).
     *
     * @param v the integer's 32 bits (the low 32 bits of the source register)
     * @return the binary64 encoding
     */
    public static long fromUint32(int v) {
        return bits(v & 0xffff_ffffL);
    }

    /**
     * fcvt.d.l: from a signed 64-bit integer, rounding in mode rm (NX when inexact).
     *
     * @param v the integer
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the binary64 encoding
     */
    public static long fromInt64(long v, int rm, FpFlags f) {
        if (v >= -(1L << 53) && v <= 1L << 53) {
            return bits(v);
        }
        if (rm == RNE) {
            double d = v;                              // the JVM rounds to nearest even
            if (d == 0x1p63 || (long) d != v) {        // (long) 2^63 would saturate to v = 2^63 - 1
                f.flags |= FpFlags.NX;
            }
            return bits(d);
        }
        return Rounder.roundPack(true, v < 0, 0, v < 0 ? -v : v, rm, f);
    }

    /**
     * fcvt.d.lu: from an unsigned 64-bit integer, rounding in mode rm (NX when inexact).
     *
     * @param v the integer's 64 bits
     * @param rm rounding mode (0 to 4)
     * @param f flags to OR into
     * @return the binary64 encoding
     */
    public static long fromUint64(long v, int rm, FpFlags f) {
        if (v >= 0 && v <= 1L << 53) {
            return bits(v);
        }
        return Rounder.roundPack(true, false, 0, v, rm, f);
    }

    // ---------------------------------------------------------------- sign injection

    /**
     * fsgnj.d: a's magnitude with b's sign (no flags, NaNs kept as they are).
     *
     * @param a magnitude source
     * @param b sign source
     * @return the result
     */
    public static long sgnj(long a, long b) {
        return (a & ~SIGN) | (b & SIGN);
    }

    /**
     * fsgnjn.d: a's magnitude with the opposite of b's sign.
     *
     * @param a magnitude source
     * @param b sign source
     * @return the result
     */
    public static long sgnjn(long a, long b) {
        return (a & ~SIGN) | (~b & SIGN);
    }

    /**
     * fsgnjx.d: a with its sign XOR-ed with b's.
     *
     * @param a magnitude source
     * @param b sign source
     * @return the result
     */
    public static long sgnjx(long a, long b) {
        return a ^ (b & SIGN);
    }
}
