package io.tessera.isa.riscv.fp;

import java.math.BigInteger;

/**
 * A slow, independent reference model of RISC-V binary32/binary64 arithmetic for the tests:
 * operands are decoded into exact integers times powers of two, results are computed exactly
 * with BigInteger (rationals for division, integer square roots for sqrt) and rounded by hand
 * with the textbook definition of every rounding mode, overflow and tininess after rounding.
 *
 * <p>Encodings travel as {@code long} (binary32 in the low 32 bits); a result packs the
 * encoding and the flags into a {@link Res}.
 */
final class RefFp {

    /** binary32. */
    static final RefFp S = new RefFp(24, 8);
    /** binary64. */
    static final RefFp D = new RefFp(53, 11);

    /** A result: the encoding (or integer) and the flags raised. */
    record Res(long bits, int flags) {
        @Override
        public String toString() {
            return String.format("%016x %s", bits, FpFlags.toString(flags));
        }
    }

    static final int NV = 0x10, DZ = 0x08, OF = 0x04, UF = 0x02, NX = 0x01;
    static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;

    final int p;          // precision, hidden bit included
    final int ebits;
    final int fbits;
    final int bias;
    final int emin;
    final int emax;
    final long signBit;
    final long expField;  // all-ones exponent field, in place
    final long canonicalNaN;
    final long maxFinite;

    private RefFp(int p, int ebits) {
        this.p = p;
        this.ebits = ebits;
        this.fbits = p - 1;
        this.bias = (1 << (ebits - 1)) - 1;
        this.emin = 1 - bias;
        this.emax = bias;
        this.signBit = 1L << (ebits + fbits);
        this.expField = ((1L << ebits) - 1) << fbits;
        this.canonicalNaN = expField | (1L << (fbits - 1));
        this.maxFinite = expField - 1;
    }

    // ------------------------------------------------------------------ decoding

    /** Kinds of encodings. */
    enum Kind { FINITE, INF, QNAN, SNAN }

    /** A decoded operand: for FINITE, value = (neg ? -1 : 1) * sig * 2^exp (sig may be 0). */
    record V(Kind kind, boolean neg, BigInteger sig, int exp) {
        boolean nan() {
            return kind == Kind.QNAN || kind == Kind.SNAN;
        }

        boolean zero() {
            return kind == Kind.FINITE && sig.signum() == 0;
        }

        /** The signed exact integer n with value n * 2^exp. */
        BigInteger signed() {
            return neg ? sig.negate() : sig;
        }
    }

    V decode(long bits) {
        boolean neg = (bits & signBit) != 0;
        long e = (bits & expField) >>> fbits;
        long frac = bits & ((1L << fbits) - 1);
        if (e == (1L << ebits) - 1) {
            if (frac == 0) {
                return new V(Kind.INF, neg, BigInteger.ZERO, 0);
            }
            return new V((frac >>> (fbits - 1)) != 0 ? Kind.QNAN : Kind.SNAN, neg, BigInteger.ZERO, 0);
        }
        if (e == 0) {
            return new V(Kind.FINITE, neg, BigInteger.valueOf(frac), emin - fbits);
        }
        return new V(Kind.FINITE, neg, BigInteger.valueOf(frac | (1L << fbits)), (int) e - bias - fbits);
    }

    long zero(boolean neg) {
        return neg ? signBit : 0;
    }

    long inf(boolean neg) {
        return expField | (neg ? signBit : 0);
    }

    // ------------------------------------------------------------------ rounding

