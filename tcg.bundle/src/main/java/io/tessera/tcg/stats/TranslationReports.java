package io.tessera.tcg.stats;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The translator's statistics as text, the same for the monitor's {@code tcg} commands and for
 * user mode's report at exit: the hottest blocks, the coverset, the control-flow graph around a
 * block in Graphviz dot.
 */
public final class TranslationReports {

    private static final String[] BLOCK_COLUMNS = {"PC", "FLAGS", "EXECUTIONS", "INSNS", "BLOCKS", "EXECUTED", "SHARE", "IR OPS",
        "BYTES", "B/INSN", "TIME"};

    private TranslationReports() {
    }

    /**
     * The hottest blocks as a table: pc, flags, executions, guest instructions (and basic
     * blocks), executed instructions and their share, IR ops before and after, class-file bytes
     * and per guest instruction, translation time.
     *
     * @param order what to sort by; @param count how many rows at most
     */
    public static String hottest(TranslationSnapshot snapshot, BlockOrder order, int count) {
        long total = snapshot.executedInstructions();
        List<String[]> rows = new ArrayList<>();
        for (BlockStats b : snapshot.hottest(order, count)) {
            rows.add(blockRow(b, total, null));
        }
        if (rows.isEmpty()) {
            return "(no translated blocks)\n";
        }
        return String.format("%d blocks translated, %d guest instructions executed in them; by %s:%n", snapshot.blocks().size(), total,
                order.word()) + columns(BLOCK_COLUMNS, rows);
    }

    /**
     * The coverset as a table: the blocks, as {@link #hottest}, with the cumulative share,
     * after a line that says how many blocks of how many cover what share.
     *
     * @param percent the share of executed guest instructions to cover
     */
    public static String coverset(TranslationSnapshot snapshot, double percent) {
        List<TranslationSnapshot.Covered> set = snapshot.coverset(percent);
        long total = snapshot.executedInstructions();
        if (set.isEmpty()) {
            return "(no guest instructions executed in translated code)\n";
        }
        String[] header = BLOCK_COLUMNS.clone();
        header[6] = "CUMULATIVE";
        List<String[]> rows = new ArrayList<>();
        for (TranslationSnapshot.Covered c : set) {
            rows.add(blockRow(c.block(), total, c.cumulativePercent()));
        }
        return String.format(Locale.ROOT, "%d of %d blocks cover %.2f %% of the %d guest instructions executed in translated code (asked: %s %%)%n",
                set.size(), snapshot.blocks().size(), set.get(set.size() - 1).cumulativePercent(), total, number(percent))
                + columns(header, rows);
    }

    private static String[] blockRow(BlockStats b, long total, Double cumulative) {
        double share = cumulative != null ? cumulative : total == 0 ? 0 : 100.0 * b.executedInstructions() / total;
        return new String[] {hex(b.pc()), hex(b.flags()), String.valueOf(b.executions()), String.valueOf(b.guestInstructions()),
            String.valueOf(b.guestBlocks()), String.valueOf(b.executedInstructions()), String.format(Locale.ROOT, "%.2f%%", share),
            b.irOpsBefore() + "->" + b.irOpsAfter(), String.valueOf(b.bytecodeBytes()),
            String.format(Locale.ROOT, "%.1f", b.bytesPerInstruction()), String.format(Locale.ROOT, "%.2fms", b.translationNanos() / 1e6)};
    }

