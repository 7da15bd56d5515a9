package io.tessera.monitor.shell;

import io.tessera.core.machine.OptionValues;
import io.tessera.tcg.stats.BlockListing;
import io.tessera.tcg.stats.BlockOrder;
import io.tessera.tcg.stats.TranslationReports;
import io.tessera.tcg.stats.TranslationSnapshot;
import io.tessera.tcg.stats.TranslationStatistics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The words of the {@code tcg} command: which machine, which verb, which flags; the text comes
 * from {@link TranslationReports}. Separate from the Gogo component so that it can be tested
 * without a framework: the machines' statistics come from a lookup.
 */
final class TcgCommand {

    static final String USAGE = """
            tcg blocks [MACHINE] [-s executions|expansion|time|insns] [-n N]
                                       the hottest translated blocks (default: by executions, 20)
            tcg block [MACHINE] PC     one block: guest code, IR before and after the optimizer, JVM bytecode
            tcg coverset [MACHINE] PERCENT
                                       the fewest blocks that executed PERCENT % of the guest instructions
            tcg cfg [MACHINE] PC [-d DEPTH] [-o FILE]
                                       the control-flow graph around a block as Graphviz dot (depth 2)
            tcg stats [MACHINE]        the translation cache's counts
            MACHINE may be left out when one machine runs with -accel tcg; PC is decimal or 0x hex""";
    static final List<String> VERBS = List.of("blocks", "block", "coverset", "cfg", "stats", "help");
    static final List<String> FLAGS = List.of("-s", "-n", "-d", "-o");

    private final Supplier<List<String>> machines;
    private final Function<String, Optional<TranslationStatistics>> statistics;

    /**
     * @param machines the names of the machines whose statistics are published
     * @param statistics a machine's statistics by its name
     */
    TcgCommand(Supplier<List<String>> machines, Function<String, Optional<TranslationStatistics>> statistics) {
        this.machines = machines;
        this.statistics = statistics;
    }

    /** The positional words after the verb, and the flags with their values. */
    private record Words(List<String> positional, Map<String, String> flags) {
        static Words of(List<String> words, List<String> allowed, String usage) {
            List<String> positional = new ArrayList<>();
            Map<String, String> flags = new java.util.LinkedHashMap<>();
            for (int i = 0; i < words.size(); i++) {
                String w = words.get(i);
                if (w.startsWith("-") && !w.matches("-\\d.*")) {
                    if (!allowed.contains(w)) {
                        throw new IllegalArgumentException("unknown flag '" + w + "'; usage: " + usage);
                    }
                    if (i + 1 >= words.size()) {
                        throw new IllegalArgumentException(w + " needs a value; usage: " + usage);
                    }
                    flags.put(w, words.get(++i));
                } else {
                    positional.add(w);
                }
            }
            return new Words(positional, flags);
        }
    }