    /** round(num/den / 2^q) to an integer in mode rm for a value of the given sign; sets inex[0]. */
    static BigInteger roundAt(BigInteger num, BigInteger den, int q, boolean neg, int rm, boolean[] inex) {
        BigInteger n = q < 0 ? num.shiftLeft(-q) : num;
        BigInteger d = q > 0 ? den.shiftLeft(q) : den;
        BigInteger[] qr = n.divideAndRemainder(d);
        BigInteger m = qr[0];
        if (qr[1].signum() == 0) {
            return m;
        }
        inex[0] = true;
        int half = qr[1].shiftLeft(1).compareTo(d);
        boolean up = switch (rm) {
            case RNE -> half > 0 || (half == 0 && m.testBit(0));
            case RTZ -> false;
            case RDN -> neg;
            case RUP -> !neg;
            case RMM -> half >= 0;
            default -> throw new IllegalArgumentException();
        };
        return up ? m.add(BigInteger.ONE) : m;
    }

    long overflowResult(boolean neg, int rm) {
        boolean toInf = switch (rm) {
            case RNE, RMM -> true;
            case RTZ -> false;
            case RDN -> neg;
            case RUP -> !neg;
            default -> throw new IllegalArgumentException();
        };
        return toInf ? inf(neg) : (maxFinite | (neg ? signBit : 0));
    }

    /** Rounds the nonzero rational (neg ? -1 : 1) * num / den (num, den &gt; 0) into the format. */
    Res round(boolean neg, BigInteger num, BigInteger den, int rm) {
        // e = floor(log2(num/den))
        int e = num.bitLength() - den.bitLength();
        if (compareWithPow2(num, den, e) < 0) {
            e--;
        }
        int q = Math.max(e, emin) - (p - 1);
        boolean[] inex = new boolean[1];
        BigInteger m = roundAt(num, den, q, neg, rm, inex);
        int flags = 0;
        if (inex[0]) {
            flags |= NX;
            if (e < emin) {
                // tininess after rounding: round to p bits with an unbounded exponent
                BigInteger mu = roundAt(num, den, e - (p - 1), neg, rm, new boolean[1]);
                // result mu * 2^(e-p+1) < 2^emin  <=>  mu < 2^(emin - e + p - 1)
                if (mu.compareTo(BigInteger.ONE.shiftLeft(emin - e + p - 1)) < 0) {
                    flags |= UF;
                }
            }
        }
        if (m.signum() != 0 && m.bitLength() - 1 + q > emax) {
            return new Res(overflowResult(neg, rm), flags | OF | NX);
        }
        return new Res(encode(neg, m, q), flags);
    }

    Res round(BigInteger signedNum, BigInteger den, int rm) {
        return round(signedNum.signum() < 0, signedNum.abs(), den, rm);
    }

    /** Rounds the nonzero n * 2^e. */
    Res roundScaled(BigInteger n, int e, int rm) {
        return e >= 0 ? round(n.shiftLeft(e), BigInteger.ONE, rm) : round(n, BigInteger.ONE.shiftLeft(-e), rm);
    }

    private static int compareWithPow2(BigInteger num, BigInteger den, int e) {
        return e >= 0 ? num.compareTo(den.shiftLeft(e)) : num.shiftLeft(-e).compareTo(den);
    }

    long encode(boolean neg, BigInteger m, int q) {
        if (m.bitLength() > p) {
            if (m.bitLength() != p + 1 || m.getLowestSetBit() != p) {
                throw new AssertionError("bad significand " + m);
            }
            m = m.shiftRight(1);
            q++;
        }
        long s = neg ? signBit : 0;
        if (m.signum() == 0) {
            return s;
        }
        if (m.bitLength() == p) {
            long biased = q + p - 1 + bias;
            if (biased < 1 || biased >= (1L << ebits) - 1) {
                throw new AssertionError("exponent out of range");
            }
            return s | (biased << fbits) | (m.longValueExact() & ((1L << fbits) - 1));
        }
        if (q != emin - fbits) {
            throw new AssertionError("subnormal at wrong exponent " + q);
        }
        return s | m.longValueExact();
    }

    // ------------------------------------------------------------------ arithmetic

    private Res nanResult(boolean invalid) {
        return new Res(canonicalNaN, invalid ? NV : 0);
    }

    private static boolean anySnan(V... vs) {
        for (V v : vs) {
            if (v.kind() == Kind.SNAN) {
                return true;
            }
        }
        return false;
    }

