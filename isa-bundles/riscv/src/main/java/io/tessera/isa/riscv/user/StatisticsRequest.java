package io.tessera.isa.riscv.user;

import io.tessera.core.machine.OptionValues;
import io.tessera.tcg.TranslationCache;
import io.tessera.tcg.stats.BlockOrder;
import io.tessera.tcg.stats.TranslationReports;
import io.tessera.tcg.stats.TranslationSnapshot;
import java.io.PrintStream;

/**
 * What user mode reports about the translator, as {@code -Dtessera.tcg.stats} asks: each
 * thread's counters when it ends, and at a process's end the hottest blocks of its address
 * space and the coverset. The items are comma-separated: {@code true} or {@code threads}
 * (the counters), {@code blocks} or {@code blocks=N} (the N hottest, default 20),
 * {@code sort=executions|expansion|time|insns} (their order, default executions),
 * {@code coverset=PERCENT}.
 *
 * @param threads whether each thread prints its counters when it ends
 * @param blocks how many of the hottest blocks to list at a process's end (0: none)
 * @param order what the list is sorted by
 * @param coverset the share of executed instructions whose coverset to print (0: none)
 */
record StatisticsRequest(boolean threads, int blocks, BlockOrder order, double coverset) {

    static final String PROPERTY = "tessera.tcg.stats";
    static final StatisticsRequest NONE = new StatisticsRequest(false, 0, BlockOrder.EXECUTIONS, 0);
    private static final String VALID = "true or threads, blocks or blocks=N, sort=executions|expansion|time|insns, coverset=PERCENT";

    /**
     * @param text the property's value; null or {@code false}: nothing
     * @throws IllegalArgumentException naming the item that is not valid, with the valid ones
     */
    static StatisticsRequest parse(String text) {
        if (text == null || text.isBlank() || text.trim().equals("false")) {
            return NONE;
        }
        boolean threads = false;
        int blocks = 0;
        BlockOrder order = BlockOrder.EXECUTIONS;
        double coverset = 0;
        for (String item : text.split(",")) {
            String word = item.trim();
            int eq = word.indexOf('=');
            String key = eq < 0 ? word : word.substring(0, eq);
            String value = eq < 0 ? null : word.substring(eq + 1);
            switch (key) {
                case "true", "threads" -> threads = true;
                case "blocks" -> blocks = value == null ? 20 : (int) OptionValues.number(PROPERTY + " blocks", value, 1, Integer.MAX_VALUE);
                case "sort" -> order = BlockOrder.parse(value == null ? "" : value);
                case "coverset" -> {
                    try {
                        coverset = Double.parseDouble(value == null ? "" : value);
                    } catch (NumberFormatException e) {
                        coverset = -1;
                    }
                    if (!(coverset > 0 && coverset <= 100)) {
                        throw new IllegalArgumentException(PROPERTY + ": coverset=" + value + ": valid values are numbers above 0 and at most 100");
                    }
                }
                default -> throw new IllegalArgumentException(PROPERTY + "=" + text + ": '" + word + "' is not valid; valid items: " + VALID);
            }
            if (value != null && (key.equals("true") || key.equals("threads"))) {
                throw new IllegalArgumentException(PROPERTY + "=" + text + ": '" + word + "' takes no value; valid items: " + VALID);
            }
        }
        return new StatisticsRequest(threads, blocks, order, coverset);
    }

    /** @return whether anything is printed at a process's end */
    boolean atExit() {
        return blocks > 0 || coverset > 0;
    }

    /** Prints what was asked of the blocks of {@code cache} (if the process translated anything). */
    void report(String process, TranslationCache cache, PrintStream out) {
        if (!atExit() || cache == null) {
            return;
        }
        TranslationSnapshot snapshot = cache.snapshot();
        StringBuilder text = new StringBuilder("tessera user: " + process + ": " + snapshot.summary() + "\n");
        if (blocks > 0) {
            text.append(TranslationReports.hottest(snapshot, order, blocks));
        }
        if (coverset > 0) {
            text.append(TranslationReports.coverset(snapshot, coverset));
        }
        out.print(text);
    }
}
