package io.tessera.tcg;

/**
 * IR operations. Semantics are the IR's own, not any guest's: shifts and rotations take
 * their count modulo the width (as the JVM does); division never traps (a quotient by zero
 * is all ones, a remainder by zero is the dividend, the most negative number divided by -1
 * is itself with remainder 0). Operands and results have the op's {@link Type} unless said.
 */
public enum Opcode {
    /** out = in0. */
    MOV(1, true),
    /** out = constant (aux). */
    MOVI(0, true),
    ADD(2, true), SUB(2, true), MUL(2, true),
    /** High 64 bits of the signed 128-bit product (I64 only). */
    MULSH(2, true),
    /** High 64 bits of the unsigned 128-bit product (I64 only). */
    MULUH(2, true),
    DIV(2, true), DIVU(2, true), REM(2, true), REMU(2, true),
    AND(2, true), OR(2, true), XOR(2, true),
    /** in0 AND NOT in1. */
    ANDC(2, true),
    /** in0 OR NOT in1. */
    ORC(2, true),
    SHL(2, true), SHR(2, true), SAR(2, true), ROTL(2, true), ROTR(2, true),
    NEG(1, true), NOT(1, true),
    /** Leading zeros (the width for zero). */
    CLZ(1, true),
    /** Trailing zeros (the width for zero). */
    CTZ(1, true),
    CTPOP(1, true),
    /** Byte swap of the whole width. */
    BSWAP(1, true),
    EXT8S(1, true), EXT16S(1, true), EXT32S(1, true), EXT8U(1, true), EXT16U(1, true), EXT32U(1, true),
    /** I64 out = sign-extended I32 in0. */
    EXTS_I32_I64(1, true),
    /** I64 out = zero-extended I32 in0. */
    EXTU_I32_I64(1, true),
    /** I32 out = low half of I64 in0. */
    TRUNC_I64_I32(1, true),
    /** out = (in0 cond in1) ? 1 : 0. */
    SETCOND(2, true),
    /** out = (in0 cond in1) ? in2 : in3. */
    MOVCOND(4, true),
    /** Branches to label when in0 cond in1. */
    BRCOND(2, false),
    /** Branches to label. */
    BR(0, false),
    /** Places label. */
    LABEL(0, false),
    /** I64 out = guest memory at address in0 (I64), as memOp says. */
    LD(1, true),
    /** Guest memory at address in0 (I64) = in1 (I64), as memOp says. */
    ST(2, false),
    /** Memory barrier; aux holds {@link Barrier} bits. */
    MB(0, false),
    /** Calls a helper; ins are its temporary arguments in order; out its result, if it has one. */
    CALL(-1, false),
    /**
     * Starts a guest instruction: aux is its address, aux2 what the instruction-count global
     * lacks there. If anything up to the next one faults, the unit leaves with the pc global
     * set to aux and the count global raised by aux2, all other globals as they are.
     */
    INSN_START(0, false),
    /** Leaves the unit through exit slot aux, which a caller may chain to the next unit. */
    GOTO_TB(0, false),
    /** Leaves the unit with no chaining (the pc global says where to go). */
    EXIT_TB(0, false);

    private final int inputs;
    private final boolean hasOutput;

    Opcode(int inputs, boolean hasOutput) {
        this.inputs = inputs;
        this.hasOutput = hasOutput;
    }

    /** @return the number of input temporaries, -1 when it varies (CALL) */
    public int inputs() {
        return inputs;
    }

    /** @return whether the op always writes an output temporary */
    public boolean hasOutput() {
        return hasOutput;
    }

    /** @return whether control does not fall through past this op */
    public boolean endsFlow() {
        return this == BR || this == GOTO_TB || this == EXIT_TB;
    }
}