    /** Exact sum of finite values as a signed integer at exponent min(ea, eb). */
    private static BigInteger[] exactSum(BigInteger na, int ea, BigInteger nb, int eb) {
        int e = Math.min(ea, eb);
        BigInteger s = na.shiftLeft(ea - e).add(nb.shiftLeft(eb - e));
        return new BigInteger[] {s, BigInteger.valueOf(e)};
    }

    Res add(long a, long b, int rm) {
        V x = decode(a);
        V y = decode(b);
        if (x.nan() || y.nan()) {
            return nanResult(anySnan(x, y));
        }
        if (x.kind() == Kind.INF || y.kind() == Kind.INF) {
            if (x.kind() == Kind.INF && y.kind() == Kind.INF && x.neg() != y.neg()) {
                return nanResult(true);
            }
            return new Res(inf(x.kind() == Kind.INF ? x.neg() : y.neg()), 0);
        }
        BigInteger[] s = exactSum(x.signed(), x.exp(), y.signed(), y.exp());
        if (s[0].signum() == 0) {
            if (x.zero() && y.zero() && x.neg() == y.neg()) {
                return new Res(zero(x.neg()), 0);
            }
            return new Res(zero(rm == RDN), 0);
        }
        return roundScaled(s[0], s[1].intValueExact(), rm);
    }

    Res sub(long a, long b, int rm) {
        return add(a, b ^ signBit, rm);
    }

    Res mul(long a, long b, int rm) {
        V x = decode(a);
        V y = decode(b);
        if (x.nan() || y.nan()) {
            return nanResult(anySnan(x, y));
        }
        boolean neg = x.neg() != y.neg();
        if (x.kind() == Kind.INF || y.kind() == Kind.INF) {
            if (x.zero() || y.zero()) {
                return nanResult(true);
            }
            return new Res(inf(neg), 0);
        }
        if (x.zero() || y.zero()) {
            return new Res(zero(neg), 0);
        }
        return roundScaled(x.signed().multiply(y.signed()), x.exp() + y.exp(), rm);
    }

    Res div(long a, long b, int rm) {
        V x = decode(a);
        V y = decode(b);
        if (x.nan() || y.nan()) {
            return nanResult(anySnan(x, y));
        }
        boolean neg = x.neg() != y.neg();
        if (x.kind() == Kind.INF) {
            return y.kind() == Kind.INF ? nanResult(true) : new Res(inf(neg), 0);
        }
        if (y.kind() == Kind.INF) {
            return new Res(zero(neg), 0);
        }
        if (y.zero()) {
            return x.zero() ? nanResult(true) : new Res(inf(neg), DZ);
        }
        if (x.zero()) {
            return new Res(zero(neg), 0);
        }
        // (sx * 2^ex) / (sy * 2^ey)
        BigInteger num = x.sig();
        BigInteger den = y.sig();
        int e = x.exp() - y.exp();
        if (e >= 0) {
            num = num.shiftLeft(e);
        } else {
            den = den.shiftLeft(-e);
        }
        return round(neg, num, den, rm);
    }

