package io.tessera.isa.riscv.fp;

/**
 * Accrued floating-point exception flags, with the bit layout of the RISC-V {@code fflags} CSR.
 *
 * <p>Operations of {@link Fp32} and {@link Fp64} only ever OR bits in; nothing clears them but
 * the owner. One instance per hart (or per thread) is meant to be reused for every operation;
 * it is not thread-safe.
 */
public final class FpFlags {

    /** Invalid operation. */
    public static final int NV = 0x10;
    /** Divide by zero. */
    public static final int DZ = 0x08;
    /** Overflow. */
    public static final int OF = 0x04;
    /** Underflow (tiny after rounding and inexact). */
    public static final int UF = 0x02;
    /** Inexact. */
    public static final int NX = 0x01;

    /** The accrued flags (package-private so that the operations OR into it directly). */
    int flags;

    /** Creates a holder with no flag raised. */
    public FpFlags() {
    }

    /**
     * Reads the accrued flags.
     *
     * @return a combination of {@link #NV}, {@link #DZ}, {@link #OF}, {@link #UF} and {@link #NX}
     */
    public int get() {
        return flags;
    }

    /**
     * Replaces the accrued flags.
     *
     * @param value the new flags; bits above {@link #NV} are dropped
     */
    public void set(int value) {
        flags = value & 0x1f;
    }

    /**
     * ORs flags in, as an operation does.
     *
     * @param value the flags to raise; bits above {@link #NV} are dropped
     */
    public void raise(int value) {
        flags |= value & 0x1f;
    }

    /** Clears every flag. */
    public void clear() {
        flags = 0;
    }

    /**
     * Reads and clears the accrued flags.
     *
     * @return the flags accrued until now
     */
    public int getAndClear() {
        int value = flags;
        flags = 0;
        return value;
    }

    /**
     * Names flags.
     *
     * @param value a combination of flags
     * @return the flags' names joined by {@code |}, such as {@code "NV|NX"}, or {@code "-"} for none
     */
    public static String toString(int value) {
        if ((value & 0x1f) == 0) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        String[] names = {"NX", "UF", "OF", "DZ", "NV"};
        for (int i = 4; i >= 0; i--) {
            if ((value & (1 << i)) != 0) {
                if (!b.isEmpty()) {
                    b.append('|');
                }
                b.append(names[i]);
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return toString(flags);
    }
}
