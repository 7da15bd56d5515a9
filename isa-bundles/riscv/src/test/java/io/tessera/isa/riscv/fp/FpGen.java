package io.tessera.isa.riscv.fp;

import java.util.SplittableRandom;

/**
 * Random operands for one format, biased towards the encodings where arithmetic goes wrong:
 * zeros, subnormals, the normal/subnormal boundary, the overflow boundary, powers of two,
 * all-ones significands, short significands (which make exact results and exact ties common),
 * NaNs and infinities; and operands related to a first one (close exponents for cancellation
 * and alignment edges, half-ulp addends for ties, factors whose product lands at the underflow
 * or overflow threshold, addends that nearly cancel a product).
 */
final class FpGen {

    final RefFp fmt;
    final SplittableRandom rnd;
    private final int emaxField;
    private final long fracMask;

    FpGen(RefFp fmt, long seed) {
        this.fmt = fmt;
        this.rnd = new SplittableRandom(seed);
        this.emaxField = (1 << fmt.ebits) - 1;
        this.fracMask = (1L << fmt.fbits) - 1;
    }

    /** The number of random cases per operation and rounding mode (system property tessera.fp.cases). */
    static int cases(int dflt) {
        return Integer.getInteger("tessera.fp.cases", dflt);
    }

    /** The base seed (system property tessera.fp.seed). */
    static long seed() {
        return Long.getLong("tessera.fp.seed", 0x7e55e7a5eedL);
    }

    private long frac() {
        long f = rnd.nextLong() & fracMask;
        switch (rnd.nextInt(6)) {
            case 0 -> f &= ~((1L << rnd.nextInt(fmt.fbits + 1)) - 1);   // short significand
            case 1 -> f &= ~((1L << (fmt.fbits - rnd.nextInt(6))) - 1); // very short
            case 2 -> f |= (1L << rnd.nextInt(fmt.fbits + 1)) - 1;      // trailing ones
            default -> { }
        }
        return f;
    }

    private long pack(boolean neg, long e, long f) {
        return (neg ? fmt.signBit : 0) | (e << fmt.fbits) | (f & fracMask);
    }

    private long clampExp(long e) {
        return Math.max(1, Math.min(emaxField - 1, e));
    }

    /** A random operand. */
    long next() {
        boolean neg = rnd.nextBoolean();
        int bias = fmt.bias;
        return switch (rnd.nextInt(24)) {
            case 0 -> pack(neg, 0, 0);
            case 1 -> pack(neg, emaxField, 0);
            case 2 -> pack(neg, emaxField, (1L << (fmt.fbits - 1)) | (rnd.nextLong() & fracMask));
            case 3 -> {
                long f = rnd.nextLong() & (fracMask >>> 1);
                yield pack(neg, emaxField, f == 0 ? 1 : f);                // signaling NaN
            }
            case 4, 5 -> pack(neg, 0, frac() >>> rnd.nextInt(fmt.fbits));  // subnormal (or zero)
            case 6 -> pack(neg, 0, 1 + rnd.nextInt(8));                   // tiniest subnormals
            case 7, 8 -> pack(neg, 1 + rnd.nextInt(3), frac());           // just above the subnormals
            case 9, 10 -> pack(neg, emaxField - 1 - rnd.nextInt(3), frac()); // near overflow
            case 11 -> pack(neg, 1 + rnd.nextInt(emaxField - 1), 0);      // power of two
            case 12 -> pack(neg, rnd.nextBoolean() ? emaxField - 1 : 1 + rnd.nextInt(emaxField - 1), fracMask - rnd.nextInt(3));
            case 13 -> pack(neg, bias + rnd.nextInt(fmt.p + 2), frac());  // integers and near-integers
            case 14, 15, 16 -> pack(neg, bias - 40 + rnd.nextInt(80), frac());
            default -> pack(neg, 1 + rnd.nextInt(emaxField - 1), frac());
        };
    }

    /** A finite nonzero operand of moderate size (exponent within +-k of 0). */
    long moderate(int k) {
        return pack(rnd.nextBoolean(), fmt.bias - k + rnd.nextInt(2 * k + 1), frac());
    }

