package io.tessera.core.block;

import java.io.IOException;
import java.util.BitSet;
import java.util.List;

/**
 * The persistent dirty bitmaps an image stores (qcow2's), as {@code qemu-img bitmap} manages
 * them. A bitmap has one bit per {@code granularity} bytes of the disk; an enabled bitmap gets
 * the bits of every range written to the disk set. Obtained from
 * {@link BlockNode#dirtyBitmaps()}; calls change the image at once and durably.
 *
 * @since 1.3
 */
public interface BlockDirtyBitmaps {

    /**
     * One bitmap as {@code qemu-img info} lists it.
     *
     * @param name its name, unique in the image
     * @param granularity bytes of disk per bit, a power of two
     * @param enabled whether writes set its bits (qcow2's "auto" flag)
     * @param inUse whether a writer had it loaded and did not store it back (then it is
     *        inconsistent and can only be removed)
     */
    record Info(String name, long granularity, boolean enabled, boolean inUse) {
    }

    /**
     * @return the bitmaps in the order the image stores them
     * @throws IOException if the bitmap directory cannot be read
     */
    List<Info> list() throws IOException;

    /**
     * Adds an empty bitmap.
     *
     * @param name a new name, 1 to 1023 bytes of UTF-8
     * @param granularity bytes per bit, a power of two (the format's limits apply)
     * @param enabled whether writes are tracked in it from now on
     * @throws IllegalArgumentException if the name is taken or invalid, or the granularity is
     *         out of the format's range, naming the valid values
     * @throws IOException if the node is read-only or the storage fails
     */
    void add(String name, long granularity, boolean enabled) throws IOException;

    /**
     * Removes a bitmap and frees its clusters.
     *
     * @param name the bitmap
     * @throws java.util.NoSuchElementException if there is none of that name
     * @throws IOException if the node is read-only or the storage fails
     */
    void remove(String name) throws IOException;

    /**
     * Clears every bit of a bitmap.
     *
     * @param name the bitmap
     * @throws java.util.NoSuchElementException if there is none of that name
     * @throws IOException if the node is read-only, the bitmap is in use, or the storage fails
     */
    void clear(String name) throws IOException;

    /**
     * Enables or disables a bitmap: only enabled bitmaps track writes.
     *
     * @param name the bitmap
     * @param enabled the new state
     * @throws java.util.NoSuchElementException if there is none of that name
     * @throws IOException if the node is read-only, the bitmap is in use, or the storage fails
     */
    void setEnabled(String name, boolean enabled) throws IOException;

    /**
     * Reads a bitmap's bits: bit {@code i} covers disk bytes {@code i * granularity} up to the
     * next bit's.
     *
     * @param name the bitmap
     * @return the set bits
     * @throws java.util.NoSuchElementException if there is none of that name
     * @throws IOException if the bitmap is in use or cannot be read
     */
    BitSet bits(String name) throws IOException;

    /**
     * Sets in bitmap {@code target} every bit covering a byte that a source bitmap's set bits
     * cover (the source may come from another image and have another granularity).
     *
     * @param target the bitmap to change
     * @param sourceGranularity bytes per bit of {@code sourceBits}
     * @param sourceBits the source bitmap's bits, as {@link #bits} returns them
     * @throws java.util.NoSuchElementException if there is no target of that name
     * @throws IOException if the node is read-only, the target is in use, or the storage fails
     */
    void merge(String target, long sourceGranularity, BitSet sourceBits) throws IOException;
}
