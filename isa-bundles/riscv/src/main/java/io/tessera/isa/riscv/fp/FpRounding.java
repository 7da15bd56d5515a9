package io.tessera.isa.riscv.fp;

/**
 * Rounding modes as RISC-V encodes them in an instruction's {@code rm} field and in
 * {@code fcsr.frm}.
 *
 * <p>The operations of {@link Fp32} and {@link Fp64} take one of {@link #RNE}, {@link #RTZ},
 * {@link #RDN}, {@link #RUP} or {@link #RMM}. Resolving {@link #DYN} to {@code frm}, and raising
 * an illegal-instruction exception for the reserved encodings 5 and 6 (or for an invalid
 * {@code frm}), is the caller's business: given another value, an operation whose result needs
 * rounding throws {@link IllegalArgumentException} (one whose result is exact may not notice).
 */
public final class FpRounding {

    /** Round to nearest, ties to even. */
    public static final int RNE = 0;
    /** Round towards zero. */
    public static final int RTZ = 1;
    /** Round down (towards negative infinity). */
    public static final int RDN = 2;
    /** Round up (towards positive infinity). */
    public static final int RUP = 3;
    /** Round to nearest, ties to max magnitude. */
    public static final int RMM = 4;
    /** In an instruction's rm field: use fcsr.frm. Not accepted by the operations. */
    public static final int DYN = 7;

    private FpRounding() {
    }

    /**
     * Tells the modes the operations accept.
     *
     * @param rm a rounding mode encoding
     * @return whether the operations accept it (0 to 4)
     */
    public static boolean isValid(int rm) {
        return rm >= RNE && rm <= RMM;
    }

    /**
     * Names a rounding mode.
     *
     * @param rm a rounding mode encoding
     * @return its assembler name ({@code "rne"}, {@code "rtz"}, ..., {@code "dyn"}), or {@code "rm" + rm} when reserved
     */
    public static String name(int rm) {
        return switch (rm) {
            case RNE -> "rne";
            case RTZ -> "rtz";
            case RDN -> "rdn";
            case RUP -> "rup";
            case RMM -> "rmm";
            case DYN -> "dyn";
            default -> "rm" + rm;
        };
    }

    static IllegalArgumentException invalid(int rm) {
        return new IllegalArgumentException("invalid rounding mode " + rm);
    }
}
