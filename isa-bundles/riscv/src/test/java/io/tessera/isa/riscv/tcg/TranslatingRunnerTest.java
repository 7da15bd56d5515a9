package io.tessera.isa.riscv.tcg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.isa.riscv.Environment;
import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.GuestMemory;
import io.tessera.isa.riscv.HartRunner;
import io.tessera.isa.riscv.Interpreter;
import io.tessera.isa.riscv.RiscvHart;
import io.tessera.tcg.SoftTlb;
import io.tessera.tcg.TranslatedBlock;
import io.tessera.tcg.TranslationCache;
import org.junit.jupiter.api.Test;

/**
 * The runner and translator on hand-assembled code: chaining, invalidation by a guest store
 * to translated code, eviction under the cache bound, and a fault in the middle of a block,
 * each checked against the interpreter's outcome.
 */
class TranslatingRunnerTest {

    private static final long CODE = 0x10000;
    private static final long DATA = 0x20000;
    private static final int A0 = 10;
    private static final int A1 = 11;
    private static final int A2 = 12;
    private static final int A3 = 13;
    private static final int A4 = 14;
    private static final int RA = 1;

    /** Flat RAM from 0x10000 to 0x30000; a store to a page holding translated code invalidates it, as process memory does. */
    static final class FlatMemory implements GuestMemory {
        final byte[] bytes = new byte[0x20000];
        TranslationCache cache;

        private int offset(long address, int size, int cause) {
            if (address < CODE || address + size > CODE + bytes.length) {
                throw new GuestFault(cause, address);
            }
            return (int) (address - CODE);
        }

        @Override
        public long load(long address, int size) {
            int o = offset(address, size, GuestFault.LOAD_ACCESS);
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (bytes[o + i] & 0xffL) << (8 * i);
            }
            return v;
        }

        @Override
        public void store(long address, int size, long value) {
            int o = offset(address, size, GuestFault.STORE_ACCESS);
            for (int i = 0; i < size; i++) {
                bytes[o + i] = (byte) (value >>> (8 * i));
            }
            if (cache != null) {
                cache.invalidatePages(address >>> SoftTlb.PAGE_BITS, (address + size - 1) >>> SoftTlb.PAGE_BITS);
            }
        }

        @Override
        public int fetch16(long address) {
            return (int) load(address, 2) & 0xffff;
        }

