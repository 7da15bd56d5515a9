package io.tessera.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Guest RAM or ROM: an off-heap {@link MemorySegment}, the same memory the translator's
 * fast path and KVM use. Tracks which pages were written (through an address space) so that
 * display refresh, migration and incremental backup can fetch and clear the dirty pages in
 * one call.
 *
 * <p>A ROM is a RAM region that refuses guest writes; its owner fills it through
 * {@link #segment()}.
 */
public final class RamRegion extends MemoryRegion implements AutoCloseable {

    /** Granularity of dirty tracking. */
    public static final int PAGE_SIZE = 4096;
    private static final int PAGE_SHIFT = 12;

    private final Arena arena;
    private final MemorySegment segment;
    private final boolean readOnly;
    private final AtomicLongArray dirty;

    private RamRegion(String name, long size, boolean readOnly) {
        super(name, size);
        this.arena = Arena.ofShared();
        this.segment = LazyZeroMemory.allocate(arena, size);
        this.readOnly = readOnly;
        long pages = (size + PAGE_SIZE - 1) >>> PAGE_SHIFT;
        this.dirty = new AtomicLongArray((int) ((pages + 63) >>> 6));
    }

    /** Allocates zeroed RAM of {@code size} bytes. */
    public static RamRegion ram(String name, long size) {
        return new RamRegion(name, size, false);
    }

    /** Allocates a ROM holding {@code contents}, padded with zeroes to {@code size} bytes. */
    public static RamRegion rom(String name, long size, byte[] contents) {
        if (contents.length > size) {
            throw new IllegalArgumentException("ROM '" + name + "' of " + size + " bytes cannot hold " + contents.length + " bytes");
        }
        RamRegion rom = new RamRegion(name, size, true);
        MemorySegment.copy(contents, 0, rom.segment, ValueLayout.JAVA_BYTE, 0, contents.length);
        return rom;
    }

    /** @return the backing memory; the caller must stay within {@link #size()} */
    public MemorySegment segment() {
        return segment;
    }

    /** @return whether guest writes are refused (a ROM) */
    public boolean isReadOnly() {
        return readOnly;
    }

    /** Records that bytes {@code [offset, offset + length)} were written. */
    public void markDirty(long offset, long length) {
        if (length <= 0) {
            return;
        }
        long first = offset >>> PAGE_SHIFT;
        long last = (offset + length - 1) >>> PAGE_SHIFT;
        for (long page = first; page <= last; page++) {
            int word = (int) (page >>> 6);
            long bit = 1L << (page & 63);
            long old = dirty.get(word);
            while ((old & bit) == 0 && !dirty.compareAndSet(word, old, old | bit)) {
                old = dirty.get(word);
            }
        }
    }

    /**
     * Returns the pages written since the last call and clears them, atomically per page.
     *
     * @return bit {@code i} set when page {@code i} (of {@link #PAGE_SIZE} bytes) is dirty
     */
    public BitSet fetchAndClearDirty() {
        BitSet pages = new BitSet();
        for (int word = 0; word < dirty.length(); word++) {
            long bits = dirty.getAndSet(word, 0);
            while (bits != 0) {
                int bit = Long.numberOfTrailingZeros(bits);
                pages.set(word * 64 + bit);
                bits &= bits - 1;
            }
        }
        return pages;
    }

    /** Frees the memory; later accesses fail. */
    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String kind() {
        return readOnly ? "rom" : "ram";
    }
}
