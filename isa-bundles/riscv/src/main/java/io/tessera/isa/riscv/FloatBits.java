package io.tessera.isa.riscv;

import io.tessera.isa.riscv.fp.Fp32;

/** NaN-boxing: how a single value sits in a 64-bit f register. */
public final class FloatBits {

    private FloatBits() {
    }

    /** @return a single value as an f register holds it: the upper 32 bits all ones */
    public static long box(int single) {
        return 0xffff_ffff_0000_0000L | (single & 0xffff_ffffL);
    }

    /** @return the single value in an f register, or the canonical NaN when it is not properly boxed */
    public static int unbox(long register) {
        return (register >>> 32) == 0xffff_ffffL ? (int) register : Fp32.CANONICAL_NAN;
    }
}
