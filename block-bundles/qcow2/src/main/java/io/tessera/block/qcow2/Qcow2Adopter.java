package io.tessera.block.qcow2;

import io.tessera.core.block.BlockAdoptRequest;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.ClusterLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * Turns an image of another format (QED) into qcow2 version 3 in place, keeping every data
 * cluster where it is ({@code tessera img convert --in-place -O qcow2}): 16-bit refcounts that
 * count exactly the header, the data clusters and the new tables, so {@code qemu-img check}
 * finds neither leaks nor errors; the old format's tables become free clusters.
 *
 * <p>The order makes a crash at any point harmless:
 * <ol>
 * <li>Check everything first (cluster size, L1 and refcount table limits, backing name, data
 * inside the file), so a refusal leaves the file untouched.
 * <li>Append past the end of the file (cluster aligned), where the old format has nothing: the L2
 * tables ("copied" set on data, zero clusters as the zero flag), the L1 table, the refcount
 * blocks (which count themselves) and the refcount table. Write the backing file name into the
 * header cluster past the first sector and past every byte the old header uses
 * ({@link ClusterLayout#freeHeaderOffset()}).
 * <li>Flush. Until now the file is the old image with an unreferenced tail.
 * <li>Commit: one write of the first sector with the qcow2 header and its extensions (backing
 * format; the optional feature name table is left out so that all fits in 512 bytes). A sector
 * write is atomic, so the file is either the old image or the new one. Flush.
 * <li>Release: punch holes in the old format's tables, which no refcount counts. Flush.
 * </ol>
 * A crash before the commit leaves the old image with a tail it does not reference; after it,
 * the qcow2 image with the same contents. Nothing is left to finish.
 */
final class Qcow2Adopter {

    private static final int REFCOUNT_BITS = 16;

    private final ClusterLayout layout;
    private final BlockNode file;
    private final String name;

    Qcow2Adopter(BlockAdoptRequest request) {
        this.layout = request.layout();
        this.file = request.file();
        this.name = request.filename();
    }

    void adopt() throws IOException {
        long cs = layout.clusterSize();
        if (cs > (2 << 20)) {
            throw new BlockFormatException("'" + name + "' has " + cs + "-byte clusters; qcow2 clusters are 512 bytes to 2 MiB");
        }
        int clusterBits = Long.numberOfTrailingZeros(cs);
        long l2Entries = cs / 8;
        long l1Entries = (layout.clusterCount() + l2Entries - 1) / l2Entries;
        if (l1Entries * 8 > Qcow2Header.MAX_L1_BYTES) {
            throw new BlockFormatException("'" + name + "' (" + layout.size() + " bytes) would need a qcow2 L1 table over 32 MiB with "
                    + cs + "-byte clusters");
        }
        byte[] backingName = layout.backingFile().map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(null);
        long nameAt = layout.freeHeaderOffset();
        if (backingName != null && (backingName.length > Qcow2Header.MAX_BACKING_NAME || nameAt + backingName.length > cs)) {
            throw new BlockFormatException("'" + name + "' has a backing file name of " + backingName.length
                    + " bytes that does not fit in the qcow2 header cluster beside the old header (" + (cs - nameAt) + " bytes free)");
        }
        Qcow2Header h = new Qcow2Header();
        h.version = 3;
        h.clusterBits = clusterBits;
        h.size = layout.size();
        h.refcountOrder = Integer.numberOfTrailingZeros(REFCOUNT_BITS);
        h.backingFormat = layout.backingFormat().orElse(null);
        ByteBuffer sector = h.write(false, 0);
        if (h.extensionsEnd() > ClusterLayout.COMMIT_SECTOR) {
            throw new BlockFormatException("'" + name + "' has a backing format name ('" + h.backingFormat
                    + "') too long for the qcow2 header to fit in one sector");
        }
        long fileSize = file.size();
        if (layout.dataEnd() > fileSize) {
            throw new BlockFormatException("'" + name + "' maps data clusters past the end of its file (" + fileSize + " bytes)");
        }

        // Where everything goes: L2 tables, L1, refcount table, refcount blocks, from the end of the file.
        long start = (fileSize + cs - 1) >>> clusterBits;
        long tables = 0;
        for (long i = 0; i < l1Entries; i++) {
            if (tableUsed(i, l2Entries)) {
                tables++;
            }
        }
        long l1Clusters = Math.max(1, (l1Entries * 8 + cs - 1) / cs);
        long l1At = start + tables;
        long refTableAt = l1At + l1Clusters;
        long perBlock = cs * 8 / REFCOUNT_BITS;
        long[] refcountSize = Qcow2Refcounts.selfCountingSize(refTableAt, cs, REFCOUNT_BITS);
        long blocks = refcountSize[0];
        long tableClusters = refcountSize[1];
        if (tableClusters * cs > Qcow2Header.MAX_REFTABLE_BYTES) {
            throw new BlockFormatException("'" + name + "' is too large for a qcow2 refcount table of 8 MiB with " + cs + "-byte clusters");
        }
        long blocksAt = refTableAt + tableClusters;
        long end = blocksAt + blocks;

        BitSet used = new BitSet();
        used.set(0);
        used.set((int) start, (int) end);
        long[] l1 = new long[(int) l1Entries];
        long next = start;
        for (long i = 0; i < l1Entries; i++) {
            if (!tableUsed(i, l2Entries)) {
                continue;
            }
            ByteBuffer table = ByteBuffer.allocate((int) cs);
            for (long j = 0; j < l2Entries && i * l2Entries + j < layout.clusterCount(); j++) {
                long m = layout.mapping((int) (i * l2Entries + j));
                if (m == ClusterLayout.ZERO) {
                    table.putLong((int) j * 8, Qcow2Node.ZERO);
                } else if (m != ClusterLayout.UNALLOCATED) {
                    table.putLong((int) j * 8, m | Qcow2Node.COPIED);
                    used.set((int) (m >>> clusterBits));
                }
            }
            file.write(next << clusterBits, table);
            l1[(int) i] = (next << clusterBits) | Qcow2Node.COPIED;
            next++;
        }
        ByteBuffer l1Table = ByteBuffer.allocate((int) (l1Clusters * cs));
        for (long entry : l1) {
            l1Table.putLong(entry);
        }
        file.write(l1At << clusterBits, l1Table.clear());
        for (long b = 0; b < blocks; b++) {
            byte[] block = new byte[(int) cs];
            long first = b * perBlock;
            for (int c = used.nextSetBit((int) first); c >= 0 && c < first + perBlock; c = used.nextSetBit(c + 1)) {
                RefcountCodec.set(block, REFCOUNT_BITS, c - first, 1);
            }
            file.write((blocksAt + b) << clusterBits, ByteBuffer.wrap(block));
        }
        ByteBuffer refTable = ByteBuffer.allocate((int) (tableClusters * cs));
        for (long b = 0; b < blocks; b++) {
            refTable.putLong((blocksAt + b) << clusterBits);
        }
        file.write(refTableAt << clusterBits, refTable.clear());
        if (backingName != null) {
            file.write(nameAt, ByteBuffer.wrap(backingName));
        }
        file.flush();

        h.l1Size = (int) l1Entries;
        h.l1TableOffset = l1At << clusterBits;
        h.refcountTableOffset = refTableAt << clusterBits;
        h.refcountTableClusters = (int) tableClusters;
        sector = h.write(false, 0);
        if (backingName != null) {
            sector.putLong(8, nameAt).putInt(16, backingName.length);
        }
        file.write(0, sector.slice(0, ClusterLayout.COMMIT_SECTOR));
        file.flush();
        for (long old : layout.metadataClusters()) {
            file.discard(old, cs);
        }
        file.flush();
    }

    /** @return whether L2 table {@code i} maps any cluster (data or zero) */
    private boolean tableUsed(long i, long l2Entries) {
        for (long j = i * l2Entries; j < Math.min((i + 1) * l2Entries, layout.clusterCount()); j++) {
            if (layout.mapping((int) j) != ClusterLayout.UNALLOCATED) {
                return true;
            }
        }
        return false;
    }
}
