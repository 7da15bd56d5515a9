package io.tessera.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.invoke.MethodHandles;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BytecodeBackendTest {

    private static final MethodHandles.Lookup HOST = MethodHandles.lookup();

    private static int reg(IrUnit u, int i) {
        return u.global("r" + i, GlobalBinding.arrayElement(TestState.class, "r", i));
    }

    private static final Opcode[] BINARY = {Opcode.ADD, Opcode.SUB, Opcode.MUL, Opcode.MULSH, Opcode.MULUH, Opcode.DIV, Opcode.DIVU,
        Opcode.REM, Opcode.REMU, Opcode.AND, Opcode.OR, Opcode.XOR, Opcode.ANDC, Opcode.ORC, Opcode.SHL, Opcode.SHR, Opcode.SAR,
        Opcode.ROTL, Opcode.ROTR};
    private static final Opcode[] UNARY = {Opcode.NEG, Opcode.NOT, Opcode.CLZ, Opcode.CTZ, Opcode.CTPOP, Opcode.BSWAP, Opcode.EXT8S,
        Opcode.EXT16S, Opcode.EXT32S, Opcode.EXT8U, Opcode.EXT16U, Opcode.EXT32U};

    /** Every arithmetic op, at both widths, computes what the IR's definition says (unoptimized: the operands are unknown). */
    @Test
    void arithmeticMatchesTheIrDefinition() {
        Random random = new Random(5);
        long[] edge = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x8000_0000L, 0xffff_ffffL, 63, 64, 31, 32};
        for (Type type : Type.values()) {
            for (Opcode op : BINARY) {
                if (type == Type.I32 && (op == Opcode.MULSH || op == Opcode.MULUH)) {
                    continue;
                }
                IrUnit u = new IrUnit(TestState.class);
                int a = reg(u, 0);
                int b = reg(u, 1);
                int r = type == Type.I64 ? u.binary(op, a, b)
                        : u.unary(Opcode.EXTS_I32_I64, u.binary(op, u.unary(Opcode.TRUNC_I64_I32, a), u.unary(Opcode.TRUNC_I64_I32, b)));
                u.mov(reg(u, 2), r);
                u.exitTb();
                CompiledUnit code = UnitCompiler.compile(u, HOST, false).code();
                for (int i = 0; i < 200; i++) {
                    long x = i < edge.length ? edge[i] : random.nextLong();
                    long y = i < edge.length ? edge[(i * 7) % edge.length] : i % 3 == 0 ? random.nextInt(70) : random.nextLong();
                    TestState s = new TestState();
                    s.r[0] = x;
                    s.r[1] = y;
                    assertEquals(CompiledUnit.EXIT_NO_CHAIN, code.run(s, new TestState.Memory(0)));
                    long want = type.normalize(IrRuntime.evaluate(op, type, null, new long[] {x, y}));
                    assertEquals(want, s.r[2], op + " " + type + " of " + x + ", " + y);
                }
            }
        }
        for (Opcode op : UNARY) {
            IrUnit u = new IrUnit(TestState.class);
            u.mov(reg(u, 2), u.unary(op, reg(u, 0)));
            u.exitTb();
            CompiledUnit code = UnitCompiler.compile(u, HOST, false).code();
            for (int i = 0; i < 100; i++) {
                long x = i < edge.length ? edge[i] : random.nextLong();
                TestState s = new TestState();
                s.r[0] = x;
                code.run(s, new TestState.Memory(0));
                assertEquals(IrRuntime.evaluate(op, Type.I64, null, new long[] {x}), s.r[2], op + " of " + x);
            }
        }
    }

    @Test
    void comparisonsAtBothWidths() {
        long[] values = {0, 1, -1, 0x7fff_ffffL, 0x8000_0000L, Long.MIN_VALUE, Long.MAX_VALUE, 0x1_0000_0000L};
        for (Type type : Type.values()) {
            for (Cond cond : Cond.values()) {
                IrUnit u = new IrUnit(TestState.class);
                int a = reg(u, 0);
                int b = reg(u, 1);
                int x = type == Type.I64 ? a : u.unary(Opcode.TRUNC_I64_I32, a);
                int y = type == Type.I64 ? b : u.unary(Opcode.TRUNC_I64_I32, b);
                int set = u.setcond(cond, x, y);
                int chosen = u.movcond(cond, x, y, u.constant(type, 10), u.constant(type, 20));
                u.mov(reg(u, 2), type == Type.I64 ? set : u.unary(Opcode.EXTU_I32_I64, set));
                u.mov(reg(u, 3), type == Type.I64 ? chosen : u.unary(Opcode.EXTU_I32_I64, chosen));
                Label taken = u.newLabel();
                u.brcond(cond, x, y, taken);
                u.gotoTb(0);
                u.label(taken);
                u.gotoTb(1);
                CompiledUnit code = UnitCompiler.compile(u, HOST, false).code();
                for (long p : values) {
                    for (long q : values) {
                        TestState s = new TestState();
                        s.r[0] = p;
                        s.r[1] = q;
                        int exit = code.run(s, new TestState.Memory(0));
                        boolean want = cond.test(type, p, q);
                        String what = cond + " " + type + " " + p + " " + q;
                        assertEquals(want ? 1 : 0, s.r[2], what);
                        assertEquals(want ? 10 : 20, s.r[3], what);
                        assertEquals(want ? 1 : 0, exit, what);
                    }
                }
            }
        }
    }

    /** A counted loop inside one unit: labels, a back edge, loads and stores through the TLB. */
    @Test
    void loopSumsMemoryThroughTheTlb() {
        IrUnit u = new IrUnit(TestState.class);
        int base = reg(u, 0);
        int n = reg(u, 1);
        int sum = reg(u, 2);
        Label top = u.newLabel();
        Label done = u.newLabel();
        u.label(top);
        u.brcond(Cond.EQ, n, u.constant(Type.I64, 0), done);
        int v = u.load(MemOp.le(4, true), base);
        u.mov(sum, u.binary(Opcode.ADD, sum, v));
        u.store(MemOp.le(2, false), base, u.constant(Type.I64, 0x1234));
        u.mov(base, u.binary(Opcode.ADD, base, u.constant(Type.I64, 4)));
        u.mov(n, u.binary(Opcode.SUB, n, u.constant(Type.I64, 1)));
        u.br(top);
        u.label(done);
        u.exitTb();
        CompiledUnit code = UnitCompiler.compile(u, HOST, true).code();
        TestState.Memory memory = new TestState.Memory(1 << 20);
        for (int i = 0; i < 3000; i++) {
            memory.storeSlow(0x1000 + 4L * i, 4, -i);
        }
        memory.slowStores = 0;
        TestState s = new TestState();
        s.r[0] = 0x1000;
        s.r[1] = 3000;
        code.run(s, memory);
        assertEquals(-(2999L * 3000 / 2), s.r[2]);
        assertEquals(0xffff_1234L, memory.loadSlow(0x1000 + 4 * 1500, 4), "the low half stored over -1500");
        assertEquals(0, s.r[1]);
        // Three pages: a miss on each for the loads and for the stores at most, the rest inline.
        assertEquals(true, memory.slowStores <= 3, "slow stores " + memory.slowStores);
    }

    /**
     * Narrow stores write their bytes and no others, whether they merge into the page's word
     * (the TLB's sole-writer promise) or go through the segment: random stores of 1, 2 and 4
     * bytes at every aligned offset of a word, checked against a byte array.
     */
    @Test
    void narrowStoresChangeOnlyTheirBytes() {
        for (boolean soleWriter : new boolean[] {false, true}) {
            for (int size : new int[] {1, 2, 4}) {
                IrUnit u = new IrUnit(TestState.class);
                u.store(MemOp.le(size, false), reg(u, 0), reg(u, 1));
                u.exitTb();
                CompiledUnit code = UnitCompiler.compile(u, HOST, true).code();
                TestState.Memory memory = new TestState.Memory(1 << 20);
                memory.soleWriter = soleWriter;
                byte[] expected = new byte[64];
                Random random = new Random(size);
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = (byte) random.nextInt();
                    memory.storeSlow(0x2000 + i, 1, expected[i]);
                }
                memory.slowStores = 0;
                TestState s = new TestState();
                for (int n = 0; n < 200; n++) {
                    int offset = random.nextInt(expected.length / size) * size;
                    long value = random.nextLong();
                    s.r[0] = 0x2000 + offset;
                    s.r[1] = value;
                    code.run(s, memory);
                    for (int b = 0; b < size; b++) {
                        expected[offset + b] = (byte) (value >>> (8 * b));
                    }
                }
                assertEquals(true, memory.slowStores <= 1, "slow stores " + memory.slowStores);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], (byte) memory.loadSlow(0x2000 + i, 1), "byte " + i + ", size " + size + ", sole writer " + soleWriter);
                }
            }
        }
    }

    /** A fault leaves the state as it was before the faulting instruction, with its pc and count. */
    @Test
    void faultInTheMiddleIsPrecise() {
        IrUnit u = new IrUnit(TestState.class);
        int pc = u.global("pc", GlobalBinding.field(TestState.class, "pc"));
        int count = u.global("count", GlobalBinding.field(TestState.class, "count"));
        u.faultState(pc, count);
        int r0 = reg(u, 0);
        int r1 = reg(u, 1);
        u.insnStart(0x100, 0);
        u.mov(r1, u.binary(Opcode.ADD, r1, u.constant(Type.I64, 1)));
        u.insnStart(0x104, 1);
        u.mov(r1, u.load(MemOp.le(8, false), r0));
        u.insnStart(0x108, 2);
        u.movi(r1, 77);
        u.mov(count, u.binary(Opcode.ADD, count, u.constant(Type.I64, 3)));
        u.movi(pc, 0x10c);
        u.exitTb();
        CompiledUnit code = UnitCompiler.compile(u, HOST, true).code();
        TestState s = new TestState();
        s.r[0] = 1 << 20;
        s.r[1] = 41;
        s.count = 10;
        assertThrows(IllegalStateException.class, () -> code.run(s, new TestState.Memory(1 << 20)));
        assertEquals(0x104, s.pc);
        assertEquals(11, s.count);
        assertEquals(42, s.r[1]);
        s.r[0] = 0;
        code.run(s, new TestState.Memory(1 << 20));
        assertEquals(0x10c, s.pc);
        assertEquals(14, s.count);
        assertEquals(77, s.r[1]);
    }

    public static long twice(long x) {
        return 2 * x;
    }

    public static void bump(TestState s) {
        s.r[3]++;
    }

    @Test
    void helpersGetTemporariesStateAndConstants() throws Exception {
        IrUnit u = new IrUnit(TestState.class);
        int r0 = reg(u, 0);
        int r3 = reg(u, 3);
        u.mov(r3, u.binary(Opcode.ADD, r3, u.constant(Type.I64, 1)));
        u.call(new Helper(BytecodeBackendTest.class.getMethod("bump", TestState.class), Helper.SYNC_GLOBALS), new IrUnit.Arg[] {IrUnit.STATE});
        u.mov(r0, u.call(Helper.of(BytecodeBackendTest.class, "twice", Helper.PURE), new IrUnit.Arg[] {IrUnit.TEMP}, r3));
        u.exitTb();
        CompiledUnit code = UnitCompiler.compile(u, HOST, true).code();
        TestState s = new TestState();
        code.run(s, new TestState.Memory(0));
        assertEquals(2, s.r[3], "the helper saw the unit's write and the unit its");
        assertEquals(4, s.r[0]);
    }
}
