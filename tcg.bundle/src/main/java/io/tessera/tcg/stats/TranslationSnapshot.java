package io.tessera.tcg.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * The translated blocks of one machine (or address space) at one moment, and what can be
 * worked out from them alone: the hottest blocks and the coverset.
 *
 * @param blocks every cached block's counts
 * @param summary a line of the cache's own counts (blocks, bytes, evictions, invalidations)
 */
public record TranslationSnapshot(List<BlockStats> blocks, String summary) {

    /** Copies the list. */
    public TranslationSnapshot {
        blocks = List.copyOf(blocks);
    }

    /** @return guest instructions executed in translated code, over every block */
    public long executedInstructions() {
        return blocks.stream().mapToLong(BlockStats::executedInstructions).sum();
    }

    /**
     * @param order what to sort by, largest first
     * @param count how many at most
     * @return the first {@code count} blocks in that order
     */
    public List<BlockStats> hottest(BlockOrder order, int count) {
        return blocks.stream().sorted(order.largestFirst()).limit(Math.max(0, count)).toList();
    }

    /** @return the blocks whose entry is {@code pc}, one per set of flags */
    public List<BlockStats> at(long pc) {
        return blocks.stream().filter(b -> b.pc() == pc).sorted(BlockOrder.EXECUTIONS.largestFirst()).toList();
    }

    /**
     * A block of a coverset, with the share of executed instructions it and the blocks before
     * it cover.
     *
     * @param block the block
     * @param cumulativePercent the share of all executed guest instructions covered so far
     */
    public record Covered(BlockStats block, double cumulativePercent) {
    }

    /**
     * The coverset: the fewest blocks that together executed at least {@code percent} % of the
     * guest instructions run in translated code. Taking blocks by executed instructions,
     * largest first, gives the fewest (any other choice of as many covers no more).
     *
     * @param percent the share to cover, above 0 and at most 100
     * @return the blocks in that order, each with the cumulative share; empty when nothing ran
     * @throws IllegalArgumentException if percent is out of range
     */
    public List<Covered> coverset(double percent) {
        if (!(percent > 0 && percent <= 100)) {
            throw new IllegalArgumentException("coverset percentage " + percent + ": valid values are above 0 and at most 100");
        }
        long total = executedInstructions();
        List<Covered> set = new ArrayList<>();
        if (total == 0) {
            return set;
        }
        long covered = 0;
        for (BlockStats b : hottest(BlockOrder.INSNS, blocks.size())) {
            covered += b.executedInstructions();
            set.add(new Covered(b, 100.0 * covered / total));
            // covered / total >= percent / 100, multiplied out so that 100 % means every instruction.
            if (covered * 100.0 >= percent * total) {
                break;
            }
        }
        return set;
    }
}
