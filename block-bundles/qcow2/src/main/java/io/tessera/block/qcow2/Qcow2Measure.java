package io.tessera.block.qcow2;

import io.tessera.core.block.BlockMeasure;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@code qemu-img measure -O qcow2}: the file sizes a new qcow2 image needs, computed as QEMU 7.2's
 * {@code qcow2_measure} does so that the numbers are the same. The fully allocated size is the
 * header, every L2 table, the L1 table, the refcount table and blocks that count all of these
 * and the data, and the data; the required size leaves out the data clusters the source does
 * not hold (all of them when only a size is measured).
 */
final class Qcow2Measure {

    private static final Set<String> OPTIONS = Set.of("size", "compat", "cluster_size", "refcount_bits", "lazy_refcounts",
            "preallocation", "backing_file", "backing_fmt", "compression_type", "extended_l2");

    private Qcow2Measure() {
    }

    static BlockMeasure measure(long size, Map<String, String> o, BlockNode source) throws IOException {
        for (String key : o.keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new IllegalArgumentException("Invalid parameter '" + key + "'; qcow2 takes " + new java.util.TreeSet<>(OPTIONS));
            }
        }
        boolean extendedL2 = Qcow2Driver.bool(o, "extended_l2");
        long clusterSize = Qcow2Driver.sizeOption(o, "cluster_size", 65536);
        if (Long.bitCount(clusterSize) != 1 || clusterSize < 512 || clusterSize > (2 << 20)) {
            throw new IllegalArgumentException("Cluster size must be a power of two between 512 and 2048k");
        }
        int version = switch (o.getOrDefault("compat", "1.1")) {
            case "0.10", "v2" -> 2;
            case "1.1", "v3" -> 3;
            default -> throw new IllegalArgumentException("Invalid parameter value for 'compat': it must be 0.10 (v2) or 1.1 (v3)");
        };
        long refcountBits = Qcow2Driver.sizeOption(o, "refcount_bits", 16);
        if (Long.bitCount(refcountBits) != 1 || refcountBits > 64) {
            throw new IllegalArgumentException("Refcount width must be a power of two and may not exceed 64 bits");
        }
        String prealloc = o.getOrDefault("preallocation", "off");
        if (!List.of("off", "metadata", "falloc", "full").contains(prealloc)) {
            throw new IllegalArgumentException("Invalid preallocation mode '" + prealloc + "'; the modes are off, metadata, falloc, full");
        }
        boolean hasBackingFile = o.containsKey("backing_file");
        long virtualSize = roundUp(size, clusterSize);
        long l2EntrySize = extendedL2 ? 16 : 8;
        long l2Tables = ceilDiv(virtualSize / clusterSize, clusterSize / l2EntrySize);
        if (l2Tables * 8 > Qcow2Header.MAX_L1_BYTES) {
            throw new IllegalArgumentException("The image size is too large (try using a larger cluster size)");
        }
        long required = 0;
        if (source != null) {
            long sourceSize = source.size();
            virtualSize = roundUp(sourceSize, clusterSize);
            if (hasBackingFile) {
                // The new backing file may share nothing with the source: every cluster may need writing.
                required = virtualSize;
            } else {
                for (long offset = 0; offset < sourceSize; ) {
                    BlockStatus s = source.blockStatus(offset, sourceSize - offset);
                    long n = s.length();
                    if (!s.zero() && s.data()) {
                        // Whole clusters are counted; the walk goes on from the end of the last one.
                        n = roundUp(offset + n, clusterSize) - offset;
                        required += offset % clusterSize + n;
                    }
                    offset += n;
                }
            }
        }
        if (prealloc.equals("full") || prealloc.equals("falloc")) {
            required = virtualSize;
        }
        long fullyAllocated = preallocatedSize(virtualSize, clusterSize, Long.numberOfTrailingZeros(refcountBits), extendedL2);
        OptionalLong bitmaps = OptionalLong.empty();
        if (version >= 3 && source instanceof Qcow2Node q && q.header().version >= 3) {
            bitmaps = OptionalLong.of(bitmapsSize(q, clusterSize));
        }
        return new BlockMeasure(fullyAllocated - virtualSize + required, fullyAllocated, bitmaps);
    }

    /** QEMU's {@code qcow2_calc_prealloc_size}: header, L2 tables, L1 table, refcount metadata, data. */
    static long preallocatedSize(long totalSize, long clusterSize, int refcountOrder, boolean extendedL2) {
        long aligned = roundUp(totalSize, clusterSize);
        long l2EntrySize = extendedL2 ? 16 : 8;
        long meta = clusterSize;
        long l2Entries = roundUp(aligned / clusterSize, clusterSize / l2EntrySize);
        meta += l2Entries * l2EntrySize;
        long l1Entries = roundUp(l2Entries * l2EntrySize / clusterSize, clusterSize / 8);
        meta += l1Entries * 8;
        meta += refcountMetadataSize((meta + aligned) / clusterSize, clusterSize, refcountOrder);
        return meta + aligned;
    }

    /** QEMU's {@code qcow2_refcount_metadata_size}: the fixed point where the blocks and table count themselves too. */
    static long refcountMetadataSize(long clusters, long clusterSize, int refcountOrder) {
        long blocksPerTableCluster = clusterSize / 8;
        long refcountsPerBlock = clusterSize * 8 / (1L << refcountOrder);
        long table = 0;
        long blocks = 0;
        long n = 0;
        long last;
        do {
            last = n;
            blocks = ceilDiv(clusters + table + blocks, refcountsPerBlock);
            table = ceilDiv(blocks, blocksPerTableCluster);
            n = clusters + blocks + table;
        } while (n != last);
        return (blocks + table) * clusterSize;
    }

    /** Room for the source's persistent bitmaps, each assumed fully allocated, their tables and the directory. */
    private static long bitmapsSize(Qcow2Node source, long clusterSize) {
        Object list = source.imageInfo().formatSpecific().get("bitmaps");
        long total = 0;
        long directory = 0;
        if (list instanceof List<?> bitmaps) {
            for (Object o : bitmaps) {
                Map<?, ?> bitmap = (Map<?, ?>) o;
                long granularity = ((Number) bitmap.get("granularity")).longValue();
                long bytes = ceilDiv(ceilDiv(source.size(), granularity), 8);
                long clusters = ceilDiv(bytes, clusterSize);
                total += clusters * clusterSize + roundUp(clusters * 8, clusterSize);
                directory += roundUp(24 + ((String) bitmap.get("name")).getBytes(StandardCharsets.UTF_8).length, 8);
            }
        }
        return total + roundUp(directory, clusterSize);
    }

    private static long roundUp(long value, long unit) {
        return ceilDiv(value, unit) * unit;
    }

    private static long ceilDiv(long a, long b) {
        return Math.ceilDiv(a, b);
    }
}
