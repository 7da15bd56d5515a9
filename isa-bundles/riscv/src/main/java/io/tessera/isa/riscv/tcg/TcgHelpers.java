package io.tessera.isa.riscv.tcg;

import io.tessera.isa.riscv.Insn;
import io.tessera.isa.riscv.Interpreter;
import io.tessera.isa.riscv.RiscvHart;
import io.tessera.tcg.Helper;
import io.tessera.tcg.SoftTlb;

/**
 * What translated RISC-V code calls: the interpreter's own code for the instructions not
 * worth IR (floating-point arithmetic, CSRs, atomics, system instructions), so that there is
 * one copy of their semantics. Public because generated classes call it.
 */
public final class TcgHelpers {

    private TcgHelpers() {
    }

    /**
     * Executes {@code insn} at the hart's pc as the interpreter does (the unit has written its
     * registers back, and loads them again after).
     */
    public static void interpret(RiscvHart hart, SoftTlb context, Insn insn) {
        RiscvContext c = (RiscvContext) context;
        Interpreter.execute(hart, c.memory, c.environment, insn);
        // What it did to memory may have changed the mapping the rest of the unit reads through.
        c.revalidate();
    }

    /** @see Interpreter#orcB */
    public static long orcB(long value) {
        return Interpreter.orcB(value);
    }

    static final Helper FLOAT_RESULT = Helper.of(Interpreter.class, "floatResult", 0);
    static final Helper FLOAT_TO_INTEGER = Helper.of(Interpreter.class, "floatToInteger", 0);
    static final Helper CLASSIFY = Helper.of(Interpreter.class, "classify", Helper.PURE);
    static final Helper SIGN_INJECTION = Helper.of(Interpreter.class, "signInjection", Helper.PURE);
    static final Helper INTERPRET = Helper.of(TcgHelpers.class, "interpret", Helper.SYNC_GLOBALS);
    static final Helper ORC_B = Helper.of(TcgHelpers.class, "orcB", Helper.PURE);
    static final Helper FLOAT_COMPARE = Helper.of(FloatHelpers.class, "compare", 0);

    /**
     * The host-arithmetic helper ({@link FloatHelpers}) of a floating-point operation, or null
     * when it has none or its static rounding mode is not RNE or dynamic (then only the
     * interpreter's arithmetic can give the result).
     */
    static Helper hostFloat(Insn insn) {
        int rm = (int) insn.imm();
        if (rm != 0 && rm != 7) {
            return null;
        }
        return switch (insn.op()) {
            case FADD_D -> HOST_FLOAT[0];
            case FSUB_D -> HOST_FLOAT[1];
            case FMUL_D -> HOST_FLOAT[2];
            case FDIV_D -> HOST_FLOAT[3];
            case FSQRT_D -> HOST_FLOAT[4];
            case FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D -> HOST_FLOAT[5];
            case FADD_S -> HOST_FLOAT[6];
            case FSUB_S -> HOST_FLOAT[7];
            case FMUL_S -> HOST_FLOAT[8];
            case FDIV_S -> HOST_FLOAT[9];
            case FSQRT_S -> HOST_FLOAT[10];
            case FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S -> HOST_FLOAT[11];
            default -> null;
        };
    }

    private static final Helper[] HOST_FLOAT = java.util.stream.Stream.of("addD", "subD", "mulD", "divD", "sqrtD", "fusedD",
            "addS", "subS", "mulS", "divS", "sqrtS", "fusedS").map(name -> Helper.of(FloatHelpers.class, name, 0)).toArray(Helper[]::new);
}
