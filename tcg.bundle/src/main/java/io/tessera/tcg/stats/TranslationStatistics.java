package io.tessera.tcg.stats;

import java.util.List;

/**
 * The statistics of one machine's (or address space's) translated code, as its translator
 * keeps them. The counts are read without stopping the vCPUs: a snapshot is consistent per
 * block, not across blocks.
 */
public interface TranslationStatistics {

    /** @return the cached blocks and their counts now */
    TranslationSnapshot snapshot();

    /**
     * Describes the cached blocks that start at {@code pc}: translates each again from the
     * guest bytes it was made from, recording its guest code, IR and class file. The cache
     * is not changed.
     *
     * @param pc a block's entry pc
     * @return one listing per cached block at pc (several when it was translated under
     *         several flags); empty when none is cached there
     */
    List<BlockListing> listings(long pc);
}