    /** Columns padded to their widest cell, numbers and names alike left-aligned, two spaces apart. */
    private static String columns(String[] header, List<String[]> rows) {
        int[] widths = new int[header.length];
        List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (String[] row : all) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(String.format("%-" + (widths[i] + 2) + "s", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /**
     * The control-flow graph around the blocks at {@code pc}, in Graphviz dot: the blocks
     * reached from them within {@code depth} edges, forwards and backwards, as nodes labelled
     * with pc, executions and instructions and filled by hotness (executed instructions, on a
     * logarithmic scale from white to red); edges from chain links (solid) and from exits not
     * chained (dashed); successors that were never translated as grey outlined nodes.
     *
     * @param depth edges to follow from the blocks at pc, at least 0
     * @throws IllegalArgumentException if no block starts at pc, or depth is negative
     */
    public static String controlFlowGraph(TranslationSnapshot snapshot, long pc, int depth) {
        if (depth < 0) {
            throw new IllegalArgumentException("depth " + depth + ": valid values are 0 or more");
        }
        Map<Long, List<BlockStats>> byPc = new HashMap<>();
        for (BlockStats b : snapshot.blocks()) {
            byPc.computeIfAbsent(b.pc(), p -> new ArrayList<>()).add(b);
        }
        if (!byPc.containsKey(pc)) {
            throw new IllegalArgumentException("no translated block starts at " + hex(pc));
        }
        Map<Long, List<BlockStats>> predecessors = new HashMap<>();
        for (BlockStats b : snapshot.blocks()) {
            for (long s : b.successors()) {
                predecessors.computeIfAbsent(s, p -> new ArrayList<>()).add(b);
            }
        }
        // Breadth first over entry pcs, both directions.
        Map<Long, Integer> distance = new LinkedHashMap<>();
        ArrayDeque<Long> work = new ArrayDeque<>(List.of(pc));
        distance.put(pc, 0);
        while (!work.isEmpty()) {
            long at = work.poll();
            int d = distance.get(at);
            if (d == depth) {
                continue;
            }
            Set<Long> next = new LinkedHashSet<>();
            byPc.getOrDefault(at, List.of()).forEach(b -> next.addAll(b.successors()));
            predecessors.getOrDefault(at, List.of()).forEach(b -> next.add(b.pc()));
            for (long n : next) {
                if (distance.putIfAbsent(n, d + 1) == null) {
                    work.add(n);
                }
            }
        }
        List<BlockStats> nodes = distance.keySet().stream().flatMap(p -> byPc.getOrDefault(p, List.of()).stream())
                .sorted(Comparator.comparingLong(BlockStats::pc).thenComparingLong(BlockStats::flags)).toList();
        long hottest = nodes.stream().mapToLong(BlockStats::executedInstructions).max().orElse(0);
        StringBuilder dot = new StringBuilder();
        dot.append("digraph \"tcg ").append(hex(pc)).append("\" {\n");
        dot.append("  node [shape=box, style=filled, fontname=\"monospace\"];\n");
        for (BlockStats b : nodes) {
            dot.append("  ").append(nodeId(b)).append(" [label=\"").append(hex(b.pc()));
            if (byPc.get(b.pc()).size() > 1) {
                dot.append(" flags ").append(hex(b.flags()));
            }
            dot.append("\\n").append(b.executions()).append(" runs, ").append(b.guestInstructions()).append(" insns\\n")
                    .append(b.executedInstructions()).append(" executed\", fillcolor=\"").append(heat(b.executedInstructions(), hottest))
                    .append('"').append(b.pc() == pc ? ", penwidth=3" : "").append("];\n");
        }
        Set<Long> untranslated = new java.util.TreeSet<>(Long::compareUnsigned);
        StringBuilder edges = new StringBuilder();
        for (BlockStats b : nodes) {
            for (long s : b.successors()) {
                if (!distance.containsKey(s)) {
                    continue;
                }
                String style = b.chainedTo().contains(s) ? "" : " [style=dashed]";
                List<BlockStats> targets = byPc.get(s);
                if (targets == null) {
                    untranslated.add(s);
                    edges.append("  ").append(nodeId(b)).append(" -> ").append(untranslatedId(s)).append(style).append(";\n");
                } else {
                    for (BlockStats t : targets) {
                        edges.append("  ").append(nodeId(b)).append(" -> ").append(nodeId(t)).append(style).append(";\n");
                    }
                }
            }
        }
        for (long s : untranslated) {
            dot.append("  ").append(untranslatedId(s)).append(" [label=\"").append(hex(s))
                    .append("\\nnot translated\", style=dashed, color=grey, fontcolor=grey];\n");
        }
        dot.append(edges).append("}\n");
        return dot.toString();
    }

    /** A fill colour from white (cold) to red (the hottest), on a logarithmic scale, as HSV. */
    private static String heat(long executed, long hottest) {
        double saturation = hottest <= 0 || executed <= 0 ? 0 : Math.log1p(executed) / Math.log1p(hottest);
        return String.format(Locale.ROOT, "0.000 %.3f 1.000", saturation);
    }

    private static String nodeId(BlockStats b) {
        return "b" + Long.toHexString(b.pc()) + "_" + Long.toHexString(b.flags());
    }

    private static String untranslatedId(long pc) {
        return "u" + Long.toHexString(pc);
    }

    private static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
