package io.tessera.tcg;

import java.util.Arrays;

/**
 * A vCPU's own direct-mapped cache from pc to block, in front of the shared
 * {@link TranslationCache}: no locking, no allocation. Entries may be stale (invalid blocks);
 * callers check {@link TranslatedBlock#valid}.
 */
public final class JumpCache {
    private static final int BITS = 12;
    private final TranslatedBlock[] entries = new TranslatedBlock[1 << BITS];

    private static int index(long pc) {
        return (int) ((pc >>> 1) ^ (pc >>> (BITS + 1))) & ((1 << BITS) - 1);
    }

    /** @return the valid block for (pc, flags) held here, or null */
    public TranslatedBlock get(long pc, long flags) {
        TranslatedBlock b = entries[index(pc)];
        return b != null && b.pc == pc && b.flags == flags && b.valid ? b : null;
    }

    /** Remembers {@code block}. */
    public void put(TranslatedBlock block) {
        entries[index(block.pc)] = block;
    }

    /** Forgets everything. */
    public void clear() {
        Arrays.fill(entries, null);
    }
}
