package io.tessera.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.tcg.stats.BlockStats;
import io.tessera.tcg.stats.BytecodePrinter;
import io.tessera.tcg.stats.TranslationSnapshot;
import java.lang.invoke.MethodHandles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cache's snapshot reports what its blocks hold, and the bytecode printer shows what the backend generated. */
class TranslationStatisticsTest {

    private static final MethodHandles.Lookup HOST = MethodHandles.lookup();

    /** r2 = r0 + r1, then the exit to {@code target}. */
    private static UnitCompiler.Compiled addAndExit() {
        IrUnit u = new IrUnit(TestState.class);
        int a = u.global("r0", GlobalBinding.arrayElement(TestState.class, "r", 0));
        int b = u.global("r1", GlobalBinding.arrayElement(TestState.class, "r", 1));
        int r = u.global("r2", GlobalBinding.arrayElement(TestState.class, "r", 2));
        u.mov(r, u.binary(Opcode.ADD, a, b));
        u.gotoTb(0);
        return UnitCompiler.compile(u, HOST, true);
    }

    @Test
    void theSnapshotHoldsEachBlocksCountsLinksAndExitTargets() {
        TranslationCache cache = new TranslationCache(1 << 20);
        UnitCompiler.Compiled compiled = addAndExit();
        TranslatedBlock first = new TranslatedBlock(0x100, 3, new long[] {0}, compiled, new long[] {0x200}, 2, 1);
        TranslatedBlock second = new TranslatedBlock(0x200, 3, new long[] {0}, compiled, new long[] {0x100}, 2, 1);
        cache.put(first);
        cache.put(second);
        first.executions = 7;
        first.executedInstructions = 14;
        first.links[0] = second;
        TranslationSnapshot snapshot = cache.snapshot();
        assertEquals(2, snapshot.blocks().size());
        BlockStats stats = snapshot.at(0x100).get(0);
        assertEquals(new BlockStats(0x100, 3, 7, 2, 14, 1, compiled.opsBefore(), compiled.opsAfter(), compiled.classFile().length,
                compiled.nanos(), List.of(0x200L), List.of(0x200L)), stats);
        assertEquals(14, stats.executedInstructions());
        assertEquals(List.of(), snapshot.at(0x200).get(0).chainedTo());
        assertTrue(snapshot.summary().startsWith("blocks cached 2 ("), snapshot.summary());
        // A link to a block that went is not a successor any more.
        cache.invalidatePages(0, 0);
        assertEquals(0, cache.snapshot().blocks().size());
    }

    @Test
    void theBytecodePrinterShowsTheUnitsMethodsAndInstructions() {
        UnitCompiler.Compiled compiled = addAndExit();
        String text = BytecodePrinter.print(compiled.classFile());
        assertTrue(text.contains("run(Ljava/lang/Object;Lio/tessera/tcg/SoftTlb;)I\n"), text);
        assertTrue(text.contains(": ladd\n"), text);
        assertTrue(text.contains(": laload\n") && text.contains(": lastore\n"), text);
        // Offsets rise with each instruction, from 0.
        assertTrue(text.contains("      0: "), text);
        assertTrue(text.lines().filter(l -> l.matches("\\s+\\d+: \\w.*")).count() > 5, text);
    }
}
