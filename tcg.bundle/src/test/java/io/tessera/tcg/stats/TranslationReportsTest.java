package io.tessera.tcg.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The statistics and their reports on a program of known shape: an entry block, one hot loop
 * block that branches back to itself, an exit block and a cold helper.
 */
class TranslationReportsTest {

    private static final long ENTRY = 0x1000, LOOP = 0x1010, EXIT = 0x1020, HELPER = 0x2000, NEVER = 0x3000;

    /** entry -> loop; loop -> loop (chained), exit (static only); exit -> helper (chained), never (not translated). */
    static TranslationSnapshot program() {
        return new TranslationSnapshot(List.of(
                new BlockStats(ENTRY, 0, 1, 4, 4, 1, 20, 12, 900, 1_000_000, List.of(LOOP), List.of(LOOP)),
                new BlockStats(LOOP, 0, 999, 3, 2997, 1, 15, 9, 700, 2_000_000, List.of(LOOP), List.of(LOOP, EXIT)),
                new BlockStats(EXIT, 0, 1, 5, 5, 1, 25, 20, 3000, 5_000_000, List.of(HELPER), List.of(HELPER, NEVER)),
                new BlockStats(HELPER, 0, 2, 2, 4, 1, 8, 8, 400, 500_000, List.of(), List.of())), "4 blocks");
    }

    @Test
    void executedInstructionsAddUpAndOrdersPickTheirLargest() {
        TranslationSnapshot s = program();
        assertEquals(4 + 2997 + 5 + 4, s.executedInstructions());
        assertEquals(List.of(LOOP, LOOP, EXIT), List.of(s.hottest(BlockOrder.EXECUTIONS, 1).get(0).pc(),
                s.hottest(BlockOrder.INSNS, 1).get(0).pc(), s.hottest(BlockOrder.TIME, 1).get(0).pc()));
        // 3000 bytes for 5 instructions: the largest expansion.
        assertEquals(EXIT, s.hottest(BlockOrder.EXPANSION, 1).get(0).pc());
        assertEquals(4, s.hottest(BlockOrder.EXECUTIONS, 10).size());
    }