    Res sqrt(long a, int rm) {
        V x = decode(a);
        if (x.nan()) {
            return nanResult(x.kind() == Kind.SNAN);
        }
        if (x.zero()) {
            return new Res(a, 0);
        }
        if (x.neg()) {
            return nanResult(true);
        }
        if (x.kind() == Kind.INF) {
            return new Res(a, 0);
        }
        BigInteger n = x.sig();
        int e = x.exp();
        int log2 = n.bitLength() - 1 + e;
        int big = Math.floorDiv(log2, 2);   // floor(log2(sqrt(x)))
        int q = big - (p - 1);
        int k = e - 2 * q;                  // x / 2^(2q) = n * 2^k
        BigInteger m;
        boolean exact;
        int half;                           // sign of (sqrt - m) - 1/2
        BigInteger twoMPlus1Sq;
        if (k >= 0) {
            BigInteger i = n.shiftLeft(k);
            m = i.sqrt();
            exact = m.multiply(m).equals(i);
            twoMPlus1Sq = m.shiftLeft(1).add(BigInteger.ONE).pow(2);
            half = i.shiftLeft(2).compareTo(twoMPlus1Sq);
        } else {
            BigInteger i = n.shiftRight(-k);
            m = i.sqrt();
            exact = m.multiply(m).shiftLeft(-k).equals(n);
            twoMPlus1Sq = m.shiftLeft(1).add(BigInteger.ONE).pow(2);
            half = n.shiftLeft(2).compareTo(twoMPlus1Sq.shiftLeft(-k));
        }
        int flags = 0;
        if (!exact) {
            flags |= NX;
            boolean up = switch (rm) {
                case RNE -> half > 0 || (half == 0 && m.testBit(0));
                case RTZ, RDN -> false;
                case RUP -> true;
                case RMM -> half >= 0;
                default -> throw new IllegalArgumentException();
            };
            if (up) {
                m = m.add(BigInteger.ONE);
            }
        }
        return new Res(encode(false, m, q), flags);
    }

    /**
     * RISC-V fused multiply-add family: (negProduct ? -1 : 1) * a * b + (negAddend ? -1 : 1) * c.
     * fmadd (false, false), fmsub (false, true), fnmsub (true, false), fnmadd (true, true).
     */
    Res fma(long a, long b, long c, boolean negProduct, boolean negAddend, int rm) {
        V x = decode(a);
        V y = decode(b);
        V z = decode(c);
        boolean zeroTimesInf = (x.kind() == Kind.INF && y.zero()) || (x.zero() && y.kind() == Kind.INF);
        if (anySnan(x, y, z) || zeroTimesInf) {
            return nanResult(true);
        }
        if (x.nan() || y.nan() || z.nan()) {
            return nanResult(false);
        }
        boolean pneg = (x.neg() != y.neg()) != negProduct;
        boolean cneg = z.neg() != negAddend;
        boolean pinf = x.kind() == Kind.INF || y.kind() == Kind.INF;
        if (pinf) {
            if (z.kind() == Kind.INF && cneg != pneg) {
                return nanResult(true);
            }
            return new Res(inf(pneg), 0);
        }
        if (z.kind() == Kind.INF) {
            return new Res(inf(cneg), 0);
        }
        BigInteger pn = x.sig().multiply(y.sig());
        if (pneg) {
            pn = pn.negate();
        }
        BigInteger cn = cneg ? z.sig().negate() : z.sig();
        BigInteger[] s = exactSum(pn, x.exp() + y.exp(), cn, z.exp());
        if (s[0].signum() == 0) {
            boolean pzero = x.zero() || y.zero();
            if (pzero && z.zero() && pneg == cneg) {
                return new Res(zero(pneg), 0);
            }
            return new Res(zero(rm == RDN), 0);
        }
        return roundScaled(s[0], s[1].intValueExact(), rm);
    }

    // ------------------------------------------------------------------ min, max, compare, class

    /** Exact comparison of two non-NaN values: -1, 0, 1 (+0 == -0). */
    int compare(V x, V y) {
        int rx = x.kind() == Kind.INF ? (x.neg() ? -1 : 1) : 0;
        int ry = y.kind() == Kind.INF ? (y.neg() ? -1 : 1) : 0;
        if (rx != 0 || ry != 0) {
            return Integer.compare(rx, ry);
        }
        int e = Math.min(x.exp(), y.exp());
        return x.signed().shiftLeft(x.exp() - e).compareTo(y.signed().shiftLeft(y.exp() - e));
    }

