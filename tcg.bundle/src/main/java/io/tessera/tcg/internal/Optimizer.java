package io.tessera.tcg.internal;

import io.tessera.tcg.Helper;
import io.tessera.tcg.IrOp;
import io.tessera.tcg.IrRuntime;
import io.tessera.tcg.IrUnit;
import io.tessera.tcg.Label;
import io.tessera.tcg.Opcode;
import java.util.ArrayList;
import java.util.List;

/**
 * The IR optimizer: unreachable code and unused labels go, constants are folded and copies
 * propagated forward through each extended basic block (what is known is forgotten at a
 * label, where paths join), and ops whose results nobody reads are dropped. Writes to
 * globals always stay: the guest state must be exact at every exit and fault.
 */
public final class Optimizer {

    private final IrUnit unit;
    private final int temps;
    // What is known about each temporary, valid while known[t] == epoch (a label starts a new epoch).
    private final int[] known;
    private final boolean[] isConstant;
    private final long[] constant;
    private final int[] copyOf;
    private final int[] copyVersion;
    private final int[] version;
    private int epoch = 1;

    private Optimizer(IrUnit unit) {
        this.unit = unit;
        this.temps = unit.temps();
        known = new int[temps];
        isConstant = new boolean[temps];
        constant = new long[temps];
        copyOf = new int[temps];
        copyVersion = new int[temps];
        version = new int[temps];
    }

    /** Optimizes {@code unit} in place. */
    public static void optimize(IrUnit unit) {
        Optimizer o = new Optimizer(unit);
        o.dropUnreachable();
        o.dropUnusedLabels();
        o.propagate();
        o.dropUnreachable();
        o.dropUnusedLabels();
        o.dropDeadCode();
        unit.ops().removeIf(op -> op.opcode == null);
    }

    private void dropUnreachable() {
        boolean dead = false;
        for (IrOp op : unit.ops()) {
            if (op.opcode == null) {
                continue;
            }
            if (op.opcode == Opcode.LABEL) {
                dead = false;
            } else if (dead) {
                op.remove();
                continue;
            }
            if (op.opcode.endsFlow()) {
                dead = true;
            }
        }
        unit.ops().removeIf(op -> op.opcode == null);
    }

    private void dropUnusedLabels() {
        boolean[] used = new boolean[unit.labelCount()];
        for (IrOp op : unit.ops()) {
            if ((op.opcode == Opcode.BR || op.opcode == Opcode.BRCOND) && op.label != null) {
                used[op.label.id()] = true;
            }
        }
        unit.ops().removeIf(op -> op.opcode == Opcode.LABEL && !used[op.label.id()]);
    }

    private boolean constantNow(int t) {
        return known[t] == epoch && isConstant[t];
    }

    /** @return the oldest temporary still holding the value {@code t} holds */
    private int representative(int t) {
        if (known[t] == epoch && !isConstant[t] && copyOf[t] >= 0 && version[copyOf[t]] == copyVersion[t]) {
            return copyOf[t];
        }
        return t;
    }

    private void written(int t) {
        version[t]++;
        known[t] = 0;
    }

    private void learnConstant(int t, long value) {
        known[t] = epoch;
        isConstant[t] = true;
        constant[t] = value;
    }

    private void learnCopy(int t, int source) {
        if (constantNow(source)) {
            learnConstant(t, constant[source]);
            return;
        }
        known[t] = epoch;
        isConstant[t] = false;
        copyOf[t] = source;
        copyVersion[t] = version[source];
    }

    private void forgetGlobals() {
        for (int t = 0; t < temps; t++) {
            if (unit.isGlobal(t)) {
                written(t);
            }
        }
    }

