package io.tessera.core.block;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code qemu-img info} shows about one image beyond its size and format.
 *
 * @param clusterSize the allocation unit in bytes, or 0 for formats that have none (raw)
 * @param backingFilename the backing file name as the image stores it, or {@code null}
 * @param backingFormat the backing file's format as the image stores it, or {@code null}
 * @param dirty whether the image was not closed cleanly (qcow2 lazy refcounts, QED need-check)
 * @param snapshots the internal snapshots, oldest first
 * @param formatSpecific qemu-img's {@code format-specific} data for the format, in its order
 *        (values are strings, numbers, booleans, lists or maps of these); empty if none
 */
public record BlockImageInfo(long clusterSize, String backingFilename, String backingFormat, boolean dirty,
        List<BlockSnapshotInfo> snapshots, Map<String, Object> formatSpecific) {

    /** Freezes the lists. */
    public BlockImageInfo {
        snapshots = List.copyOf(snapshots);
        formatSpecific = Objects.requireNonNull(formatSpecific, "formatSpecific");
    }

    /** @return the info of an image with no clusters, backing file, snapshots or format details */
    public static BlockImageInfo plain() {
        return new BlockImageInfo(0, null, null, false, List.of(), Map.of());
    }
}
