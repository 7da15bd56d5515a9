package io.tessera.isa.riscv.fp;

import static io.tessera.isa.riscv.fp.FpRounding.RDN;
import static io.tessera.isa.riscv.fp.FpRounding.RMM;
import static io.tessera.isa.riscv.fp.FpRounding.RNE;
import static io.tessera.isa.riscv.fp.FpRounding.RTZ;
import static io.tessera.isa.riscv.fp.FpRounding.RUP;

/**
 * Floating-point to integer conversions with RISC-V saturation, shared by both formats (a
 * binary32 operand is widened to binary64 exactly first).
 */
final class Conv {

    private Conv() {
    }

    /** x rounded to an integral value in mode rm (exact; infinities stay). */
    static double roundIntegral(double x, int rm) {
        return switch (rm) {
            case RNE -> Math.rint(x);
            case RTZ -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case RDN -> Math.floor(x);
            case RUP -> Math.ceil(x);
            case RMM -> {
                double t = x < 0 ? Math.ceil(x) : Math.floor(x);
                // x - t is exact: below 2^52 the fraction is representable, above it is zero.
                double frac = x - t;
                yield frac >= 0.5 ? t + 1 : frac <= -0.5 ? t - 1 : t;
            }
            default -> throw FpRounding.invalid(rm);
        };
    }

    static long toInt32(double x, int rm, FpFlags f) {
        if (x != x) {
            f.flags |= FpFlags.NV;
            return Integer.MAX_VALUE;
        }
        double r = roundIntegral(x, rm);
        if (r >= -0x1p31 && r < 0x1p31) {
            if (r != x) {
                f.flags |= FpFlags.NX;
            }
            return (long) r;
        }
        f.flags |= FpFlags.NV;
        return r < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    }

    static long toUint32(double x, int rm, FpFlags f) {
        if (x != x) {
            f.flags |= FpFlags.NV;
            return -1L;
        }
        double r = roundIntegral(x, rm);
        if (r >= 0 && r < 0x1p32) {                    // includes -0
            if (r != x) {
                f.flags |= FpFlags.NX;
            }
            return (int) (long) r;                     // sign-extend bit 31
        }
        f.flags |= FpFlags.NV;
        return r < 0 ? 0 : -1L;
    }

    static long toInt64(double x, int rm, FpFlags f) {
        if (x != x) {
            f.flags |= FpFlags.NV;
            return Long.MAX_VALUE;
        }
        double r = roundIntegral(x, rm);
        if (r >= -0x1p63 && r < 0x1p63) {
            if (r != x) {
                f.flags |= FpFlags.NX;
            }
            return (long) r;
        }
        f.flags |= FpFlags.NV;
        return r < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    static long toUint64(double x, int rm, FpFlags f) {
        if (x != x) {
            f.flags |= FpFlags.NV;
            return -1L;
        }
        double r = roundIntegral(x, rm);
        if (r >= 0 && r < 0x1p64) {
            if (r != x) {
                f.flags |= FpFlags.NX;
            }
            return r < 0x1p63 ? (long) r : (long) (r - 0x1p63) | Long.MIN_VALUE;
        }
        f.flags |= FpFlags.NV;
        return r < 0 ? 0 : -1L;
    }
}
