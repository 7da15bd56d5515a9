package io.tessera.block.qed;

import io.tessera.core.block.BlockAdoptRequest;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.ClusterLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Turns an image of another format into QED in place, keeping every data cluster where it is
 * ({@code tessera img convert --in-place -O qed}).
 *
 * <p>The order makes a crash at any point harmless:
 * <ol>
 * <li>Check everything first (cluster size, capacity, backing name, data inside the file), so a
 * refusal leaves the file untouched.
 * <li>Append the new L2 tables, then the L1 table, past the end of the file (cluster aligned):
 * space the old format does not use, and the L1 last so the file ends past every table, as
 * QEMU requires. Write the backing file name into the header cluster past the first sector and
 * past every byte the old header uses ({@link ClusterLayout#freeHeaderOffset()}).
 * <li>Flush. Until now the file is the old image with an unreferenced tail.
 * <li>Commit: one write of the first sector with the 64-byte QED header (need-check clear). A
 * sector write is atomic, so the file is either the old image or the new one. Flush.
 * <li>Release: punch holes in the old format's tables, now clusters no table references (QED
 * never reuses space, so {@code qemu-img check} counts them as leaked; no error). Flush.
 * </ol>
 * A crash before the commit leaves the old image with a tail it does not reference; after it,
 * the QED image with the same contents and leaked old tables. Nothing is left to finish.
 *
 * <p>QED records a backing file's format only as "raw" (a feature bit); any other format is
 * left to probing, so the caller must have checked that probing the backing file finds it.
 */
final class QedAdopter {

    private final BlockAdoptRequest request;
    private final ClusterLayout layout;
    private final BlockNode file;
    private final String name;

    QedAdopter(BlockAdoptRequest request) {
        this.request = request;
        this.layout = request.layout();
        this.file = request.file();
        this.name = request.filename();
    }

    void adopt() throws IOException {
        long clusterSize = layout.clusterSize();
        if (clusterSize < QedHeader.MIN_CLUSTER || clusterSize > QedHeader.MAX_CLUSTER) {
            throw new BlockFormatException("'" + name + "' has " + clusterSize + "-byte clusters; QED clusters are 4 KiB to 64 MiB");
        }
        QedHeader h = new QedHeader();
        h.clusterSize = clusterSize;
        h.headerSize = 1;
        h.imageSize = layout.size();
        if (h.imageSize % 512 != 0) {
            throw new BlockFormatException("'" + name + "' has a virtual size of " + h.imageSize + " bytes; QED sizes are multiples of 512");
        }
        h.tableSize = tableSizeFor(h);
        byte[] backingName = layout.backingFile().map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(null);
        long nameAt = layout.freeHeaderOffset();
        if (backingName != null) {
            if (backingName.length > 1023 || nameAt + backingName.length > clusterSize) {
                throw new BlockFormatException("'" + name + "' has a backing file name of " + backingName.length
                        + " bytes that does not fit in the QED header cluster beside the old header (" + (clusterSize - nameAt) + " bytes free)");
            }
            h.features |= QedHeader.FEATURE_BACKING;
            if (layout.backingFormat().filter("raw"::equals).isPresent()) {
                h.features |= QedHeader.FEATURE_BACKING_RAW;
            }
        }
        long fileSize = file.size();
        if (layout.dataEnd() > fileSize) {
            throw new BlockFormatException("'" + name + "' maps data clusters past the end of its file (" + fileSize
                    + " bytes); QED needs every cluster inside the file");
        }
        int entries = h.tableEntries();
        int l1Entries = (int) ((layout.clusterCount() + (long) entries - 1) / entries);
        long at = (fileSize + clusterSize - 1) / clusterSize * clusterSize;
        long tablesStart = at;
        long[] l1 = new long[entries];
        java.util.Map<Integer, ByteBuffer> l2Tables = new java.util.TreeMap<>();
        for (int i = 0; i < l1Entries; i++) {
            ByteBuffer table = ByteBuffer.allocate((int) h.tableBytes()).order(ByteOrder.LITTLE_ENDIAN);
            boolean used = false;
            for (int j = 0; j < entries; j++) {
                long guest = (long) i * entries + j;
                if (guest >= layout.clusterCount()) {
                    break;
                }
                long m = layout.mapping((int) guest);
                table.putLong(j * 8, m);
                used |= m != ClusterLayout.UNALLOCATED;
            }
            if (used) {
                file.write(at, table.duplicate());
                l2Tables.put(i, table);
                l1[i] = at;
                at += h.tableBytes();
            }
        }
        ByteBuffer l1Table = ByteBuffer.allocate((int) h.tableBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries; i++) {
            l1Table.putLong(i * 8, l1[i]);
        }
        h.l1TableOffset = at;
        file.write(at, l1Table);
        if (backingName != null) {
            file.write(nameAt, ByteBuffer.wrap(backingName));
        }
        file.flush();
        file.write(0, commitSector(h, nameAt, backingName));
        file.flush();
        for (long old : layout.metadataClusters()) {
            file.discard(old, clusterSize);
        }
        file.flush();
        moveTablesDownAndTruncate(h, nameAt, backingName, tablesStart, l2Tables);
    }

    /**
     * The old format's tables that lay between the last data cluster and the new tables are dead
     * now: where that space can hold the new tables, they move down into it and the file is cut
     * after them, so that old tables at the end of the file take no length either. Crash-safe
     * as the conversion itself: copies of the L2 tables, then an L1 table pointing to them, are
     * written into dead space and flushed; one write of the first sector switches the header to
     * the new L1 table, a flush; only then is the file truncated (a crash before that leaves an
     * unreferenced tail, which {@code check -r leaks} cuts off).
     */
    private void moveTablesDownAndTruncate(QedHeader h, long nameAt, byte[] backingName, long tablesStart,
            java.util.Map<Integer, ByteBuffer> l2Tables) throws IOException {
        long clusterSize = layout.clusterSize();
        long low = (layout.dataEnd() + clusterSize - 1) / clusterSize * clusterSize;
        long tablesBytes = (l2Tables.size() + 1L) * h.tableBytes();
        if (low + tablesBytes > tablesStart) {
            return; // no room below the tables: they stay where they are
        }
        long at = low;
        ByteBuffer l1Table = ByteBuffer.allocate((int) h.tableBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (var table : l2Tables.entrySet()) {
            file.write(at, table.getValue().duplicate());
            l1Table.putLong(table.getKey() * 8, at);
            at += h.tableBytes();
        }
        file.write(at, l1Table.clear());
        file.flush();
        h.l1TableOffset = at;
        file.write(0, commitSector(h, nameAt, backingName));
        file.flush();
        file.resize(at + h.tableBytes(), io.tessera.core.block.BlockPreallocation.OFF);
        file.flush();
    }

    /** The smallest table size (2 to 16 clusters; QEMU cannot open 1) whose tables map the whole disk. */
    private int tableSizeFor(QedHeader h) throws BlockFormatException {
        for (int tableSize = 2; tableSize <= 16; tableSize *= 2) {
            h.tableSize = tableSize;
            if (h.capacity() >= h.imageSize) {
                return tableSize;
            }
        }
        throw new BlockFormatException("'" + name + "' has a virtual size of " + h.imageSize + " bytes; QED with " + h.clusterSize
                + "-byte clusters holds at most " + h.capacity());
    }

    private static ByteBuffer commitSector(QedHeader h, long nameAt, byte[] backingName) {
        ByteBuffer header = h.write();
        ByteBuffer sector = ByteBuffer.allocate(ClusterLayout.COMMIT_SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        sector.put(header.slice(0, QedHeader.LENGTH));
        if (backingName != null) {
            sector.putInt(56, (int) nameAt).putInt(60, backingName.length);
        } else {
            sector.putInt(56, 0).putInt(60, 0);
        }
        return sector.clear();
    }
}
