package io.tessera.isa.riscv;

/** Bit-level facts of RISC-V floating-point registers: NaN-boxing and classification. */
public final class FloatBits {

    /** The canonical NaN of single precision. */
    public static final int CANONICAL_NAN_32 = 0x7fc0_0000;

    private FloatBits() {
    }

    /** @return a single value as an f register holds it: the upper 32 bits all ones */
    public static long box(int single) {
        return 0xffff_ffff_0000_0000L | (single & 0xffff_ffffL);
    }

    /** @return the single value in an f register, or the canonical NaN when it is not properly boxed */
    public static int unbox(long register) {
        return (register >>> 32) == 0xffff_ffffL ? (int) register : CANONICAL_NAN_32;
    }

    /** @return fclass.s's one-hot class mask */
    public static long classify32(int v) {
        boolean negative = v < 0;
        int exponent = (v >>> 23) & 0xff;
        int fraction = v & 0x7f_ffff;
        return classify(negative, exponent == 0, exponent == 0xff, fraction == 0, (fraction & 0x40_0000) != 0);
    }

    /** @return fclass.d's one-hot class mask */
    public static long classify64(long v) {
        boolean negative = v < 0;
        long exponent = (v >>> 52) & 0x7ff;
        long fraction = v & 0xf_ffff_ffff_ffffL;
        return classify(negative, exponent == 0, exponent == 0x7ff, fraction == 0, (fraction & 0x8_0000_0000_0000L) != 0);
    }

    private static long classify(boolean negative, boolean zeroExponent, boolean maxExponent, boolean zeroFraction, boolean quiet) {
        if (maxExponent) {
            if (zeroFraction) {
                return negative ? 1 : 1 << 7;
            }
            return quiet ? 1 << 9 : 1 << 8;
        }
        if (zeroExponent) {
            if (zeroFraction) {
                return negative ? 1 << 3 : 1 << 4;
            }
            return negative ? 1 << 2 : 1 << 5;
        }
        return negative ? 1 << 1 : 1 << 6;
    }
}
