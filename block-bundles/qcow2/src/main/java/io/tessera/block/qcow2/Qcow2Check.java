package io.tessera.block.qcow2;

import io.tessera.core.block.BlockCheckResult;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockRepair;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code qemu-img check} for qcow2: counts every reference to every host cluster (header, L1,
 * L2 and data clusters of the active state and of each snapshot, the snapshot table, the
 * refcount structures, bitmaps) and compares the counts with the stored refcounts. More stored
 * than referenced is a leak, fewer is an error; the "copied" flags must say exactly whether a
 * count is 1. Repairs set the stored counts to the references (leaks, and with {@code ALL}
 * errors and flags).
 */
final class Qcow2Check {

    private final Qcow2Node node;
    private final Qcow2Header h;
    private final String name;
    private final long clusterSize;
    private final int clusterBits;
    private final long fileClusters;
    private final int[] references;
    private final List<String> messages = new ArrayList<>();
    private long corruptions;
    private long allocated;
    private long fragmented;
    private long compressed;

    Qcow2Check(Qcow2Node node, String name) {
        this.node = node;
        this.h = node.header();
        this.name = name;
        this.clusterSize = h.clusterSize();
        this.clusterBits = h.clusterBits;
        long size = node.fileNode().size();
        this.fileClusters = (size + clusterSize - 1) >>> clusterBits;
        if (fileClusters > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("'" + name + "' is too large to check (" + size + " bytes)");
        }
        this.references = new int[(int) fileClusters];
    }

    BlockCheckResult run(BlockRepair repair) throws IOException {
        count(0, 1, "header");
        count(h.l1TableOffset, clustersOf(h.l1Size * 8L), "L1 table");
        walk(node.l1(), true);
        if (h.snapshotCount > 0) {
            count(h.snapshotsOffset, clustersOf(node.snapshotTableBytes()), "snapshot table");
            for (Qcow2Snapshots.Snapshot s : node.snapshots()) {
                count(s.l1Offset(), clustersOf(s.l1Size() * 8L), "snapshot L1 table");
                walk(node.readL1(s.l1Offset(), s.l1Size()), false);
            }
        }
        count(h.refcountTableOffset, h.refcountTableClusters, "refcount table");
        node.forgetRefcounts();
        Qcow2Refcounts refcounts = node.refcounts();
        long[] table = refcounts.table();
        for (int i = 0; i < table.length; i++) {
            if (table[i] != 0) {
                count(table[i], 1, "refcount block");
            }
        }
        try {
            // With the autoclear bit clear the bitmaps are stale and QEMU ignores them: their clusters count as leaks.
            if ((h.autoclearFeatures & Qcow2Header.AUTOCLEAR_BITMAPS) != 0) {
                Qcow2Bitmaps.references(h, node.fileNode(), name, this::count);
            }
        } catch (BlockFormatException e) {
            corruption("ERROR " + e.getMessage());
        }
        long leaks = 0;
        long leaksFixed = 0;
        long fixed = 0;
        long limit = Math.max(fileClusters, Math.min(refcounts.end(), refcounts.coveredClusters()));
        for (long i = 0; i < limit; i++) {
            long stored = refcounts.get(i);
            long wanted = i < fileClusters ? references[(int) i] : 0;
            if (stored == wanted) {
                continue;
            }
            if (stored > wanted) {
                if (repair != BlockRepair.NONE) {
                    messages.add("Repairing cluster " + i + " refcount=" + stored + " reference=" + wanted);
                    refcounts.set(i, wanted);
                    leaksFixed++;
                } else {
                    messages.add("Leaked cluster " + i + " refcount=" + stored + " reference=" + wanted);
                    leaks++;
                }
            } else if (repair == BlockRepair.ALL) {
                messages.add("Repairing cluster " + i + " refcount=" + stored + " reference=" + wanted);
                refcounts.set(i, wanted);
                fixed++;
            } else {
                corruption("ERROR cluster " + i + " refcount=" + stored + " reference=" + wanted);
            }
        }
        fixed += checkCopiedFlags(refcounts, repair == BlockRepair.ALL);
        if (leaksFixed + fixed > 0) {
            refcounts.writeIncreases();
            node.flushMetadata();
            node.fileNode().flush();
        }
        long highest = -1;
        for (int i = references.length - 1; i >= 0; i--) {
            if (references[i] != 0) {
                highest = i;
                break;
            }
        }
        long guestClusters = (h.size + clusterSize - 1) >>> clusterBits;
        return new BlockCheckResult(0, corruptions, leaks, fixed, leaksFixed, (highest + 1) * clusterSize, allocated, guestClusters,
                fragmented, compressed, messages);
    }

    private long clustersOf(long bytes) {
        return (bytes + clusterSize - 1) >>> clusterBits;
    }

    private void corruption(String message) {
        messages.add(message);
        corruptions++;
    }

