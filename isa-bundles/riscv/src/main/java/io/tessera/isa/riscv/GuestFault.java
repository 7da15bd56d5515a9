package io.tessera.isa.riscv;

/**
 * A synchronous exception raised while a hart executes: the RISC-V cause code and the value
 * {@code tval} gets (the faulting address or instruction bits). Cheap: no stack trace.
 */
public final class GuestFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Cause codes of the privileged specification. */
    public static final int INSTRUCTION_MISALIGNED = 0;
    /** Instruction access fault. */
    public static final int INSTRUCTION_ACCESS = 1;
    /** Illegal instruction. */
    public static final int ILLEGAL_INSTRUCTION = 2;
    /** Breakpoint (ebreak). */
    public static final int BREAKPOINT = 3;
    /** Load address misaligned. */
    public static final int LOAD_MISALIGNED = 4;
    /** Load access fault. */
    public static final int LOAD_ACCESS = 5;
    /** Store/AMO address misaligned. */
    public static final int STORE_MISALIGNED = 6;
    /** Store/AMO access fault. */
    public static final int STORE_ACCESS = 7;
    /** Environment call from U-mode. */
    public static final int ECALL_FROM_U = 8;

    private final int cause;
    private final long tval;

    /** @param cause the cause code; @param tval the trap value */
    public GuestFault(int cause, long tval) {
        super(null, null, false, false);
        this.cause = cause;
        this.tval = tval;
    }

    /** @return the cause code */
    public int cause() {
        return cause;
    }

    /** @return the trap value */
    public long tval() {
        return tval;
    }

    @Override
    public String getMessage() {
        String what = switch (cause) {
            case INSTRUCTION_MISALIGNED -> "misaligned instruction fetch";
            case INSTRUCTION_ACCESS -> "instruction access fault";
            case ILLEGAL_INSTRUCTION -> "illegal instruction";
            case BREAKPOINT -> "breakpoint";
            case LOAD_MISALIGNED -> "misaligned load";
            case LOAD_ACCESS -> "load access fault";
            case STORE_MISALIGNED -> "misaligned store";
            case STORE_ACCESS -> "store access fault";
            default -> "exception " + cause;
        };
        return what + String.format(" (tval 0x%x)", tval);
    }
}
