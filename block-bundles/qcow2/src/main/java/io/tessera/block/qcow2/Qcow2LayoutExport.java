package io.tessera.block.qcow2;

import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.ClusterLayout;
import java.io.IOException;
import java.util.Arrays;

/**
 * Exports a qcow2 image's cluster map for an in-place conversion ({@link ClusterLayout}),
 * refusing every feature a plain map of guest clusters to host clusters cannot carry:
 * encryption, an external data file, extended L2 entries, internal snapshots, persistent
 * bitmaps, compressed clusters, and the dirty or corrupt state (whose tables cannot be trusted
 * until {@code check -r} has run). Zero clusters, with or without preallocated space, become
 * {@link ClusterLayout#ZERO}; the space of a preallocated zero cluster is left behind.
 */
final class Qcow2LayoutExport {

    private final Qcow2Node node;
    private final Qcow2Header header;
    private final String name;
    private final long clusterSize;

    Qcow2LayoutExport(Qcow2Node node, String name) {
        this.node = node;
        this.header = node.header();
        this.name = name;
        this.clusterSize = header.clusterSize();
    }

    ClusterLayout export() throws IOException {
        refuseFeatures();
        long guestClusters = (header.size + clusterSize - 1) / clusterSize;
        if (guestClusters > ClusterLayout.MAX_CLUSTERS) {
            throw new BlockFormatException("'" + name + "' has " + guestClusters + " guest clusters; an in-place conversion maps at most "
                    + ClusterLayout.MAX_CLUSTERS);
        }
        long[] clusters = new long[(int) guestClusters];
        long[] metadata = new long[16];
        int metadataCount = 0;
        long l1Clusters = ((long) header.l1Size * 8 + clusterSize - 1) / clusterSize;
        for (long c = 0; c < l1Clusters; c++) {
            metadata = add(metadata, metadataCount++, header.l1TableOffset + c * clusterSize);
        }
        for (long c = 0; c < header.refcountTableClusters; c++) {
            metadata = add(metadata, metadataCount++, header.refcountTableOffset + c * clusterSize);
        }
        for (long block : node.refcounts().table()) {
            if (block != 0) {
                metadata = add(metadata, metadataCount++, block);
            }
        }
        int l2Entries = (int) (clusterSize / 8);
        long[] l1 = node.l1();
        for (int i = 0; i < l1.length && (long) i * l2Entries < guestClusters; i++) {
            long tableOffset = l1[i] & Qcow2Node.L1_OFFSET_MASK;
            if (tableOffset == 0) {
                continue;
            }
            metadata = add(metadata, metadataCount++, tableOffset);
            Qcow2Node.L2Table table = node.l2(tableOffset);
            for (int j = 0; j < l2Entries; j++) {
                long guest = (long) i * l2Entries + j;
                if (guest >= guestClusters) {
                    break;
                }
                clusters[(int) guest] = mapping(table.words[j], guest);
            }
        }
        int headerBytes = (int) Math.max(header.parsedExtensionsEnd, header.backingFileOffset + header.backingFileSize);
        try {
            return new ClusterLayout(clusterSize, header.size, header.backingFile, header.backingFormat, clusters,
                    Arrays.copyOf(metadata, metadataCount), headerBytes);
        } catch (IllegalArgumentException e) {
            throw new BlockFormatException("'" + name + "' cannot be converted in place: " + e.getMessage() + "; run check on it");
        }
    }

    private long mapping(long word, long guest) throws BlockFormatException {
        if ((word & Qcow2Node.COMPRESSED) != 0) {
            throw new BlockFormatException("'" + name + "' has compressed clusters (the first at guest offset " + guest * clusterSize
                    + "), which an in-place conversion cannot carry (QED has no compression); convert it to a new file instead");
        }
        if (header.version >= 3 && (word & Qcow2Node.ZERO) != 0) {
            return ClusterLayout.ZERO;
        }
        long host = word & Qcow2Node.L2_OFFSET_MASK;
        if (host != 0 && (host & (clusterSize - 1)) != 0) {
            throw new BlockFormatException("'" + name + "' maps guest offset " + guest * clusterSize + " to unaligned host offset " + host
                    + "; run check on it");
        }
        return host == 0 ? ClusterLayout.UNALLOCATED : host;
    }

    private void refuseFeatures() throws BlockFormatException {
        String refused = null;
        if (node.hasExternalDataFile() || header.dataFile != null) {
            refused = "an external data file ('" + header.dataFile + "'), whose clusters are not in the image file";
        } else if (header.extendedL2()) {
            refused = "extended L2 entries (subclusters), which QED cannot express";
        } else if (header.snapshotCount > 0) {
            refused = header.snapshotCount + " internal snapshot(s), which QED cannot hold; delete them (snapshot -d) first";
        } else if (header.bitmapsExtension != null) {
            refused = "persistent dirty bitmaps, which QED cannot hold; remove them (qemu-img bitmap --remove) first";
        } else if (header.cryptMethod != 0) {
            refused = "encryption, which QED cannot express";
        } else if ((header.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0) {
            refused = "the corrupt bit set; repair it with check -r all first";
        } else if ((header.incompatibleFeatures & Qcow2Header.INCOMPAT_DIRTY) != 0) {
            refused = "the dirty bit set (lazy refcounts left stale); repair it with check -r all first";
        }
        if (refused != null) {
            throw new BlockFormatException("'" + name + "' cannot be converted in place: it has " + refused);
        }
    }

    private static long[] add(long[] list, int at, long value) {
        long[] out = at < list.length ? list : Arrays.copyOf(list, list.length * 2);
        out[at] = value;
        return out;
    }
}