    @Test
    void theCoversetOfOneHotLoopIsThatLoop() {
        List<TranslationSnapshot.Covered> set = program().coverset(90);
        assertEquals(1, set.size());
        assertEquals(LOOP, set.get(0).block().pc());
        assertEquals(100.0 * 2997 / 3010, set.get(0).cumulativePercent(), 1e-9);
        // All of it needs every block that ran.
        assertEquals(4, program().coverset(100).size());
        assertEquals(100.0, program().coverset(100).get(3).cumulativePercent(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> program().coverset(0));
        assertThrows(IllegalArgumentException.class, () -> program().coverset(101));
    }

    @Test
    void theHottestTableListsTheLoopFirst() {
        String table = TranslationReports.hottest(program(), BlockOrder.EXECUTIONS, 2);
        String[] lines = table.split("\n");
        assertEquals("4 blocks translated, 3010 guest instructions executed in them; by executions:", lines[0]);
        assertTrue(lines[1].startsWith("PC "), lines[1]);
        assertEquals(List.of("0x1010", "0x0", "999", "3", "1", "2997", "99.57%", "15->9", "700", "233.3", "2.00ms"),
                List.of(lines[2].trim().split("\\s+")));
        assertEquals(4, lines.length);
    }

    @Test
    void theCoversetReportSaysHowManyBlocksCoverWhat() {
        String text = TranslationReports.coverset(program(), 90);
        assertTrue(text.startsWith("1 of 4 blocks cover 99.57 % of the 3010 guest instructions executed in translated code (asked: 90 %)\n"), text);
        assertTrue(text.contains("CUMULATIVE"), text);
    }

    @Test
    void orderWordsAreParsedAndBadOnesRefusedWithTheValidOnes() {
        assertEquals(BlockOrder.EXPANSION, BlockOrder.parse("expansion"));
        assertEquals("unknown sort order 'hot'; valid: executions, expansion, time, insns",
                assertThrows(IllegalArgumentException.class, () -> BlockOrder.parse("hot")).getMessage());
    }

    private static final Pattern NODE = Pattern.compile("^  (\\w+) \\[label=\"([^\"]*)\"(.*)\\];$");
    private static final Pattern EDGE = Pattern.compile("^  (\\w+) -> (\\w+)( \\[style=dashed\\])?;$");

    /** The dot text parsed: node ids with their attributes, edges with whether they are dashed. */
    private record Graph(Map<String, String> nodes, Map<String, String> labels, Map<String, Boolean> edges) {
        static Graph parse(String dot) {
            String[] lines = dot.split("\n");
            assertTrue(lines[0].matches("digraph \"[^\"]+\" \\{"), lines[0]);
            assertEquals("}", lines[lines.length - 1]);
            Map<String, String> nodes = new HashMap<>();
            Map<String, String> labels = new HashMap<>();
            Map<String, Boolean> edges = new HashMap<>();
            for (int i = 1; i < lines.length - 1; i++) {
                Matcher edge = EDGE.matcher(lines[i]);
                Matcher node = NODE.matcher(lines[i]);
                if (edge.matches()) {
                    assertTrue(nodes.containsKey(edge.group(1)) || lines[i].contains(edge.group(1)), "edge from an unknown node: " + lines[i]);
                    edges.put(edge.group(1) + "->" + edge.group(2), edge.group(3) != null);
                } else if (node.matches()) {
                    nodes.put(node.group(1), node.group(3));
                    labels.put(node.group(1), node.group(2));
                } else {
                    assertTrue(lines[i].startsWith("  node ["), "not a node, edge or default: " + lines[i]);
                }
            }
            for (String e : edges.keySet()) {
                for (String end : e.split("->")) {
                    assertTrue(nodes.containsKey(end), "edge " + e + " ends at an undeclared node");
                }
            }
            return new Graph(nodes, labels, edges);
        }
    }

    @Test
    void theControlFlowGraphHasTheBlocksWithinDepthAndTheirEdges() {
        Graph g = Graph.parse(TranslationReports.controlFlowGraph(program(), LOOP, 1));
        // Depth 1 from the loop: itself, entry (a predecessor), exit (a successor); not the helper.
        assertEquals(Set.of("b1000_0", "b1010_0", "b1020_0"), g.nodes().keySet());
        assertEquals(Map.of("b1000_0->b1010_0", false, "b1010_0->b1010_0", false, "b1010_0->b1020_0", true), g.edges());
        assertTrue(g.labels().get("b1010_0").startsWith("0x1010\\n999 runs, 3 insns"), g.labels().get("b1010_0"));
        // The hottest is red, the others paler; the block asked about is outlined.
        assertTrue(g.nodes().get("b1010_0").contains("fillcolor=\"0.000 1.000 1.000\""), g.nodes().get("b1010_0"));
        assertTrue(g.nodes().get("b1010_0").contains("penwidth=3"));
        double entry = Double.parseDouble(g.nodes().get("b1000_0").replaceAll(".*fillcolor=\"0.000 ([0-9.]+) 1.000\".*", "$1"));
        assertTrue(entry > 0 && entry < 1, "entry saturation " + entry);

        Graph all = Graph.parse(TranslationReports.controlFlowGraph(program(), LOOP, 5));
        assertEquals(Set.of("b1000_0", "b1010_0", "b1020_0", "b2000_0", "u3000"), all.nodes().keySet());
        assertEquals(true, all.edges().get("b1020_0->u3000"));
        assertEquals(false, all.edges().get("b1020_0->b2000_0"));
        assertEquals(Set.of("b1000_0->b1010_0", "b1010_0->b1010_0", "b1010_0->b1020_0", "b1020_0->b2000_0", "b1020_0->u3000"),
                new HashSet<>(all.edges().keySet()));

        assertEquals("no translated block starts at 0x4000",
                assertThrows(IllegalArgumentException.class, () -> TranslationReports.controlFlowGraph(program(), 0x4000, 1)).getMessage());
    }
}
