package io.tessera.core.block;

import java.io.IOException;

/**
 * One extent of a disk as {@link BlockNode#blockStatus} reports it: what {@code qemu-img map}
 * prints per line. Whether a range is {@code data} and whether it is {@code zero} are
 * independent facts: a hole in a sparse file is zero without data; preallocated but unwritten
 * space may be both.
 *
 * @param offset disk offset of the extent's first byte
 * @param length length of the extent in bytes, positive
 * @param data whether the layer at {@code depth} holds data for the range (as opposed to
 *        leaving it unallocated or to a zero marker)
 * @param zero whether the range is known to read as zeroes
 * @param depth which layer of the backing chain provides the range: 0 is the queried node, 1 its
 *        backing node, and so on. Where no layer holds the range, the search stops at a layer
 *        whose backing node is missing or ends before the range: the range reads as zeroes and
 *        gets that layer's depth plus one, with {@code allocated}, {@code data} false and
 *        {@code zero} true ({@code qemu-img map} prints such a range with the stopping layer's
 *        depth and {@code "present": false})
 * @param hostOffset where the range starts in the storage of the layer at {@code depth}
 *        (its {@link BlockNode#file()}), or {@code -1} when it has no such place (unallocated,
 *        compressed, or a zero marker)
 * @param allocated whether the layer at {@code depth} holds the range (data, or a zero marker),
 *        QEMU's {@code BDRV_BLOCK_ALLOCATED}; false where the search stopped (see {@code depth})
 */
public record BlockStatus(long offset, long length, boolean data, boolean zero, int depth, long hostOffset, boolean allocated) {

    /**
     * The status of a range a layer holds itself (data, a zero marker, a hole of a file).
     *
     * @param offset see the record; @param length see the record; @param data see the record
     * @param zero see the record; @param depth see the record; @param hostOffset see the record
     */
    public BlockStatus(long offset, long length, boolean data, boolean zero, int depth, long hostOffset) {
        this(offset, length, data, zero, depth, hostOffset, true);
    }

    /** Checks that the extent is non-empty, within the 64-bit range, and the numbers are meaningful. */
    public BlockStatus {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset: " + offset);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("extent length must be positive: " + length);
        }
        if (offset + length < 0) {
            throw new IllegalArgumentException("extent " + offset + "+" + length + " overflows");
        }
        if (depth < 0) {
            throw new IllegalArgumentException("negative depth: " + depth);
        }
        if (hostOffset < -1) {
            throw new IllegalArgumentException("host offset must be -1 (none) or non-negative: " + hostOffset);
        }
    }

    /**
     * The status of a range that a layer does not allocate: what its backing node holds there,
     * one layer deeper; or, when there is no backing node or the range lies past its end,
     * zeroes where the search stopped (depth 1, not allocated), as QEMU's block status reports
     * them.
     *
     * @param backing the layer's backing node, or {@code null}
     * @param offset the range's start; @param length its length
     * @return the status of the range's first extent
     * @throws IOException if the backing node cannot tell
     * @since 1.2
     */
    public static BlockStatus inBacking(BlockNode backing, long offset, long length) throws IOException {
        if (backing == null || offset >= backing.size()) {
            return new BlockStatus(offset, length, false, true, 1, -1, false);
        }
        BlockStatus below = backing.blockStatus(offset, Math.min(length, backing.size() - offset));
        return new BlockStatus(offset, below.length(), below.data(), below.zero(), below.depth() + 1, below.hostOffset(), below.allocated());
    }

    /** @return the disk offset just past the extent, where the next extent starts */
    public long end() {
        return offset + length;
    }

    /** @return whether {@link #hostOffset()} gives a place in the layer's storage */
    public boolean hasHostOffset() {
        return hostOffset >= 0;
    }
}
