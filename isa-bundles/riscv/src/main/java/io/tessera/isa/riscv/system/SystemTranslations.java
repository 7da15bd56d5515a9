package io.tessera.isa.riscv.system;

import io.tessera.core.isa.TranslatingCpu;
import io.tessera.isa.riscv.tcg.RiscvTranslator;
import io.tessera.tcg.SoftTlb;
import io.tessera.tcg.TranslatedBlock;
import io.tessera.tcg.TranslationCache;
import java.lang.foreign.MemorySegment;
import io.tessera.tcg.stats.BlockListing;
import io.tessera.tcg.stats.BlockStats;
import io.tessera.tcg.stats.TranslationSnapshot;
import io.tessera.tcg.stats.TranslationStatistics;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The translated code of a machine's harts: one {@link TranslationCache} keyed by the virtual
 * pc and flags that name the physical page the code came from, so that harts running the
 * same mapping (the kernel, shared code) share it.
 *
 * <p>Keeping translations true to memory follows the architecture: a hart need not see its
 * own or another hart's stores to instructions until it executes FENCE.I (Zifencei; remote
 * harts are told by an IPI to run theirs). So a store needs no watching; instead each physical
 * page that code was translated from keeps a copy of its bytes as they were, and after a
 * FENCE.I every page whose bytes changed since loses its translations. This covers the
 * guest's own stores, other harts' and DMA alike, at the cost of comparing the code pages at
 * each FENCE.I.
 */
final class SystemTranslations implements TranslatingCpu.SharedTranslations, TranslationStatistics {

    /** Guest basic blocks in one region at most (a loop translated as one method). */
    static final int REGION_BLOCKS = 16;
    /** Guest instructions in one region at most. */
    static final int REGION_INSNS = 512;
    /** Runs of a translated block after which the loop it heads is translated as one region. */
    static final int LOOP_THRESHOLD = 10_000;

    /** Slots of the harts' hotness counts (by pc and physical page). */
    static final int HOTNESS_SLOTS = 1 << 14;

    final TranslationCache cache;
    /**
     * One bit per hotness slot, set once a block of that slot is cached: a hart looks in the
     * shared cache before its own count is reached only there. Written seldom (at translation,
     * under its own lock) and read without one: a bit seen late costs only a longer wait for the
     * unit, and a bit never clears (a slot whose blocks went costs a lookup in the cache).
     */
    private final long[] translatedSlots = new long[HOTNESS_SLOTS / 64];
    final RiscvTranslator translator = new RiscvTranslator(REGION_BLOCKS, REGION_INSNS);
    final int threshold;

    /** The bytes of each physical page code was translated from, as translated. */
    private final Map<Long, byte[]> snapshots = new ConcurrentHashMap<>();
    private long fences;
    private long pagesInvalidated;

    /**
     * @param threshold times a block is interpreted before it is translated (0: at once)
     * @param cacheBytes the bound on class-file bytes kept
     */
    SystemTranslations(int threshold, long cacheBytes) {
        if (threshold < 0 || threshold > Short.MAX_VALUE) {
            throw new IllegalArgumentException("hotness threshold " + threshold + ": valid values are 0 to " + Short.MAX_VALUE);
        }
        this.threshold = threshold;
        this.cache = new TranslationCache(cacheBytes);
    }

    /** @return the slot of the hotness counts that the code at {@code pc} in physical page {@code physicalPage} counts in */
    static int hotnessSlot(long pc, long physicalPage) {
        return (int) ((pc ^ (physicalPage << 5)) >>> 1) & (HOTNESS_SLOTS - 1);
    }

    /** @return whether a block of hotness slot {@code slot} was cached (by any hart) */
    boolean translatedIn(int slot) {
        return (translatedSlots[slot >>> 6] & 1L << slot) != 0;
    }

    /** Caches a block a hart translated, for all harts. */
    void put(TranslatedBlock block) {
        cache.put(block);
        int slot = hotnessSlot(block.pc, block.flags >>> SoftTlb.PAGE_BITS);
        synchronized (translatedSlots) {
            translatedSlots[slot >>> 6] |= 1L << slot;
        }
    }

    /**
     * Remembers the bytes of physical page {@code page} before code is translated from it,
     * unless they are remembered already (then a FENCE.I finds any difference).
     *
     * @param ram the RAM segment holding it, at offset {@code base}
     */
    void snapshot(long page, MemorySegment ram, long base) {
        snapshots.computeIfAbsent(page, p -> ram.asSlice(base, SoftTlb.PAGE_SIZE).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    }

    /**
     * A hart executed FENCE.I: the translations of every page whose bytes are no longer those
     * they were made from go.
     *
     * @param ram how the hart reaches RAM by physical page (its segment and offset), or null for a page that is not RAM
     */
    synchronized void instructionFence(PhysicalRam ram) {
        fences++;
        for (Iterator<Map.Entry<Long, byte[]>> i = snapshots.entrySet().iterator(); i.hasNext();) {
            Map.Entry<Long, byte[]> e = i.next();
            long page = e.getKey();
            MemorySegment now = ram.page(page << SoftTlb.PAGE_BITS);
            if (now == null || now.mismatch(MemorySegment.ofArray(e.getValue())) >= 0) {
                i.remove();
                cache.invalidatePages(page, page);
                pagesInvalidated++;
            }
        }
    }

    /** The bytes of a physical page of RAM. */
    interface PhysicalRam {
        /** @return the page at physical address {@code address}, or null when it is not RAM */
        MemorySegment page(long address);
    }

    @Override
    public synchronized String statistics() {
        return String.format("blocks cached %d (%d KiB of class files), code pages %d, FENCE.I %d (pages invalidated %d), evictions %d",
                cache.blocks().size(), cache.bytes() / 1024, snapshots.size(), fences, pagesInvalidated, cache.evictions());
    }

    @Override
    public TranslationSnapshot snapshot() {
        return cache.snapshot();
    }

    /**
     * Translates each cached block at pc again from the bytes its page had when it was
     * translated, within the page its flags name, as a region if it is one.
     */
    @Override
    public List<BlockListing> listings(long pc) {
        List<BlockListing> listings = new ArrayList<>();
        for (BlockStats block : snapshot().at(pc)) {
            long physicalPage = block.flags() >>> SoftTlb.PAGE_BITS;
            byte[] bytes = snapshots.get(physicalPage);
            if (bytes == null) {
                continue; // invalidated since the snapshot was taken
            }
            RiscvTranslator.PageScope scope = new RiscvTranslator.PageScope(physicalPage, (block.flags() & TranslatedHart.FLAG_FLOAT_DIRTY) != 0);
            BlockListing listing = translator.describe(pc, block.flags(), new TranslatedPageCode(pc >>> SoftTlb.PAGE_BITS, bytes),
                    block.guestBlocks() > 1, scope);
            if (listing != null) {
                listings.add(listing);
            }
        }
        return listings;
    }

    @Override
    public String toString() {
        return "RISC-V translations (threshold " + threshold + ")";
    }
}