        void put(long address, byte[] code) {
            System.arraycopy(code, 0, bytes, (int) (address - CODE), code.length);
        }
    }

    /** Ends a run at ecall. */
    static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super(null, null, false, false);
        }
    }

    static final Environment STOP_AT_ECALL = new Environment() {
        @Override
        public void ecall(RiscvHart hart) {
            throw new Stop();
        }

        @Override
        public long readCsr(RiscvHart hart, int csr) {
            throw new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, 0);
        }

        @Override
        public void writeCsr(RiscvHart hart, int csr, long value) {
            throw new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, 0);
        }
    };

    private record Run(RiscvHart hart, TranslationCache cache, TranslatingRunner runner) {
    }

    private static Run translated(FlatMemory memory, long cacheBytes, int loopThreshold) {
        return translated(memory, cacheBytes, loopThreshold, false);
    }

    /** @param chained whether units go on into each other directly ({@link io.tessera.tcg.IrUnit#chainDirect}) */
    private static Run translated(FlatMemory memory, long cacheBytes, int loopThreshold, boolean chained) {
        TranslationCache cache = new TranslationCache(cacheBytes);
        memory.cache = cache;
        TranslatingRunner runner = new TranslatingRunner(cache, new RiscvTranslator(16, 400, null, chained), new RiscvContext(memory), 0, loopThreshold);
        return new Run(new RiscvHart(0, null), cache, runner);
    }

    /** Runs from CODE until ecall (or a fault, which is rethrown). */
    private static void runToEcall(HartRunner runner, RiscvHart hart, GuestMemory memory) {
        hart.pc = CODE;
        try {
            while (true) {
                runner.run(hart, memory, STOP_AT_ECALL, 1000);
            }
        } catch (Stop stop) {
            // The ecall ended it, pc at the ecall.
        }
    }

    /** A loop of two blocks (a decrement, then a branch back over a jump) run a thousand times. */
    private static byte[] twoBlockLoop() {
        Assembler a = new Assembler(CODE);
        a.emit(Assembler.addi(A0, 0, 1000));        // CODE+0: a0 = 1000
        long top = a.here();
        a.emit(Assembler.addi(A1, A1, 3));          // top: a1 += 3
        a.emit(Assembler.jal(0, 8));                // jump to the second block
        a.emit(Assembler.addi(A1, A1, 1000));       // (skipped)
        a.emit(Assembler.addi(A0, A0, -1));         // second block: a0 -= 1
        a.emit(Assembler.bne(A0, 0, top - a.here()));
        a.emit(Assembler.ECALL);
        return a.bytes();
    }

    @Test
    void blocksChainToTheirSuccessors() {
        FlatMemory memory = new FlatMemory();
        memory.put(CODE, twoBlockLoop());
        Run run = translated(memory, 1 << 20, 0);
        runToEcall(run.runner(), run.hart(), memory);
        assertEquals(3000, run.hart().x[A1]);
        assertEquals(0, run.hart().x[A0]);
        TranslatedBlock first = run.cache().get(CODE + 4, 0);
        TranslatedBlock second = run.cache().get(CODE + 16, 0);
        assertNotNull(first);
        assertNotNull(second);
        assertSame(second, first.links[0], "the jump's exit is chained to the second block");
        assertSame(first, second.links[1], "the taken branch is chained back to the first");
        assertTrue(first.executions >= 999, "ran through the links: " + first.executions);
        assertSameAsInterpreter(twoBlockLoop(), run.hart());
    }

    /** The interpreter, run on {@code code} from a fresh hart, ends with {@code translated}'s registers, count and pc. */
    private static void assertSameAsInterpreter(byte[] code, RiscvHart translated) {
        FlatMemory reference = new FlatMemory();
        reference.put(CODE, code);
        RiscvHart hart = new RiscvHart(0, null);
        runToEcall(new Interpreter(), hart, reference);
        assertArrayEquals(hart.x, translated.x);
        assertEquals(hart.instret, translated.instret);
        assertEquals(hart.pc, translated.pc);
    }

    @Test
    void aLoopHeadBecomesOneRegion() {
        FlatMemory memory = new FlatMemory();
        memory.put(CODE, twoBlockLoop());
        Run run = translated(memory, 1 << 20, 10);
        runToEcall(run.runner(), run.hart(), memory);
        assertEquals(3000, run.hart().x[A1]);
        // The loop is entered at its second block (the entry block runs into the first one's
        // jump): its region is headed there, and nothing leaves it at the first one.
        TranslatedBlock loop = run.cache().get(CODE + 16, 0);
        assertEquals(2, loop.guestBlocks, "the loop's two blocks, not the entry or the exit");
        TranslatedBlock first = run.cache().get(CODE + 4, 0);
        assertTrue(first == null || first.guestBlocks == 1, "no second region of the loop: " + first);
        assertSameAsInterpreter(twoBlockLoop(), run.hart());
    }

    /** A loop whose body is an if-else (a forward branch and a jump to the merge block), run a thousand times. */
    private static byte[] loopWithIfElse() {
        Assembler a = new Assembler(CODE);
        a.emit(Assembler.addi(A0, 0, 1000));        // CODE+0: a0 = 1000
        long top = a.here();
        a.emit(Assembler.bne(A2, 0, 16));           // top: a2 != 0: to the else part
        a.emit(Assembler.addi(A2, 0, 1));           // then: a2 = 1, a1 += 3
        a.emit(Assembler.addi(A1, A1, 3));
        a.emit(Assembler.jal(0, 12));               // to the merge block
        a.emit(Assembler.addi(A2, 0, 0));           // else: a2 = 0, a1 += 5
        a.emit(Assembler.addi(A1, A1, 5));
        a.emit(Assembler.addi(A0, A0, -1));         // merge: a0 -= 1
        a.emit(Assembler.bne(A0, 0, top - a.here()));
        a.emit(Assembler.ECALL);
        return a.bytes();
    }

    @Test
    void aLoopRegionStopsForTheRunLimitOnlyAtItsHead() {
        FlatMemory memory = new FlatMemory();
        memory.put(CODE, loopWithIfElse());
        Run run = translated(memory, 1 << 20, 10);
        RiscvHart hart = run.hart();
        hart.pc = CODE;
        long top = CODE + 4;
        java.util.Set<Long> stops = new java.util.TreeSet<>();
        try {
            while (true) {
                // A run limit of a few instructions: the region stops at every check it passes.
                run.runner().run(hart, memory, STOP_AT_ECALL, 7);
                TranslatedBlock loop = run.cache().get(top, 0);
                if (loop != null && loop.guestBlocks > 1) {
                    stops.add(hart.pc);
                }
            }
        } catch (Stop stop) {
            // The ecall ended it.
        }
        TranslatedBlock loop = run.cache().get(top, 0);
        assertEquals(4, loop.guestBlocks, "the test, the then part, the else part and the merge block");
        // Leaving the loop for the ecall's block, the runner may stop there too.
        stops.remove(top + 32);
        assertEquals(java.util.Set.of(top), stops, "where the region stopped for the run limit");
        TranslatedBlock merge = run.cache().get(top + 24, 0);
        assertTrue(merge == null || merge.guestBlocks == 1, "no second region of the loop, headed at the merge block: " + merge);
        assertEquals(1000 / 2 * 3 + 1000 / 2 * 5, hart.x[A1]);
        assertSameAsInterpreter(loopWithIfElse(), hart);
    }

    /**
     * A loop calling through a pointer: f for its first thousand runs, then g. The loop's
     * region follows the call to the f it saw and f's return back into the loop, and when the
     * pointer changes to g the call leaves the unit to g as before.
     */
    private static byte[] loopCallingThroughAPointer(long f, long g) {
        Assembler a = new Assembler(CODE);
        a.emit(Assembler.addi(A0, 0, 2000));
        long top = a.here();
        a.emit(Assembler.jalr(RA, A2, 0));          // call *a2
        a.emit(Assembler.addi(A0, A0, -1));
        a.emit(Assembler.bne(A0, A3, 8));           // at a0 == 1000: a2 = g
        a.emit(Assembler.addi(A2, A4, 0));
        a.emit(Assembler.bne(A0, 0, top - a.here()));
        a.emit(Assembler.ECALL);
        return a.bytes();
    }

    private static byte[] addAndReturn(long at, int amount) {
        Assembler body = new Assembler(at);
        body.emit(Assembler.addi(A1, A1, amount));
        body.emit(Assembler.jalr(0, RA, 0));
        return body.bytes();
    }

    @Test
    void aLoopRegionFollowsACallThroughAPointerAndItsReturn() {
        long f = CODE + 0x800;
        long g = CODE + 0x900;
        RiscvHart[] harts = new RiscvHart[2];
        TranslatedBlock[] loops = new TranslatedBlock[2];
        for (int mode = 0; mode < 2; mode++) {
            FlatMemory memory = new FlatMemory();
            memory.put(CODE, loopCallingThroughAPointer(f, g));
            memory.put(f, addAndReturn(f, 3));
            memory.put(g, addAndReturn(g, 5));
            Run run = translated(memory, 1 << 20, 10);
            HartRunner runner = mode == 0 ? new Interpreter() : run.runner();
            RiscvHart hart = run.hart();
            hart.x[A2] = f;
            hart.x[A3] = 1000;
            hart.x[A4] = g;
            runToEcall(runner, hart, memory);
            harts[mode] = hart;
            loops[0] = run.cache().get(f, 0);
            loops[1] = run.cache().get(g, 0);
        }
        assertEquals(1000 * 3 + 1000 * 5, harts[1].x[A1]);
        // f ran its tenth time first: the region is headed there, and holds the loop's blocks
        // after the return and the call through the pointer back to f; then the same for g.
        for (TranslatedBlock loop : loops) {
            assertNotNull(loop);
            assertTrue(loop.guestBlocks >= 3, "the function, the code after its return and the call in one unit: " + loop.guestBlocks + " blocks");
        }
        assertArrayEquals(harts[0].x, harts[1].x);
        assertEquals(harts[0].pc, harts[1].pc);
        assertEquals(harts[0].instret, harts[1].instret);
    }

    @Test
    void aStoreToTranslatedCodeInvalidatesIt() {
        // f: a0 += 1; ret. The program calls f, overwrites its addi with a0 += 2, calls it again.
        Assembler a = new Assembler(CODE);
        long f = CODE + 0x800;
        a.emit(Assembler.jal(RA, f - a.here()));
        long patch = Assembler.addi(A0, A0, 2) & 0xffff_ffffL;
        // a2 = the new instruction's bits, from data; then it goes over f's first instruction.
        a.emit(Assembler.ld(A2, A3, 0));
        a.emit(Assembler.sw(A2, A1, 0));
        a.emit(Assembler.jal(RA, f - a.here()));
        a.emit(Assembler.ECALL);
        Assembler body = new Assembler(f);
        body.emit(Assembler.addi(A0, A0, 1));
        body.emit(Assembler.jalr(0, RA, 0));
        FlatMemory memory = new FlatMemory();
        memory.put(CODE, a.bytes());
        memory.put(f, body.bytes());
        memory.store(DATA, 8, patch);
        Run run = translated(memory, 1 << 20, 0);
        run.hart().x[A1] = f;
        run.hart().x[A3] = DATA;
        runToEcall(run.runner(), run.hart(), memory);
        assertEquals(3, run.hart().x[A0], "the second call ran the new instruction");
        assertTrue(run.cache().invalidations() > 0);
    }

    @Test
    void theBoundEvictsLeastRecentlyUsedBlocksAndTheProgramRunsOn() {
        // 600 blocks, each: a0 += 1; jump to the next (over a padding instruction).
        Assembler a = new Assembler(CODE);
        for (int i = 0; i < 600; i++) {
            a.emit(Assembler.addi(A0, A0, 1));
            a.emit(Assembler.jal(0, 8));
            a.emit(Assembler.addi(A1, A1, 1));
        }
        a.emit(Assembler.ECALL);
        FlatMemory memory = new FlatMemory();
        memory.put(CODE, a.bytes());
        Run run = translated(memory, 65536, 0);
        runToEcall(run.runner(), run.hart(), memory);
        runToEcall(run.runner(), run.hart(), memory);
        assertEquals(1200, run.hart().x[A0]);
        assertEquals(0, run.hart().x[A1]);
        assertTrue(run.cache().evictions() > 0, "evicted " + run.cache().evictions());
        assertTrue(run.cache().bytes() <= 65536, run.cache().bytes() + " bytes cached");
    }

    @Test
    void aFaultInTheMiddleOfABlockLeavesTheInterpretersState() {
        Assembler a = new Assembler(CODE);
        a.emit(Assembler.addi(A0, A0, 1));
        a.emit(Assembler.addi(A1, A1, 2));
        a.emit(Assembler.ld(A2, A3, 8));
        a.emit(Assembler.addi(A0, A0, 100));
        a.emit(Assembler.ECALL);
        Faulted faulted = runToFaultBothWays(a.bytes(), hart -> {
            hart.x[A3] = 0x4000_0000L;
            hart.instret = 7;
        }, false);
        RiscvHart translated = faulted.harts()[1];
        assertEquals(CODE + 8, translated.pc);
        assertEquals(9, translated.instret);
        assertEquals(1, translated.x[A0]);
        faulted.assertSameFault();
    }

    /**
     * How the interpreter (index 0) and the translator (index 1) left a program that faults.
     *
     * @param run the translator's
     */
    private record Faulted(RiscvHart[] harts, GuestFault[] faults, Run run) {
        /** Both raised the same fault and left the same registers, pc and count. */
        void assertSameFault() {
            assertEquals(faults[0].cause(), faults[1].cause());
            assertEquals(faults[0].tval(), faults[1].tval());
            assertArrayEquals(harts[0].x, harts[1].x);
            assertEquals(harts[0].pc, harts[1].pc);
            assertEquals(harts[0].instret, harts[1].instret);
        }
    }

    /** Runs {@code code} from CODE to its fault under the interpreter and the translator, each hart prepared by {@code setup}. */
    private static Faulted runToFaultBothWays(byte[] code, java.util.function.Consumer<RiscvHart> setup, boolean chained) {
        RiscvHart[] harts = new RiscvHart[2];
        GuestFault[] faults = new GuestFault[2];
        Run run = null;
        for (int mode = 0; mode < 2; mode++) {
            FlatMemory memory = new FlatMemory();
            memory.put(CODE, code);
            run = translated(memory, 1 << 20, 0, chained);
            HartRunner runner = mode == 0 ? new Interpreter() : run.runner();
            RiscvHart hart = run.hart();
            setup.accept(hart);
            faults[mode] = assertThrows(GuestFault.class, () -> runToEcall(runner, hart, memory));
            harts[mode] = hart;
        }
        return new Faulted(harts, faults, run);
    }

    @Test
    void chainedUnitsEnterEachOtherWithoutTheRunner() {
        FlatMemory memory = new FlatMemory();
        memory.put(CODE, twoBlockLoop());
        Run run = translated(memory, 1 << 20, 0, true);
        runToEcall(run.runner(), run.hart(), memory);
        assertEquals(3000, run.hart().x[A1]);
        TranslatedBlock first = run.cache().get(CODE + 4, 0);
        TranslatedBlock second = run.cache().get(CODE + 16, 0);
        assertSame(second, first.links[0]);
        assertSame(first, second.links[1]);
        assertTrue(first.direct && second.direct, "both admitted to direct entry");
        // 2000 unit runs in all; the runner sees the first of each chain only.
        assertTrue(run.runner().directTransfers() > 1500, "entered directly: " + run.runner().directTransfers());
        // The units counted themselves: every run of the loop's two blocks and their instructions
        // (the first round's first block is part of the entry's).
        assertEquals(999, first.executions);
        assertEquals(1000, second.executions);
        assertEquals(1998, first.executedInstructions);
        assertEquals(2000, second.executedInstructions);
        assertSameAsInterpreter(twoBlockLoop(), run.hart());
    }

    @Test
    void chainingStopsAtTheRunLimit() {
        FlatMemory memory = new FlatMemory();
        memory.put(CODE, twoBlockLoop());
        Run run = translated(memory, 1 << 20, 0, true);
        RiscvHart hart = run.hart();
        hart.pc = CODE;
        long ran = run.runner().run(hart, memory, STOP_AT_ECALL, 101);
        // Units of two instructions: the chain returns at the first exit at or past the limit.
        assertTrue(ran >= 101 && ran <= 103, "ran " + ran + " instructions for a limit of 101");
        assertEquals(ran, hart.instret);
    }

    /** Where the rewritten unit lies: a page of its own, so that its predecessors stay valid. */
    private static final long SECOND = CODE + 0x1000;

    /**
     * A loop of chained units, the first of which rewrites the first instruction of the one
     * at {@link #SECOND} (a0 -= 1 becomes a0 -= 2) when a0 reaches 500: from then on that
     * unit must run the new instruction, though the unit before it, whose page was not
     * written, still links to its old translation.
     */
    private static void loopRewritingItsSuccessor(FlatMemory memory) {
        Assembler a = new Assembler(CODE);
        a.emit(Assembler.addi(A0, 0, 1000));        // CODE+0
        long top = a.here();                        // CODE+4
        a.emit(Assembler.addi(A1, A1, 3));
        a.emit(Assembler.bne(A0, A3, 8));           // a0 != 500: over the store
        a.emit(Assembler.sw(A2, A4, 0));            // SECOND's first instruction := a2
        a.emit(Assembler.jal(0, SECOND - a.here()));
        memory.put(CODE, a.bytes());
        Assembler second = new Assembler(SECOND);
        second.emit(Assembler.addi(A0, A0, -1));    // rewritten to a0 -= 2
        second.emit(Assembler.branch(4, 0, A0, top - second.here())); // blt zero, a0: loop while a0 > 0
        second.emit(Assembler.ECALL);
        memory.put(SECOND, second.bytes());
    }

    @Test
    void aChainedSuccessorRewrittenByTheGuestDoesNotRunStale() {
        long patch = Assembler.addi(A0, A0, -2) & 0xffff_ffffL;
        RiscvHart[] harts = new RiscvHart[2];
        Run run = null;
        for (int mode = 0; mode < 2; mode++) {
            FlatMemory memory = new FlatMemory();
            loopRewritingItsSuccessor(memory);
            run = translated(memory, 1 << 20, 0, true);
            HartRunner runner = mode == 0 ? new Interpreter() : run.runner();
            RiscvHart hart = run.hart();
            hart.x[A2] = patch;
            hart.x[A3] = 500;
            hart.x[A4] = SECOND;
            runToEcall(runner, hart, memory);
            harts[mode] = hart;
        }
        // 500 rounds subtracting 1, then 250 subtracting 2: a stale round would change both.
        assertEquals(750 * 3, harts[1].x[A1]);
        assertEquals(0, harts[1].x[A0]);
        assertTrue(run.cache().invalidations() > 0);
        TranslatedBlock jump = run.cache().get(CODE + 16, 0);
        assertNotNull(jump, "the jump's unit, in the page not written, stayed");
        assertTrue(run.runner().directTransfers() > 500, "entered directly: " + run.runner().directTransfers());
        assertArrayEquals(harts[0].x, harts[1].x);
        assertEquals(harts[0].instret, harts[1].instret);
        assertEquals(harts[0].pc, harts[1].pc);
    }

    @Test
    void aFaultInTheSecondUnitOfAChainIsExact() {
        // First unit: a1 += 1, a3 += 2040, jump to the second; second: a0 += 1, load from a3,
        // a0 += 1, jump back. a3 walks off the end of memory in the fifth round, in the second
        // unit of a chain that began at the second round's first unit.
        Assembler a = new Assembler(CODE);
        long top = a.here();
        a.emit(Assembler.addi(A1, A1, 1));
        a.emit(Assembler.addi(A3, A3, 2040));
        a.emit(Assembler.jal(0, 8));
        a.emit(Assembler.addi(A1, A1, 1000));       // (skipped)
        long load = a.here() + 4;
        a.emit(Assembler.addi(A0, A0, 1));
        a.emit(Assembler.ld(A2, A3, 0));
        a.emit(Assembler.addi(A0, A0, 1));
        a.emit(Assembler.jal(0, top - a.here()));
        Faulted faulted = runToFaultBothWays(a.bytes(), hart -> hart.x[A3] = CODE + 0x20000 - 8 - 4 * 2040, true);
        assertEquals(7, faulted.run().runner().directTransfers(), "the faulting unit was the seventh entered directly");
        assertEquals(5, faulted.harts()[1].x[A1]);
        assertEquals(load, faulted.harts()[1].pc);
        faulted.assertSameFault();
    }
}
