package io.tessera.block.qed;

import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.ClusterLayout;
import java.io.IOException;
import java.util.Arrays;

/**
 * Exports a QED image's cluster map for an in-place conversion ({@link ClusterLayout}): every
 * L2 entry as it is (0 unallocated, 1 a zero cluster, else the data's host offset), and the L1
 * and L2 tables as the metadata the new format may release. An image with the need-check bit
 * set is refused: its tables may hold the torn tail of an allocation until a check drops it.
 */
final class QedLayoutExport {

    private final QedNode node;
    private final QedHeader header;
    private final String name;
    private final long fileSize;

    QedLayoutExport(QedNode node, String name, long fileSize) {
        this.node = node;
        this.header = node.header();
        this.name = name;
        this.fileSize = fileSize;
    }

    ClusterLayout export() throws IOException {
        if ((header.features & QedHeader.FEATURE_NEED_CHECK) != 0) {
            throw new BlockFormatException("'" + name + "' cannot be converted in place: it has the need-check bit set (it was not closed"
                    + " cleanly); repair it with check -r all first");
        }
        long clusterSize = header.clusterSize;
        int headerBytes = header.backingFile == null ? QedHeader.LENGTH
                : Math.max(QedHeader.LENGTH, header.backingNameOffset + header.backingNameSize);
        if (headerBytes > clusterSize) {
            throw new BlockFormatException("'" + name + "' keeps its backing file name past its first cluster (offset "
                    + header.backingNameOffset + "); an in-place conversion needs the whole header in cluster 0");
        }
        long guestClusters = (header.imageSize + clusterSize - 1) / clusterSize;
        if (guestClusters > ClusterLayout.MAX_CLUSTERS) {
            throw new BlockFormatException("'" + name + "' has " + guestClusters + " guest clusters; an in-place conversion maps at most "
                    + ClusterLayout.MAX_CLUSTERS);
        }
        long[] clusters = new long[(int) guestClusters];
        int entries = header.tableEntries();
        long[] l1 = node.l1();
        long[] metadata = new long[header.tableSize * 8];
        int metadataCount = 0;
        metadata = addTable(metadata, metadataCount, header.l1TableOffset);
        metadataCount += header.tableSize;
        for (int i = 0; i < entries && (long) i * entries < guestClusters; i++) {
            if (l1[i] == 0) {
                continue;
            }
            metadata = addTable(metadata, metadataCount, l1[i]);
            metadataCount += header.tableSize;
            long[] table = node.l2(l1[i]);
            for (int j = 0; j < entries; j++) {
                long guest = (long) i * entries + j;
                if (guest >= guestClusters) {
                    break;
                }
                long e = table[j];
                if (e > QedNode.ZERO_CLUSTER && (e % clusterSize != 0 || e >= fileSize)) {
                    throw new BlockFormatException("'" + name + "' maps guest offset " + guest * clusterSize + " to host offset " + e
                            + ", outside the file or unaligned; repair it with check -r all first");
                }
                clusters[(int) guest] = e;
            }
        }
        String backingFormat = (header.features & QedHeader.FEATURE_BACKING_RAW) != 0 ? "raw" : null;
        try {
            return new ClusterLayout(clusterSize, header.imageSize, header.backingFile, backingFormat, clusters,
                    Arrays.copyOf(metadata, metadataCount), headerBytes);
        } catch (IllegalArgumentException e) {
            throw new BlockFormatException("'" + name + "' cannot be converted in place: " + e.getMessage() + "; run check on it");
        }
    }

    private long[] addTable(long[] list, int at, long offset) {
        long[] out = at + header.tableSize <= list.length ? list : Arrays.copyOf(list, Math.max(list.length * 2, at + header.tableSize));
        for (int c = 0; c < header.tableSize; c++) {
            out[at + c] = offset + c * header.clusterSize;
        }
        return out;
    }
}