    Res minMax(long a, long b, boolean max) {
        V x = decode(a);
        V y = decode(b);
        int flags = anySnan(x, y) ? NV : 0;
        if (x.nan() && y.nan()) {
            return new Res(canonicalNaN, flags);
        }
        if (x.nan()) {
            return new Res(b, flags);
        }
        if (y.nan()) {
            return new Res(a, flags);
        }
        int c = compare(x, y);
        if (c == 0) {
            // equal values: only +0 / -0 differ
            boolean negResult = max ? (x.neg() && y.neg()) : (x.neg() || y.neg());
            return new Res(negResult == x.neg() ? a : b, flags);
        }
        return new Res((c < 0) != max ? a : b, flags);
    }

    /** kind: 0 eq, 1 lt, 2 le. */
    Res cmp(long a, long b, int kind) {
        V x = decode(a);
        V y = decode(b);
        if (x.nan() || y.nan()) {
            boolean nv = kind == 0 ? anySnan(x, y) : true;
            return new Res(0, nv ? NV : 0);
        }
        int c = compare(x, y);
        boolean r = switch (kind) {
            case 0 -> c == 0;
            case 1 -> c < 0;
            default -> c <= 0;
        };
        return new Res(r ? 1 : 0, 0);
    }

    int classify(long a) {
        V x = decode(a);
        boolean subnormal = x.kind() == Kind.FINITE && !x.zero() && x.sig().bitLength() < p;
        int bit = switch (x.kind()) {
            case INF -> x.neg() ? 0 : 7;
            case SNAN -> 8;
            case QNAN -> 9;
            case FINITE -> x.zero() ? (x.neg() ? 3 : 4) : subnormal ? (x.neg() ? 2 : 5) : (x.neg() ? 1 : 6);
        };
        return 1 << bit;
    }

    // ------------------------------------------------------------------ conversions

    /** This format's value converted to format {@code to}. */
    Res convert(long a, RefFp to, int rm) {
        V x = decode(a);
        if (x.nan()) {
            return new Res(to.canonicalNaN, x.kind() == Kind.SNAN ? NV : 0);
        }
        if (x.kind() == Kind.INF) {
            return new Res(to.inf(x.neg()), 0);
        }
        if (x.zero()) {
            return new Res(to.zero(x.neg()), 0);
        }
        return to.roundScaled(x.signed(), x.exp(), rm);
    }

    /**
     * To an integer of the given width, signed or not, as RISC-V's fcvt.{w,wu,l,lu}; a 32-bit
     * result is returned sign-extended to 64 bits.
     */
    Res toInt(long a, int width, boolean signed, int rm) {
        V x = decode(a);
        BigInteger lo = signed ? BigInteger.ONE.shiftLeft(width - 1).negate() : BigInteger.ZERO;
        BigInteger hi = (signed ? BigInteger.ONE.shiftLeft(width - 1) : BigInteger.ONE.shiftLeft(width)).subtract(BigInteger.ONE);
        if (x.nan()) {
            return new Res(ext(hi, width), NV);
        }
        if (x.kind() == Kind.INF) {
            return new Res(ext(x.neg() ? lo : hi, width), NV);
        }
        BigInteger r;
        boolean[] inex = new boolean[1];
        if (x.zero()) {
            r = BigInteger.ZERO;
        } else {
            BigInteger num = x.sig();
            BigInteger den = BigInteger.ONE;
            if (x.exp() >= 0) {
                num = num.shiftLeft(x.exp());
            } else {
                den = den.shiftLeft(-x.exp());
            }
            r = roundAt(num, den, 0, x.neg(), rm, inex);
            if (x.neg()) {
                r = r.negate();
            }
        }
        if (r.compareTo(lo) < 0) {
            return new Res(ext(lo, width), NV);
        }
        if (r.compareTo(hi) > 0) {
            return new Res(ext(hi, width), NV);
        }
        return new Res(ext(r, width), inex[0] ? NX : 0);
    }

    private static long ext(BigInteger v, int width) {
        long bits = v.longValue();
        return width == 32 ? (long) (int) bits : bits;
    }

    /** From an exact integer. */
    Res fromInt(BigInteger v, int rm) {
        if (v.signum() == 0) {
            return new Res(0, 0);
        }
        return round(v, BigInteger.ONE, rm);
    }
}
