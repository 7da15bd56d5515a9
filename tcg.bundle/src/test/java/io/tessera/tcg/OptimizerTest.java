package io.tessera.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OptimizerTest {

    private static IrUnit unit() {
        return new IrUnit(TestState.class);
    }

    private static long count(IrUnit u, Opcode opcode) {
        return u.ops().stream().filter(op -> op.opcode == opcode).count();
    }

    @Test
    void foldsConstantsIntoOneMove() {
        IrUnit u = unit();
        int r0 = u.global("r0", GlobalBinding.arrayElement(TestState.class, "r", 0));
        int a = u.constant(Type.I64, 6);
        int b = u.constant(Type.I64, 7);
        int p = u.binary(Opcode.MUL, a, b);
        int q = u.binary(Opcode.SHL, p, u.constant(Type.I64, 2));
        u.mov(r0, q);
        u.exitTb();
        UnitCompiler.optimize(u);
        assertEquals(1, count(u, Opcode.MOVI), u.dump());
        assertEquals(0, count(u, Opcode.MUL) + count(u, Opcode.SHL), u.dump());
        assertEquals(168, u.ops().stream().filter(op -> op.opcode == Opcode.MOVI).findFirst().orElseThrow().aux);
    }

    @Test
    void propagatesCopiesAndDropsDeadTemporaries() {
        IrUnit u = unit();
        int r0 = u.global("r0", GlobalBinding.arrayElement(TestState.class, "r", 0));
        int r1 = u.global("r1", GlobalBinding.arrayElement(TestState.class, "r", 1));
        int t = u.temp(Type.I64);
        u.mov(t, r1);
        int unused = u.binary(Opcode.ADD, t, t);
        int sum = u.binary(Opcode.ADD, t, r0);
        u.mov(r0, sum);
        u.exitTb();
        UnitCompiler.optimize(u);
        // t's uses read r1 itself, so the copy and the unused sum go; the stored sum stays.
        assertEquals(1, count(u, Opcode.MOV), u.dump());
        assertEquals(1, count(u, Opcode.ADD), u.dump());
        assertTrue(u.ops().stream().noneMatch(op -> op.out == unused), u.dump());
    }

    @Test
    void keepsWritesToGlobalsAndLoads() {
        IrUnit u = unit();
        int r0 = u.global("r0", GlobalBinding.arrayElement(TestState.class, "r", 0));
        u.movi(r0, 1);
        u.movi(r0, 2);
        u.load(MemOp.le(8, false), r0);
        u.exitTb();
        UnitCompiler.optimize(u);
        assertEquals(2, count(u, Opcode.MOVI), u.dump());
        assertEquals(1, count(u, Opcode.LD), u.dump());
    }

    @Test
    void resolvesConstantBranchesAndDropsWhatCannotRun() {
        IrUnit u = unit();
        int r0 = u.global("r0", GlobalBinding.arrayElement(TestState.class, "r", 0));
        Label skip = u.newLabel();
        u.brcond(Cond.LTU, u.constant(Type.I64, 1), u.constant(Type.I64, -1), skip);
        u.movi(r0, 99);
        u.label(skip);
        u.exitTb();
        UnitCompiler.optimize(u);
        assertEquals(0, count(u, Opcode.BRCOND), u.dump());
        assertTrue(u.ops().stream().noneMatch(op -> op.opcode == Opcode.MOVI && op.aux == 99), u.dump());
    }

    @Test
    void forgetsAcrossLabelsWhatOtherPathsMayChange() {
        IrUnit u = unit();
        int r0 = u.global("r0", GlobalBinding.arrayElement(TestState.class, "r", 0));
        int r1 = u.global("r1", GlobalBinding.arrayElement(TestState.class, "r", 1));
        Label join = u.newLabel();
        u.movi(r0, 5);
        u.brcond(Cond.EQ, r1, r1, join);
        u.movi(r0, 6);
        u.label(join);
        int doubled = u.binary(Opcode.ADD, r0, r0);
        u.mov(r1, doubled);
        u.exitTb();
        UnitCompiler.optimize(u);
        assertEquals(1, count(u, Opcode.ADD), "r0 is 5 or 6 at the join: " + u.dump());
    }
}