    /** A second addend related to a (close or aligned exponent, half-ulp ties, cancellation). */
    long addend(long a) {
        if (rnd.nextInt(4) == 0) {
            return next();
        }
        if (rnd.nextInt(8) == 0) {                                            // a sum near a boundary
            double x = host(a);
            double t = boundary();
            return jiggle(enc(x < 0 ? -t - x : t - x));
        }
        long ea = (a >>> fmt.fbits) & emaxField;
        if (ea == emaxField) {
            return next();
        }
        boolean neg = rnd.nextBoolean();
        return switch (rnd.nextInt(5)) {
            case 0 -> a ^ fmt.signBit ^ (rnd.nextLong() & 0xff & fracMask);       // cancellation
            case 1 -> {                                                         // half-ulp ties and below
                long eb = ea - fmt.p - rnd.nextInt(3);
                yield eb < 1 ? pack(neg, 0, frac() >>> rnd.nextInt(fmt.fbits)) : pack(neg, eb, rnd.nextInt(4) == 0 ? 0 : frac());
            }
            case 2 -> ea - fmt.p + 1 < 1 ? pack(neg, 0, 1L << rnd.nextInt(fmt.fbits)) : pack(neg, ea - fmt.p + 1, 0); // exactly ulp-sized
            default -> pack(neg, clampExp(ea - fmt.p - 4 + rnd.nextInt(fmt.p + 10)), frac());
        };
    }

    private double host(long bits) {
        return fmt.p == 24 ? Float.intBitsToFloat((int) bits) : Double.longBitsToDouble(bits);
    }

    private long enc(double v) {
        return fmt.p == 24 ? Float.floatToRawIntBits((float) v) & 0xffff_ffffL : Double.doubleToRawLongBits(v);
    }

    /** A few ulps either way. */
    private long jiggle(long bits) {
        long m = bits + rnd.nextInt(7) - 3;
        return m & (fmt.signBit | fmt.signBit - 1);
    }

    /** A boundary value: the largest finite number, the smallest normal one, or a small subnormal. */
    private double boundary() {
        return switch (rnd.nextInt(3)) {
            case 0 -> host(fmt.maxFinite);
            case 1 -> host(1L << fmt.fbits);
            default -> host(1 + rnd.nextInt(4));
        };
    }

    /** A second factor such that a * b lands near the underflow or overflow threshold or the subnormals. */
    long factor(long a) {
        long ea = (a >>> fmt.fbits) & emaxField;
        if (rnd.nextInt(3) == 0 || ea == 0 || ea == emaxField) {
            return next();
        }
        if (rnd.nextInt(3) == 0) {
            // b = boundary / a, give or take an ulp or three: a * b within ulps of the boundary
            double b = boundary() / host(a & ~fmt.signBit);
            return jiggle(enc(b)) ^ (rnd.nextBoolean() ? fmt.signBit : 0);
        }
        int bias = fmt.bias;
        long target = switch (rnd.nextInt(4)) {
            case 0 -> fmt.emin - rnd.nextInt(fmt.p + 3);            // product in the subnormals
            case 1 -> fmt.emin - 2 + rnd.nextInt(4);                // at the boundary
            case 2 -> fmt.emax - 1 + rnd.nextInt(3);                // at overflow
            default -> rnd.nextInt(2 * bias) - bias;
        };
        long eb = target - (ea - bias) + bias;
        if (eb < 1 || eb > emaxField - 1) {
            return next();
        }
        return pack(rnd.nextBoolean(), eb, frac());
    }

    /** A divisor such that a / b lands near the thresholds. */
    long divisor(long a) {
        long ea = (a >>> fmt.fbits) & emaxField;
        if (rnd.nextInt(3) == 0 || ea == 0 || ea == emaxField) {
            return next();
        }
        if (rnd.nextInt(3) == 0) {
            double b = host(a & ~fmt.signBit) / boundary();
            return jiggle(enc(b)) ^ (rnd.nextBoolean() ? fmt.signBit : 0);
        }
        int bias = fmt.bias;
        long target = switch (rnd.nextInt(4)) {
            case 0 -> fmt.emin - rnd.nextInt(fmt.p + 3);
            case 1 -> fmt.emin - 2 + rnd.nextInt(4);
            case 2 -> fmt.emax - 1 + rnd.nextInt(3);
            default -> rnd.nextInt(2 * bias) - bias;
        };
        long eb = (ea - bias) - target + bias;
        if (eb < 1 || eb > emaxField - 1) {
            return next();
        }
        return pack(rnd.nextBoolean(), eb, frac());
    }

