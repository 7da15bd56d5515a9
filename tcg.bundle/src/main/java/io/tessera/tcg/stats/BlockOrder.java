package io.tessera.tcg.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the hottest-blocks list is sorted; each order puts the largest first. */
public enum BlockOrder {
    /** Times run. */
    EXECUTIONS(Comparator.comparingLong(BlockStats::executions)),
    /** Code expansion: class-file bytes per guest instruction. */
    EXPANSION(Comparator.comparingDouble(BlockStats::bytesPerInstruction)),
    /** Translation time. */
    TIME(Comparator.comparingLong(BlockStats::translationNanos)),
    /** Guest instructions executed (executions times instructions). */
    INSNS(Comparator.comparingLong(BlockStats::executedInstructions));

    private final Comparator<BlockStats> largestFirst;

    BlockOrder(Comparator<BlockStats> ascending) {
        // Ties by pc, so that equal counts list in a stable order.
        this.largestFirst = ascending.reversed().thenComparingLong(BlockStats::pc).thenComparingLong(BlockStats::flags);
    }

    /** @return the comparator that puts the largest first */
    public Comparator<BlockStats> largestFirst() {
        return largestFirst;
    }

    /** @return its name as users write it */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param word {@code executions}, {@code expansion}, {@code time} or {@code insns}
     * @throws IllegalArgumentException naming the word and the valid ones
     */
    public static BlockOrder parse(String word) {
        for (BlockOrder order : values()) {
            if (order.word().equals(word)) {
                return order;
            }
        }
        throw new IllegalArgumentException("unknown sort order '" + word + "'; valid: "
                + Arrays.stream(values()).map(BlockOrder::word).collect(Collectors.joining(", ")));
    }
}
