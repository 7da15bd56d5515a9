package io.tessera.isa.riscv.fp;

import static io.tessera.isa.riscv.fp.FpRounding.RDN;
import static io.tessera.isa.riscv.fp.FpRounding.RMM;
import static io.tessera.isa.riscv.fp.FpRounding.RNE;
import static io.tessera.isa.riscv.fp.FpRounding.RTZ;
import static io.tessera.isa.riscv.fp.FpRounding.RUP;

/**
 * The exact rounding step shared by both formats: an unsigned integer significand and a binary
 * exponent in, a correctly rounded encoding and its flags out. Used wherever the fast paths of
 * {@link Fp32} and {@link Fp64} cannot decide (subnormal or tiny results, narrowing, integer
 * conversions, fused multiply-add).
 */
final class Rounder {

    private Rounder() {
    }

    /**
     * Rounds {@code (neg ? -1 : 1) * mag * 2^exp} to the format.
     *
     * <p>{@code mag} is unsigned and not zero. Its bit 0 may be a sticky bit standing for
     * nonzero bits shifted out below it; the caller then guarantees that at least two bits of
     * {@code mag} are dropped by the rounding (that {@code mag} has at least p + 2 significant
     * bits), so that the sticky bit never acts as the rounding bit.
     *
     * @param dbl binary64 when true, binary32 otherwise
     * @return the encoding (for binary32, in the low 32 bits)
     */
    static long roundPack(boolean dbl, boolean neg, int exp, long mag, int rm, FpFlags f) {
        final int p = dbl ? 53 : 24;
        final int emin = dbl ? -1022 : -126;
        final int emax = dbl ? 1023 : 127;
        final int bias = dbl ? 1023 : 127;
        int bits = 64 - Long.numberOfLeadingZeros(mag);
        int msb = exp + bits - 1;                      // the value lies in [2^msb, 2^(msb+1))
        int lsb = Math.max(msb, emin) - (p - 1);       // weight of the result's last bit
        int shift = lsb - exp;                         // bits of mag dropped
        long sig;
        if (shift <= 0) {
            sig = mag << -shift;                       // exact
        } else {
            boolean roundBit;
            boolean sticky;
            if (shift < 64) {
                sig = mag >>> shift;
                roundBit = ((mag >>> (shift - 1)) & 1) != 0;
                sticky = (mag & ((1L << (shift - 1)) - 1)) != 0;
            } else if (shift == 64) {
                sig = 0;
                roundBit = mag < 0;
                sticky = (mag << 1) != 0;
            } else {
                sig = 0;
                roundBit = false;
                sticky = true;
            }
            if (roundBit || sticky) {
                f.flags |= FpFlags.NX;
                if (increments(rm, neg, (sig & 1) != 0, roundBit, sticky)) {
                    sig++;
                    if (sig == 1L << p) {
                        sig >>>= 1;
                        lsb++;
                    }
                }
                if (msb < emin && tinyAfterRounding(msb, emin, p, mag, shift, rm, neg)) {
                    f.flags |= FpFlags.UF;
                }
            }
        }
        if (lsb + p - 1 > emax) {
            return overflow(dbl, neg, rm, f);
        }
        // For a normal sig the hidden bit carries into the exponent field; for a subnormal one
        // lsb is emin - p + 1 and the field computes to 0.
        long magnitude = ((long) (lsb + p - 2 + bias) << (p - 1)) + sig;
        return neg ? magnitude | (dbl ? 0x8000_0000_0000_0000L : 0x8000_0000L) : magnitude;
    }

    /**
     * Whether a value below 2^emin, rounded to p bits with an unbounded exponent, stays below
     * 2^emin (RISC-V detects tininess after rounding).
     */
    private static boolean tinyAfterRounding(int msb, int emin, int p, long mag, int shift, int rm, boolean neg) {
        if (msb < emin - 1) {
            return true;
        }
        // msb == emin - 1: the unbounded rounding keeps one more bit than the bounded one did.
        int shiftU = shift - 1;
        if (shiftU <= 0) {
            return true;                               // exact at unbounded precision
        }
        long sigU = mag >>> shiftU;                    // exactly p bits
        if (sigU != (1L << p) - 1) {
            return true;
        }
        boolean roundBit = ((mag >>> (shiftU - 1)) & 1) != 0;
        boolean sticky = (mag & ((1L << (shiftU - 1)) - 1)) != 0;
        return !increments(rm, neg, true, roundBit, sticky);
    }

    /**
     * Rounds {@code (neg ? -1 : 1) * (hi:lo) * 2^exp}, the 128-bit unsigned {@code hi:lo} not
     * zero, with the same sticky-bit contract as {@link #roundPack}.
     */
    static long roundPack128(boolean dbl, boolean neg, int exp, long hi, long lo, int rm, FpFlags f) {
        if (hi == 0) {
            return roundPack(dbl, neg, exp, lo, rm, f);
        }
        int n = 64 - Long.numberOfLeadingZeros(hi);    // 1..64
        long mag;
        if (n == 64) {
            mag = hi | (lo != 0 ? 1 : 0);
        } else {
            mag = (hi << (64 - n)) | (lo >>> n) | ((lo << (64 - n)) != 0 ? 1 : 0);
        }
        return roundPack(dbl, neg, exp + n, mag, rm, f);
    }

    /**
     * Whether the truncated significand is incremented.
     *
     * @param odd whether its last bit is 1
     * @param roundBit the first dropped bit
     * @param sticky whether any later dropped bit is 1
     */
    static boolean increments(int rm, boolean neg, boolean odd, boolean roundBit, boolean sticky) {
        return switch (rm) {
            case RNE -> roundBit && (sticky || odd);
            case RTZ -> false;
            case RDN -> neg && (roundBit || sticky);
            case RUP -> !neg && (roundBit || sticky);
            case RMM -> roundBit;
            default -> throw FpRounding.invalid(rm);
        };
    }

    /** The result of an overflow in mode rm (infinity or the largest finite value); raises OF and NX. */
    static long overflow(boolean dbl, boolean neg, int rm, FpFlags f) {
        f.flags |= FpFlags.OF | FpFlags.NX;
        boolean infinite = switch (rm) {
            case RNE, RMM -> true;
            case RTZ -> false;
            case RDN -> neg;
            case RUP -> !neg;
            default -> throw FpRounding.invalid(rm);
        };
        if (dbl) {
            long m = infinite ? 0x7ff0_0000_0000_0000L : 0x7fef_ffff_ffff_ffffL;
            return neg ? m | 0x8000_0000_0000_0000L : m;
        }
        long m = infinite ? 0x7f80_0000L : 0x7f7f_ffffL;
        return neg ? m | 0x8000_0000L : m;
    }
}
