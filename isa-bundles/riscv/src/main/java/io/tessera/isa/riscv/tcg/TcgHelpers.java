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
}
