package io.tessera.core.block;

import java.util.OptionalLong;

/**
 * What {@code qemu-img measure} prints: the file size a new image of a format needs.
 *
 * @param required bytes the image file needs for the data given (all of it when measuring a
 *        size only), metadata included
 * @param fullyAllocated bytes the image file takes when every cluster is allocated
 * @param bitmaps bytes the persistent dirty bitmaps of the source take in the new image, when
 *        both the source and the target format can hold them; empty otherwise
 * @since 1.3
 */
public record BlockMeasure(long required, long fullyAllocated, OptionalLong bitmaps) {

    /** Checks that the sizes are not negative. */
    public BlockMeasure {
        if (required < 0 || fullyAllocated < 0 || bitmaps.isPresent() && bitmaps.getAsLong() < 0) {
            throw new IllegalArgumentException("measured sizes must not be negative");
        }
    }
}