    private void propagate() {
        for (IrOp op : unit.ops()) {
            if (op.opcode == Opcode.LABEL) {
                epoch++;
                continue;
            }
            for (int i = 0; i < op.in.length; i++) {
                op.in[i] = representative(op.in[i]);
            }
            if (op.opcode == Opcode.CALL && op.helper.is(Helper.SYNC_GLOBALS)) {
                forgetGlobals();
            }
            if (op.opcode == Opcode.BRCOND && constantNow(op.in[0]) && constantNow(op.in[1])) {
                if (op.cond.test(op.type, constant[op.in[0]], constant[op.in[1]])) {
                    Label target = op.label;
                    op.opcode = Opcode.BR;
                    op.in = new int[0];
                    op.cond = null;
                    op.label = target;
                } else {
                    op.remove();
                }
                continue;
            }
            if (op.out < 0) {
                continue;
            }
            simplify(op);
            written(op.out);
            if (op.opcode == Opcode.MOVI) {
                learnConstant(op.out, op.aux);
            } else if (op.opcode == Opcode.MOV) {
                learnCopy(op.out, op.in[0]);
            }
        }
    }

    private static boolean pure(Opcode opcode) {
        return switch (opcode) {
            case LD, CALL, MOVI, MOV -> false;
            default -> opcode.hasOutput();
        };
    }

    /** Folds constants and applies identities; turns the op into MOVI or MOV where it can. */
    private void simplify(IrOp op) {
        if (!pure(op.opcode)) {
            return;
        }
        boolean allConstant = true;
        long[] values = new long[op.in.length];
        for (int i = 0; i < op.in.length; i++) {
            allConstant &= constantNow(op.in[i]);
            values[i] = constant[op.in[i]];
        }
        if (allConstant) {
            op.becomeConstant(IrRuntime.evaluate(op.opcode, op.type, op.cond, values));
            return;
        }
        if (op.in.length == 2) {
            int a = op.in[0];
            int b = op.in[1];
            boolean bk = constantNow(b);
            long bv = constant[b];
            switch (op.opcode) {
                case ADD, SUB, OR, XOR, SHL, SHR, SAR, ROTL, ROTR -> {
                    if (bk && bv == 0) {
                        op.becomeMove(a);
                    } else if (a == b && (op.opcode == Opcode.SUB || op.opcode == Opcode.XOR)) {
                        op.becomeConstant(0);
                    }
                }
                case AND -> {
                    if (bk && op.type.normalize(bv) == -1 || a == b) {
                        op.becomeMove(a);
                    } else if (bk && bv == 0) {
                        op.becomeConstant(0);
                    }
                }
                case MUL -> {
                    if (bk && bv == 1) {
                        op.becomeMove(a);
                    } else if (bk && bv == 0) {
                        op.becomeConstant(0);
                    }
                }
                default -> {
                }
            }
        } else if (op.opcode == Opcode.MOVCOND) {
            if (op.in[2] == op.in[3]) {
                op.becomeMove(op.in[2]);
            } else if (constantNow(op.in[0]) && constantNow(op.in[1])) {
                op.becomeMove(op.cond.test(op.type, constant[op.in[0]], constant[op.in[1]]) ? op.in[2] : op.in[3]);
            }
        }
    }

    /** Drops ops without side effects whose output temporary (not a global) nobody reads. */
    private void dropDeadCode() {
        List<IrOp> ops = unit.ops();
        int[] uses = new int[temps];
        for (IrOp op : ops) {
            for (int t : op.in) {
                uses[t]++;
            }
        }
        List<IrOp> work = new ArrayList<>(ops);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = work.size() - 1; i >= 0; i--) {
                IrOp op = work.get(i);
                if (op.opcode == null || op.out < 0 || unit.isGlobal(op.out) || uses[op.out] > 0) {
                    continue;
                }
                boolean removable = op.opcode == Opcode.CALL ? op.helper.is(Helper.PURE) : op.opcode != Opcode.LD;
                if (removable) {
                    for (int t : op.in) {
                        uses[t]--;
                    }
                    op.remove();
                    changed = true;
                }
            }
        }
    }

    /** @return the number of ops that will be emitted (labels and instruction markers excluded) */
    public static int countOps(IrUnit unit) {
        int n = 0;
        for (IrOp op : unit.ops()) {
            if (op.opcode != null && op.opcode != Opcode.LABEL && op.opcode != Opcode.INSN_START) {
                n++;
            }
        }
        return n;
    }
}
