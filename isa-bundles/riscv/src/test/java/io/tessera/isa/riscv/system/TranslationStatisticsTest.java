package io.tessera.isa.riscv.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.isa.CpuConfig;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.memory.RamRegion;
import io.tessera.core.runtime.clock.HostVirtualClock;
import io.tessera.core.runtime.memory.FlatAddressSpace;
import io.tessera.isa.riscv.RiscvIsa;
import io.tessera.isa.riscv.platform.Timebase;
import io.tessera.tcg.stats.BlockListing;
import io.tessera.tcg.stats.BlockOrder;
import io.tessera.tcg.stats.BlockStats;
import io.tessera.tcg.stats.TranslationReports;
import io.tessera.tcg.stats.TranslationSnapshot;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine's translation statistics on a program of known shape: a loop of three
 * instructions run 5000 times in M-mode, everything translated before it first runs. The loop
 * is the hottest block, with the instructions the program executes in it, and alone the coverset; its
 * listing is the loop's code; its graph has the edges into and out of the loop.
 */
class TranslationStatisticsTest {

    private static final long RAM = 0x8000_0000L;
    private static final long RESULTS = 0x8020_0000L;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final String PROGRAM = """
            .option norvc
            .text
            .globl _start
        _start:
            li t0, 5000
            li a0, 0
            li s0, 0x80200000
            j loop
            .balign 64                  # loop at 0x80000040
        loop:
            addi a0, a0, 3
            addi t0, t0, -1
            bnez t0, loop
            sd a0, 0(s0)
            li t1, 0x600d
            sd t1, 8(s0)
        1:  j 1b
        """;

    @Test
    void theHotLoopIsTheHottestBlockAndTheCoverset(@TempDir Path work) throws Exception {
        byte[] image = BareMetalImage.assemble(work, "loop", PROGRAM);
        ContainerRegion root = new ContainerRegion("root", 1L << 40);
        RamRegion ram = RamRegion.ram("ram", 4 << 20);
        root.addSubregion(RAM, ram);
        MemorySegment m = ram.segment();
        MemorySegment.copy(image, 0, m, ValueLayout.JAVA_BYTE, 0, image.length);
        long loop = RAM + 64;
        SystemTranslations translations;
        try (HostVirtualClock clock = new HostVirtualClock("test", true)) {
            SystemHart hart = (SystemHart) new RiscvIsa().createCpu(new CpuConfig(0, "rv64"));
            hart.connect(new FlatAddressSpace("bus", root), new Timebase(clock, 10_000_000));
            hart.setPc(RAM);
            translations = (SystemTranslations) hart.newSharedTranslations(0, 1 << 20);
            // Small steps, so that the final self-loop runs little once the program is done.
            for (int i = 0; i < 100_000 && m.get(LONG, RESULTS - RAM + 8) != 0x600d; i++) {
                hart.runTranslated(50, translations);
            }
        }
        assertEquals(0x600d, m.get(LONG, RESULTS - RAM + 8), "the program did not finish");
        assertEquals(15000, m.get(LONG, RESULTS - RAM));

        TranslationSnapshot snapshot = translations.snapshot();
        BlockStats hottest = snapshot.hottest(BlockOrder.INSNS, 1).get(0);
        assertEquals(loop, hottest.pc());
        assertEquals(3, hottest.guestInstructions());
        // The block branches to its own entry: it loops within its unit, up to the run limit each time it is entered.
        assertTrue(hottest.executions() > 0 && hottest.executions() < 5000, hottest.toString());
        assertEquals(15000, hottest.executedInstructions(), "5000 iterations of 3 instructions");
        // The branch back is inside the unit; its one exit leads on, and was chained when the loop ended.
        assertEquals(List.of(loop + 12), hottest.exitTargets(), "the fall-through is the only exit");
        assertEquals(List.of(loop + 12), hottest.chainedTo(), "the exit taken when the loop ended");
        assertTrue(hottest.irOpsAfter() > 0 && hottest.irOpsAfter() <= hottest.irOpsBefore(), hottest.toString());
        assertTrue(hottest.bytecodeBytes() > 0 && hottest.translationNanos() > 0, hottest.toString());

        List<TranslationSnapshot.Covered> coverset = snapshot.coverset(90);
        assertEquals(1, coverset.size(), coverset.toString());
        assertEquals(loop, coverset.get(0).block().pc());

        List<BlockListing> listings = translations.listings(loop);
        assertEquals(1, listings.size());
        BlockListing listing = listings.get(0);
        assertEquals(List.of("80000040:  addi a0,a0,3", "80000044:  addi t0,t0,-1", "80000048:  bne t0,zero,80000040"),
                listing.guest());
        assertEquals(hottest.irOpsBefore(), listing.opsBefore());
        assertEquals(hottest.irOpsAfter(), listing.opsAfter());
        assertEquals(hottest.bytecodeBytes(), listing.classFile().length, "translated again, it is the same unit");
        String text = listing.text(true);
        for (String section : List.of("-- guest\n", "-- IR\n", "-- IR, optimized\n", "-- JVM bytecode\n")) {
            assertTrue(text.contains(section), section + " missing:\n" + text);
        }
        assertTrue(text.contains("run(Ljava/lang/Object;Lio/tessera/tcg/SoftTlb;)I"), text);
        assertEquals(List.of(), translations.listings(loop + 4), "no block starts inside the loop");

        String dot = TranslationReports.controlFlowGraph(snapshot, loop, 1);
        String self = "b" + Long.toHexString(loop) + "_" + Long.toHexString(hottest.flags());
        String after = "b" + Long.toHexString(loop + 12) + "_" + Long.toHexString(hottest.flags());
        assertTrue(dot.contains("  " + self + " -> " + after + ";\n"), dot);
        assertTrue(dot.contains(" -> " + self + ";\n"), "the entry block's edge to the loop:\n" + dot);
        assertTrue(dot.contains("  " + self + " [label=\"0x80000040\\n" + hottest.executions() + " runs, 3 insns\\n15000 executed\""), dot);
    }
}
