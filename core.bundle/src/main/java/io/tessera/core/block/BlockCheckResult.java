package io.tessera.core.block;

import java.util.List;

/**
 * What a consistency check of an image found and repaired, with {@code qemu-img check}'s
 * fields: errors (references without a matching count, overlapping metadata) make the image
 * unsafe to write; leaks (space counted but unreferenced) only waste space.
 *
 * @param checkErrors checks that could not be done (I/O failures)
 * @param corruptions errors found and left
 * @param leaks leaked clusters found and left
 * @param corruptionsFixed errors repaired
 * @param leaksFixed leaks repaired
 * @param imageEndOffset the end of the used part of the image file in bytes, or -1
 * @param allocatedClusters guest clusters allocated in this image, or -1
 * @param totalClusters guest clusters the disk has, or -1
 * @param fragmentedClusters allocated clusters not following their predecessor in the file, or -1
 * @param compressedClusters compressed clusters, or -1
 * @param messages one line per problem, as qemu-img prints them
 */
public record BlockCheckResult(long checkErrors, long corruptions, long leaks, long corruptionsFixed, long leaksFixed,
        long imageEndOffset, long allocatedClusters, long totalClusters, long fragmentedClusters, long compressedClusters,
        List<String> messages) {

    /** Freezes the messages. */
    public BlockCheckResult {
        messages = List.copyOf(messages);
    }
}
