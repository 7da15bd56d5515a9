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
 *        backing node, and so on. A range that no layer allocates reads as zeroes and gets the
 *        chain length as depth (one past the last layer), with {@code data} false and
 *        {@code zero} true, so "allocated somewhere" is {@code depth < chain length}; note that
 *        {@code qemu-img map --output=json} prints such a range with the last layer's depth and
 *        {@code "present": false}
 * @param hostOffset where the range starts in the storage of the layer at {@code depth}
 *        (its {@link BlockNode#file()}), or {@code -1} when it has no such place (unallocated,
 *        compressed, or a zero marker)
 */
public record BlockStatus(long offset, long length, boolean data, boolean zero, int depth, long hostOffset) {

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
     * one layer deeper, or zeroes when there is no backing node or the range lies past its end
     * (with the depth of the whole chain, as QEMU's map reports them).
     *
     * @param backing the layer's backing node, or {@code null}
     * @param offset the range's start; @param length its length
     * @return the status of the range's first extent
     * @throws IOException if the backing node cannot tell
     * @since 1.2
     */
    public static BlockStatus inBacking(BlockNode backing, long offset, long length) throws IOException {
        if (backing == null) {
            return new BlockStatus(offset, length, false, true, 1, -1);
        }
        if (offset >= backing.size()) {
            int depth = 1;
            for (java.util.Optional<BlockNode> b = java.util.Optional.of(backing); b.isPresent(); b = b.get().backing()) {
                depth++;
            }
            return new BlockStatus(offset, length, false, true, depth, -1);
        }
        BlockStatus below = backing.blockStatus(offset, Math.min(length, backing.size() - offset));
        return new BlockStatus(offset, below.length(), below.data(), below.zero(), below.depth() + 1, below.hostOffset());
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