    /**
     * An addend for a * b: random, near -(a*b) (cancellation), at or below half an ulp of the
     * product, or tiny.
     */
    long fmaAddend(long a, long b, long product) {
        long ep = (product >>> fmt.fbits) & emaxField;
        if (rnd.nextInt(4) == 0 || ep == emaxField || ep == 0) {
            return next();
        }
        boolean neg = rnd.nextBoolean();
        return switch (rnd.nextInt(6)) {
            case 5 -> {                                                   // a sum near a boundary
                double p = host(product);
                double t = boundary();
                yield jiggle(enc(p < 0 ? -t - p : t - p));
            }
            case 0 -> (product ^ fmt.signBit) ^ (rnd.nextLong() & 0x7);   // near-total cancellation
            case 1 -> product ^ fmt.signBit ^ (rnd.nextLong() & 0xffff & fracMask);
            case 2 -> pack(neg, clampExp(ep - fmt.p - rnd.nextInt(2 * fmt.p + 4)), rnd.nextInt(3) == 0 ? 0 : frac());
            case 3 -> pack(neg, 0, frac() >>> rnd.nextInt(fmt.fbits));
            default -> pack(neg, clampExp(ep - 3 + rnd.nextInt(7)), frac());
        };
    }

    /** An integer for int-to-float conversions, biased towards rounding boundaries and extremes. */
    long integer() {
        long v = switch (rnd.nextInt(8)) {
            case 0 -> rnd.nextInt(2001) - 1000;
            case 1 -> (1L << rnd.nextInt(64)) + rnd.nextInt(9) - 4;
            case 2 -> -(1L << rnd.nextInt(64)) + rnd.nextInt(9) - 4;
            case 3 -> {                                   // p+1..p+3 significant bits: ties and near ties
                int bits = fmt.p + 1 + rnd.nextInt(3);
                long m = (1L << (bits - 1)) | (rnd.nextLong() & ((1L << (bits - 1)) - 1));
                yield m << rnd.nextInt(64 - bits + 1);
            }
            case 4 -> rnd.nextBoolean() ? Long.MIN_VALUE + rnd.nextInt(4) : Long.MAX_VALUE - rnd.nextInt(4);
            case 5 -> rnd.nextInt();
            default -> rnd.nextLong() >> rnd.nextInt(64);
        };
        return v;
    }

    /** A value near an integer conversion boundary or a half-integer, as an encoding of this format. */
    long nearInteger() {
        double[] bases = {0, 1, 2, 0x1p31, 0x1p32, 0x1p63, 0x1p64, 0x1p24, 0x1p53, 1e6};
        double base = bases[rnd.nextInt(bases.length)];
        double off = switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 0.5;
            case 2 -> rnd.nextInt(9) - 4;
            case 3 -> rnd.nextInt(9) - 4 + 0.5;
            case 4 -> rnd.nextDouble() * 4 - 2;
            default -> (rnd.nextInt(9) - 4) * 0.25;
        };
        double v = base + off;
        if (rnd.nextBoolean()) {
            v = -v;
        }
        if (rnd.nextInt(4) == 0) {
            v = rnd.nextBoolean() ? Math.nextUp(v) : Math.nextDown(v);
        }
        if (fmt.p == 24) {
            float fv = (float) v;
            if (rnd.nextInt(4) == 0) {
                fv = rnd.nextBoolean() ? Math.nextUp(fv) : Math.nextDown(fv);
            }
            return Float.floatToRawIntBits(fv) & 0xffff_ffffL;
        }
        return Double.doubleToRawLongBits(v);
    }
}
