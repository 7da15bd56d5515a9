package io.tessera.tcg;

import io.tessera.tcg.stats.BlockStats;
import io.tessera.tcg.stats.TranslationSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The translated blocks of one guest address space, shared by its vCPU threads: keyed by
 * (pc, flags), indexed by the guest pages their code came from so that a write to such a
 * page or a change of its mapping invalidates them, and bounded: past {@code maxBytes} of
 * class files the least recently used blocks go (and with them, once unreferenced, their
 * hidden classes).
 */
public final class TranslationCache {

    private record Key(long pc, long flags) {
    }

    private final Map<Key, TranslatedBlock> blocks = new ConcurrentHashMap<>();
    private final Map<Long, Set<TranslatedBlock>> byPage = new ConcurrentHashMap<>();
    private final long maxBytes;
    private long bytes;
    private volatile long clock;
    private long evictions;
    private long invalidations;

    /** @param maxBytes the bound on the class-file bytes of cached blocks (at least 64 KiB) */
    public TranslationCache(long maxBytes) {
        if (maxBytes < 65536) {
            throw new IllegalArgumentException("translation cache bound " + maxBytes + " bytes: it must be at least 65536");
        }
        this.maxBytes = maxBytes;
    }

    /** @return the valid block for (pc, flags), or null */
    public TranslatedBlock get(long pc, long flags) {
        TranslatedBlock b = blocks.get(new Key(pc, flags));
        if (b != null) {
            b.lastUsed = clock;
        }
        return b;
    }

    /**
     * Adds a block, replacing one of the same key, and evicts the least recently used ones
     * when the bound is passed.
     */
    public synchronized void put(TranslatedBlock block) {
        clock++;
        block.lastUsed = clock;
        TranslatedBlock old = blocks.put(new Key(block.pc, block.flags), block);
        if (old != null) {
            drop(old);
        }
        for (long page : block.pages) {
            byPage.computeIfAbsent(page, p -> ConcurrentHashMap.newKeySet()).add(block);
        }
        bytes += block.size;
        if (bytes > maxBytes) {
            evict();
        }
    }

    private void evict() {
        List<TranslatedBlock> all = new ArrayList<>(blocks.values());
        all.sort(Comparator.comparingLong(b -> b.lastUsed));
        long target = maxBytes - maxBytes / 4;
        for (TranslatedBlock b : all) {
            if (bytes <= target) {
                break;
            }
            blocks.remove(new Key(b.pc, b.flags), b);
            drop(b);
            evictions++;
        }
    }

    /**
     * Lets the exits of other units enter {@code block} directly ({@link TranslatedBlock#direct}),
     * unless it was dropped already: under the cache's lock, so that an invalidation cannot
     * pass between the check and the admission.
     *
     * @return whether it was admitted
     */
    public synchronized boolean admitDirect(TranslatedBlock block) {
        if (block.valid) {
            block.direct = true;
        }
        return block.direct;
    }

    private void drop(TranslatedBlock b) {
        b.direct = false;
        b.valid = false;
        bytes -= b.size;
        java.util.Arrays.fill(b.links, null);
        for (long page : b.pages) {
            Set<TranslatedBlock> set = byPage.get(page);
            if (set != null) {
                set.remove(b);
                if (set.isEmpty()) {
                    byPage.remove(page, set);
                }
            }
        }
    }

    /** Drops {@code block} if it is cached (a translation that raced with a write to its code). */
    public synchronized void remove(TranslatedBlock block) {
        if (blocks.remove(new Key(block.pc, block.flags), block)) {
            drop(block);
            invalidations++;
        }
    }

    /** @return whether some block's code came from guest page {@code page} */
    public boolean holdsCode(long page) {
        return byPage.containsKey(page);
    }

    /** Invalidates the blocks whose code came from pages {@code first..last}. */
    public synchronized void invalidatePages(long first, long last) {
        if (byPage.isEmpty()) {
            return;
        }
        if (last - first > byPage.size()) {
            for (Long page : new ArrayList<>(byPage.keySet())) {
                if (page >= first && page <= last) {
                    invalidatePage(page);
                }
            }
            return;
        }
        for (long page = first; page <= last; page++) {
            invalidatePage(page);
        }
    }

    private void invalidatePage(long page) {
        Set<TranslatedBlock> set = byPage.get(page);
        if (set == null) {
            return;
        }
        for (TranslatedBlock b : new ArrayList<>(set)) {
            if (blocks.remove(new Key(b.pc, b.flags), b)) {
                drop(b);
                invalidations++;
            }
        }
        byPage.remove(page);
    }

    /** Drops every block. */
    public synchronized void clear() {
        for (TranslatedBlock b : blocks.values()) {
            drop(b);
        }
        blocks.clear();
        byPage.clear();
    }

    /** @return the blocks cached now */
    public List<TranslatedBlock> blocks() {
        return List.copyOf(blocks.values());
    }

    /**
     * The counts of every cached block now, read without stopping the threads that run them
     * (for the monitor; never on the hot path).
     *
     * @return a snapshot with the cache's own counts as its summary
     */
    public TranslationSnapshot snapshot() {
        List<BlockStats> stats = new ArrayList<>();
        for (TranslatedBlock b : blocks.values()) {
            List<Long> chained = new ArrayList<>();
            for (TranslatedBlock link : b.links.clone()) {
                if (link != null && link.valid && !chained.contains(link.pc)) {
                    chained.add(link.pc);
                }
            }
            List<Long> targets = java.util.Arrays.stream(b.exitTargets).boxed().distinct().toList();
            stats.add(new BlockStats(b.pc, b.flags, b.executions, b.guestInstructions, b.executedInstructions, b.guestBlocks, b.opsBefore, b.opsAfter, b.size,
                    b.translationNanos, chained, targets));
        }
        String summary;
        synchronized (this) {
            summary = String.format("blocks cached %d (%d KiB of class files, bound %d KiB), evictions %d, invalidations %d", stats.size(),
                    bytes / 1024, maxBytes / 1024, evictions, invalidations);
        }
        return new TranslationSnapshot(stats, summary);
    }

    /** @return class-file bytes of cached blocks */
    public synchronized long bytes() {
        return bytes;
    }

    /** @return blocks evicted by the bound so far */
    public synchronized long evictions() {
        return evictions;
    }

    /** @return blocks invalidated by writes or mapping changes so far */
    public synchronized long invalidations() {
        return invalidations;
    }
}