    private void count(long offset, long clusters, String what) {
        if ((offset & (clusterSize - 1)) != 0 && !"compressed data".equals(what)) {
            corruption("ERROR " + what + " at offset " + offset + " is not cluster aligned");
            return;
        }
        long first = offset >>> clusterBits;
        for (long i = first; i < first + clusters; i++) {
            if (i >= fileClusters || i < 0) {
                corruption("ERROR " + what + " at offset " + (i << clusterBits) + " is past the end of the image file");
                return;
            }
            references[(int) i]++;
        }
    }

    private void walk(long[] l1, boolean active) {
        for (int i = 0; i < l1.length; i++) {
            long offset = l1[i] & Qcow2Node.L1_OFFSET_MASK;
            if (offset == 0) {
                continue;
            }
            count(offset, 1, "L2 table");
            Qcow2Node.L2Table table;
            try {
                table = node.l2(offset);
            } catch (IOException e) {
                corruption("ERROR " + e.getMessage());
                continue;
            }
            long nextContiguous = 0;
            for (int j = 0; j < table.words.length; j++) {
                long word = table.words[j];
                if ((word & Qcow2Node.COMPRESSED) != 0) {
                    long[] range = node.compressedRange(word);
                    long first = range[0] & ~(clusterSize - 1);
                    long last = (range[0] + range[1] - 1) & ~(clusterSize - 1);
                    if (!node.hasExternalDataFile()) {
                        count(first, ((last - first) >>> clusterBits) + 1, "compressed data");
                    }
                    if (active) {
                        // As QEMU counts them: compressed clusters are fragmented by nature.
                        allocated++;
                        compressed++;
                        fragmented++;
                    }
                    continue;
                }
                long host = word & Qcow2Node.L2_OFFSET_MASK;
                long bitmap = table.bitmaps == null ? 0 : table.bitmaps[j];
                if (!node.hasHostCluster(word)) {
                    if ((bitmap & Qcow2Node.ALL_ALLOCATED) != 0) {
                        corruption("ERROR: L2 table at offset " + Long.toHexString(offset) + ", entry " + j
                                + ": unallocated cluster has allocated subclusters");
                    }
                    continue;
                }
                if ((bitmap & bitmap >>> 32 & Qcow2Node.ALL_ALLOCATED) != 0) {
                    // QEMU's words: a subcluster both allocated and zero.
                    corruption("ERROR offset=" + Long.toHexString(host) + ": Allocated cluster has corrupted subcluster allocation bitmap");
                }
                if (!node.hasExternalDataFile()) {
                    count(host, 1, "data cluster");
                }
                if (active) {
                    allocated++;
                    if (nextContiguous != 0 && host != nextContiguous) {
                        fragmented++;
                    }
                    nextContiguous = host + clusterSize;
                }
            }
        }
    }

    /** The active tables' "copied" flags must be set exactly where the count is 1. */
    private long checkCopiedFlags(Qcow2Refcounts refcounts, boolean repair) throws IOException {
        long fixed = 0;
        long[] l1 = node.l1();
        for (int i = 0; i < l1.length; i++) {
            long offset = l1[i] & Qcow2Node.L1_OFFSET_MASK;
            if (offset == 0) {
                continue;
            }
            long count = refcounts.get(offset >>> clusterBits);
            boolean copied = (l1[i] & Qcow2Node.COPIED) != 0;
            if (copied != (count == 1)) {
                if (repair) {
                    l1[i] = count == 1 ? l1[i] | Qcow2Node.COPIED : l1[i] & ~Qcow2Node.COPIED;
                    node.markL1Dirty();
                    fixed++;
                } else {
                    corruption("ERROR OFLAG_COPIED L2 cluster: l1_index=" + i + " l1_entry=" + Long.toHexString(l1[i]) + " refcount=" + count);
                }
            }
            Qcow2Node.L2Table table;
            try {
                table = node.l2(offset);
            } catch (IOException e) {
                continue;
            }
            for (int j = 0; j < table.words.length; j++) {
                long word = table.words[j];
                long host = word & Qcow2Node.L2_OFFSET_MASK;
                if ((word & Qcow2Node.COMPRESSED) != 0 || host == 0 || node.hasExternalDataFile()) {
                    continue;
                }
                long c = refcounts.get(host >>> clusterBits);
                boolean flag = (word & Qcow2Node.COPIED) != 0;
                if (flag != (c == 1)) {
                    if (repair) {
                        table.words[j] = c == 1 ? word | Qcow2Node.COPIED : word & ~Qcow2Node.COPIED;
                        table.dirty = true;
                        fixed++;
                    } else {
                        corruption("ERROR OFLAG_COPIED data cluster: l2_entry=" + Long.toHexString(word) + " refcount=" + c);
                    }
                }
            }
        }
        return fixed;
    }
}
