package io.tessera.monitor.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.tcg.stats.BlockListing;
import io.tessera.tcg.stats.BlockStats;
import io.tessera.tcg.stats.TranslationSnapshot;
import io.tessera.tcg.stats.TranslationStatistics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tcg command's words: machines, verbs, flags, and what each verb prints or refuses. */
class TcgCommandTest {

    private static final long LOOP = 0x80000040L, ENTRY = 0x80000000L;

    /** A class file with a constructor only, standing in for a translated unit's. */
    private static final byte[] EMPTY_CLASS = java.lang.classfile.ClassFile.of().build(java.lang.constant.ClassDesc.of("Unit"),
            c -> c.withMethodBody("<init>", java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_void), 0,
                    code -> code.aload(0).invokespecial(java.lang.constant.ConstantDescs.CD_Object, "<init>",
                            java.lang.constant.MethodTypeDesc.of(java.lang.constant.ConstantDescs.CD_void)).return_()));

    /** A machine whose loop block ran 15000 instructions of 15012. */
    private static final TranslationStatistics VM = new TranslationStatistics() {
        @Override
        public TranslationSnapshot snapshot() {
            return new TranslationSnapshot(List.of(
                    new BlockStats(ENTRY, 0x80000003L, 1, 6, 6, 1, 30, 20, 800, 1_000_000, List.of(LOOP), List.of(LOOP)),
                    new BlockStats(LOOP, 0x80000003L, 295, 3, 15000, 1, 20, 12, 900, 2_000_000, List.of(LOOP), List.of(LOOP, LOOP + 12)),
                    new BlockStats(LOOP + 12, 0x80000003L, 3, 2, 6, 1, 10, 8, 500, 500_000, List.of(), List.of())), "3 blocks cached");
        }

        @Override
        public List<BlockListing> listings(long pc) {
            return pc != LOOP ? List.of() : List.of(new BlockListing(LOOP, 0x80000003L, 1, List.of("80000040:  addi a0, a0, 3"),
                    "ir before\n", "ir after\n", EMPTY_CLASS, 20, 12, 1000, List.of(LOOP)));
        }
    };

    private final List<String> running = new ArrayList<>(List.of("vm"));
    private final TcgCommand command = new TcgCommand(() -> running, name -> Optional.ofNullable(Map.of("vm", VM).get(name)));

    private String run(String... words) {
        return command.run(List.of(words));
    }

    private String refusal(String... words) {
        return assertThrows(IllegalArgumentException.class, () -> run(words)).getMessage();
    }

    @Test
    void blocksListsTheHottestFirstWithOrWithoutTheMachinesName() {
        String table = run("blocks");
        assertEquals(table, run("blocks", "vm"));
        List<String> lines = table.lines().toList();
        assertEquals("3 blocks translated, 15012 guest instructions executed in them; by executions:", lines.get(0));
        assertTrue(lines.get(2).startsWith("0x80000040  0x80000003  295"), lines.get(2));
        assertEquals(5, lines.size());
        assertEquals(3, run("blocks", "-n", "1", "-s", "insns").lines().count());
        assertTrue(run("blocks", "vm", "-s", "time").lines().toList().get(2).startsWith("0x80000040"));
    }

    @Test
    void blockShowsTheListingSections() {
        String text = run("block", "0x80000040");
        assertTrue(text.startsWith("==== unit 0x80000040: 1 blocks, 20 IR ops -> 12"), text);
        assertTrue(text.contains("-- guest\n  80000040:  addi a0, a0, 3\n-- IR\nir before\n-- IR, optimized\nir after\n-- JVM bytecode\n<init>()V\n"
                + "      0: aload_0\n      1: invokespecial java/lang/Object.<init>()V\n      4: return"), text);
        assertEquals(text, run("block", "vm", String.valueOf(LOOP)));
        assertEquals("no translated block starts at 0x80000044; the hottest: 0x80000040, 0x8000004c, 0x80000000",
                refusal("block", "0x80000044"));
    }

    @Test
    void coversetNamesTheLoop() {
        String text = run("coverset", "90");
        assertTrue(text.startsWith("1 of 3 blocks cover 99.92 % of the 15012 guest instructions"), text);
        assertEquals(3, text.lines().count());
        assertTrue(text.lines().toList().get(2).startsWith("0x80000040"), text);
        assertEquals(text, run("coverset", "vm", "90%"));
        assertEquals("percentage 'most': valid values are numbers above 0 and at most 100", refusal("coverset", "most"));
        assertEquals("coverset percentage 150.0: valid values are above 0 and at most 100", refusal("coverset", "150"));
    }

    @Test
    void cfgPrintsDotOrWritesItToAFile(@TempDir Path dir) throws Exception {
        String dot = run("cfg", "0x80000040", "-d", "1");
        assertTrue(dot.startsWith("digraph \"tcg 0x80000040\" {"), dot);
        assertTrue(dot.contains("b80000040_80000003 -> b80000040_80000003;"), dot);
        Path file = dir.resolve("loop.dot");
        assertEquals("wrote the control-flow graph around 0x80000040 to " + file, run("cfg", "vm", "0x80000040", "-o", file.toString()));
        assertEquals(run("cfg", "0x80000040") + "\n", Files.readString(file));
        assertEquals("-d=-1: valid values are whole numbers from 0 to 1000", refusal("cfg", "0x80000040", "-d", "-1"));
    }

    @Test
    void mistakesAreRefusedWithWhatIsValid() {
        assertEquals("unknown sort order 'hotness'; valid: executions, expansion, time, insns", refusal("blocks", "-s", "hotness"));
        assertEquals("unknown flag '-x'; usage: tcg blocks [MACHINE] [-s executions|expansion|time|insns] [-n N]", refusal("blocks", "-x", "1"));
        assertEquals("-n needs a value; usage: tcg blocks [MACHINE] [-s executions|expansion|time|insns] [-n N]", refusal("blocks", "-n"));
        assertEquals("missing PC; usage: tcg block [MACHINE] PC", refusal("block"));
        assertEquals("PC=pc is not a number; write decimal (4096) or hexadecimal (0x1000)", refusal("block", "pc"));
        assertEquals("machine 'other' has no translator statistics (it is not running with -accel tcg, or does not exist); "
                + "machines with them: vm", refusal("blocks", "other"));
        assertTrue(refusal("fly").startsWith("unknown verb 'fly'; usage:\ntcg blocks"));
        running.add("vm2");
        assertEquals("several machines run with -accel tcg (vm, vm2): name one; usage: tcg coverset [MACHINE] PERCENT", refusal("coverset", "50"));
        running.clear();
        assertEquals("no machine runs with -accel tcg; usage: tcg stats [MACHINE]", refusal("stats"));
    }

    @Test
    void statsPrintsTheCachesCounts() {
        assertEquals("3 blocks cached\nguest instructions executed in translated code: 15012", run("stats"));
        assertTrue(run("help").contains("tcg coverset [MACHINE] PERCENT"));
    }
}
