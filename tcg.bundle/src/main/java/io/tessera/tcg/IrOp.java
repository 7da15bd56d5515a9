package io.tessera.tcg;

/**
 * One IR operation. Mutable, so that the optimizer can rewrite a unit in place; front ends
 * create ops through {@link IrUnit}'s builder methods.
 */
public final class IrOp {
    /** The operation. */
    public Opcode opcode;
    /** The width it computes at (for SETCOND, MOVCOND, BRCOND: of the compared operands). */
    public Type type;
    /** Output temporary, or -1. */
    public int out = -1;
    /** Input temporaries. */
    public int[] in;
    /** Constant (MOVI), guest pc (INSN_START), exit slot (GOTO_TB), barrier bits (MB). */
    public long aux;
    /** Count correction of INSN_START. */
    public long aux2;
    /** Condition of SETCOND, MOVCOND, BRCOND. */
    public Cond cond;
    /** Target of BR and BRCOND, or the label LABEL places. */
    public Label label;
    /** Access of LD and ST. */
    public MemOp memOp;
    /** Callee of CALL. */
    public Helper helper;
    /** Arguments of CALL in the helper's order: {@link IrUnit.Arg}s; TEMP ones take {@link #in} in order. */
    public IrUnit.Arg[] args;

    IrOp(Opcode opcode, Type type, int out, int... in) {
        this.opcode = opcode;
        this.type = type;
        this.out = out;
        this.in = in;
    }

    /** Turns this op into {@code out = constant}. */
    public void becomeConstant(long value) {
        opcode = Opcode.MOVI;
        aux = type.normalize(value);
        in = new int[0];
        cond = null;
    }

    /** Turns this op into {@code out = source}. */
    public void becomeMove(int source) {
        opcode = Opcode.MOV;
        in = new int[] {source};
        cond = null;
    }

    /** Turns this op into nothing (a removed op is dropped from the list by the optimizer). */
    public void remove() {
        opcode = null;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (out >= 0) {
            s.append('%').append(out).append(" = ");
        }
        s.append(opcode.name().toLowerCase(java.util.Locale.ROOT));
        if (type != null && opcode != Opcode.LABEL && opcode != Opcode.BR && opcode != Opcode.INSN_START && opcode != Opcode.GOTO_TB
                && opcode != Opcode.EXIT_TB && opcode != Opcode.MB && opcode != Opcode.CALL) {
            s.append('_').append(type == Type.I32 ? "i32" : "i64");
        }
        if (cond != null) {
            s.append(' ').append(cond.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (memOp != null) {
            s.append(' ').append(memOp);
        }
        if (helper != null) {
            s.append(' ').append(helper);
        }
        for (int t : in) {
            s.append(" %").append(t);
        }
        switch (opcode) {
            case MOVI -> s.append(" 0x").append(Long.toHexString(aux));
            case INSN_START -> s.append(" 0x").append(Long.toHexString(aux)).append(" +").append(aux2);
            case GOTO_TB -> s.append(' ').append(aux);
            case MB -> s.append(" 0x").append(Long.toHexString(aux));
            default -> {
            }
        }
        if (label != null) {
            s.append(' ').append(label);
        }
        return s.toString();
    }
}