    String run(List<String> words) {
        String verb = words.isEmpty() ? "help" : words.get(0);
        List<String> rest = words.isEmpty() ? List.of() : words.subList(1, words.size());
        return switch (verb) {
            case "help" -> USAGE;
            case "blocks" -> {
                String usage = "tcg blocks [MACHINE] [-s executions|expansion|time|insns] [-n N]";
                Words w = Words.of(rest, List.of("-s", "-n"), usage);
                TranslationSnapshot snapshot = target(w.positional(), 0, usage).snapshot();
                BlockOrder order = BlockOrder.parse(w.flags().getOrDefault("-s", "executions"));
                int count = (int) OptionValues.number("-n", w.flags().getOrDefault("-n", "20"), 1, Integer.MAX_VALUE);
                yield TranslationReports.hottest(snapshot, order, count).stripTrailing();
            }
            case "block" -> {
                String usage = "tcg block [MACHINE] PC";
                Words w = Words.of(rest, List.of(), usage);
                TranslationStatistics stats = target(w.positional(), 1, usage);
                long pc = pc(w.positional(), usage);
                List<BlockListing> listings = stats.listings(pc);
                if (listings.isEmpty()) {
                    throw new IllegalArgumentException(noBlock(stats.snapshot(), pc));
                }
                StringBuilder out = new StringBuilder();
                listings.forEach(l -> out.append(l.text(true)));
                yield out.toString().stripTrailing();
            }
            case "coverset" -> {
                String usage = "tcg coverset [MACHINE] PERCENT";
                Words w = Words.of(rest, List.of(), usage);
                TranslationStatistics stats = target(w.positional(), 1, usage);
                String text = last(w.positional(), "percentage", usage);
                double percent;
                try {
                    percent = Double.parseDouble(text.endsWith("%") ? text.substring(0, text.length() - 1) : text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("percentage '" + text + "': valid values are numbers above 0 and at most 100");
                }
                yield TranslationReports.coverset(stats.snapshot(), percent).stripTrailing();
            }
            case "cfg" -> {
                String usage = "tcg cfg [MACHINE] PC [-d DEPTH] [-o FILE]";
                Words w = Words.of(rest, List.of("-d", "-o"), usage);
                TranslationStatistics stats = target(w.positional(), 1, usage);
                long pc = pc(w.positional(), usage);
                int depth = (int) OptionValues.number("-d", w.flags().getOrDefault("-d", "2"), 0, 1000);
                TranslationSnapshot snapshot = stats.snapshot();
                if (snapshot.at(pc).isEmpty()) {
                    throw new IllegalArgumentException(noBlock(snapshot, pc));
                }
                String dot = TranslationReports.controlFlowGraph(snapshot, pc, depth);
                String file = w.flags().get("-o");
                if (file == null) {
                    yield dot.stripTrailing();
                }
                try {
                    Files.writeString(Path.of(file), dot, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new IllegalArgumentException("-o " + file + ": cannot write it (" + e.getMessage() + ")", e);
                }
                yield "wrote the control-flow graph around 0x" + Long.toHexString(pc) + " to " + file;
            }
            case "stats" -> {
                String usage = "tcg stats [MACHINE]";
                Words w = Words.of(rest, List.of(), usage);
                TranslationSnapshot snapshot = target(w.positional(), 0, usage).snapshot();
                yield snapshot.summary() + "\nguest instructions executed in translated code: " + snapshot.executedInstructions();
            }
            default -> throw new IllegalArgumentException("unknown verb '" + verb + "'; usage:\n" + USAGE);
        };
    }

    /**
     * The machine named by the first positional word when there are more than {@code after}
     * of them, else the one machine that publishes statistics.
     */
    private TranslationStatistics target(List<String> positional, int after, String usage) {
        if (positional.size() > after + 1) {
            throw new IllegalArgumentException("unexpected '" + positional.get(after + 1) + "'; usage: " + usage);
        }
        List<String> names = machines.get();
        if (positional.size() == after + 1) {
            String name = positional.get(0);
            return statistics.apply(name).orElseThrow(() -> new IllegalArgumentException("machine '" + name
                    + "' has no translator statistics (it is not running with -accel tcg, or does not exist); machines with them: "
                    + (names.isEmpty() ? "(none)" : String.join(", ", names))));
        }
        if (names.size() != 1) {
            throw new IllegalArgumentException((names.isEmpty() ? "no machine runs with -accel tcg"
                    : "several machines run with -accel tcg (" + String.join(", ", names) + "): name one") + "; usage: " + usage);
        }
        return statistics.apply(names.get(0)).orElseThrow(() -> new IllegalArgumentException("machine '" + names.get(0) + "' has gone"));
    }

    private static String last(List<String> positional, String what, String usage) {
        if (positional.isEmpty()) {
            throw new IllegalArgumentException("missing " + what + "; usage: " + usage);
        }
        return positional.get(positional.size() - 1);
    }

    private static long pc(List<String> positional, String usage) {
        return OptionValues.number("PC", last(positional, "PC", usage));
    }

    private static String noBlock(TranslationSnapshot snapshot, long pc) {
        return "no translated block starts at 0x" + Long.toHexString(pc) + "; the hottest: " + String.join(", ",
                snapshot.hottest(BlockOrder.EXECUTIONS, 5).stream().map(b -> "0x" + Long.toHexString(b.pc())).toList());
    }
}
