package io.tessera.block.qcow2;

import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockSnapshotInfo;
import io.tessera.core.block.BlockSnapshots;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Creates, applies and deletes qcow2 internal snapshots in QEMU 7.2's order, so that a process
 * killed at any step leaves an image that reads as before or after the step:
 *
 * <ul>
 * <li>create: the snapshot's copy of the L1 table and the extra reference of every L2 table and
 * data cluster the active disk uses are made durable first; then the active tables lose their
 * "copied" flags (their clusters are shared from now on, so writes copy them); then a new
 * snapshot table is written; one header write of the snapshot count and table offset commits;
 * the old table is freed last.
 * <li>apply: the snapshot's clusters get their extra reference (durable), the active L1 table
 * is overwritten with the snapshot's, then the references of the old active tables are dropped
 * and the "copied" flags set again where a cluster is no longer shared.
 * <li>delete: the snapshot table without the entry is committed first; its clusters' references
 * are dropped after, and the active tables' "copied" flags set where a count fell to 1.
 * </ul>
 *
 * <p>Between the durable count changes and the flag changes a crash leaves what a crash of QEMU
 * leaves there: leaked references or "copied" flags that disagree with a count, which {@code
 * qemu-img check -r all} repairs; no data and no snapshot are ever lost or mixed. Every call
 * holds the node's lock.
 */
final class Qcow2SnapshotManager implements BlockSnapshots {

    private final Qcow2Node node;

    Qcow2SnapshotManager(Qcow2Node node) {
        this.node = node;
    }

    @Override
    public List<BlockSnapshotInfo> list() {
        synchronized (node) {
            return node.snapshots().stream().map(Qcow2Snapshots.Snapshot::info).toList();
        }
    }

    @Override
    public BlockSnapshotInfo create(String name, long dateSeconds, long dateNanoseconds) throws IOException {
        synchronized (node) {
            requireWritable("create a snapshot");
            Qcow2Header h = node.header();
            if (name.getBytes(StandardCharsets.UTF_8).length > 0xffff) {
                throw new IllegalArgumentException("a snapshot name is at most 65535 bytes long");
            }
            if (node.snapshots().size() >= Qcow2Header.MAX_SNAPSHOTS) {
                throw new BlockFormatException("'" + node.filename() + "' already holds the most snapshots qcow2 allows (65536)");
            }
            node.flushMetadata();
            long[] l1 = node.l1();
            requireRoomForOneMoreReference(l1);
            Qcow2Refcounts counts = node.refcounts();
            // 1. The snapshot's own L1 table: a copy of the active one, in fresh clusters.
            long l1Bytes = l1.length * 8L;
            long copy = counts.allocate(Math.max(1, clusters(l1Bytes)));
            ByteBuffer raw = ByteBuffer.allocate((int) l1Bytes);
            for (long e : l1) {
                raw.putLong(e & ~Qcow2Node.COPIED);
            }
            node.fileNode().write(copy, raw.flip());
            // 2. One more reference to everything the active tables use; the active tables are shared now.
            share(l1);
            for (int i = 0; i < l1.length; i++) {
                l1[i] &= ~Qcow2Node.COPIED;
            }
            node.markL1Dirty();
            // Counts, then the L2 tables, then the L1 table, each durable before the next.
            node.flushMetadata();
            // 3. The table that names the snapshot, committed by the header.
            BlockSnapshotInfo info = new BlockSnapshotInfo(nextId(), name, 0, dateSeconds, dateNanoseconds, 0, 0, h.size);
            List<Qcow2Snapshots.Snapshot> list = new ArrayList<>(node.snapshots());
            list.add(Qcow2Snapshots.entry(copy, l1.length, info));
            writeTable(list);
            return info;
        }
    }

    @Override
    public void apply(String id) throws IOException {
        synchronized (node) {
            requireWritable("apply a snapshot");
            Qcow2Snapshots.Snapshot snapshot = find(id);
            Qcow2Header h = node.header();
            node.flushMetadata();
            long[] old = node.l1();
            long[] target = node.readL1(snapshot.l1Offset(), snapshot.l1Size());
            requireRoomForOneMoreReference(target);
            Qcow2Refcounts counts = node.refcounts();
            // 1. The snapshot's clusters get the active disk's reference; its L2 tables are shared from now on.
            share(target);
            int entries = Math.max(old.length, snapshot.l1Size());
            long[] fresh = new long[entries];
            for (int i = 0; i < target.length; i++) {
                fresh[i] = target[i] & Qcow2Node.L1_OFFSET_MASK;
            }
            node.flushMetadata();
            // 2. The active L1 table becomes the snapshot's (in a larger table if the snapshot's is larger).
            if (entries > old.length) {
                long at = counts.allocate(clusters(entries * 8L));
                node.flushMetadata();
                writeL1(at, fresh);
                ByteBuffer fields = ByteBuffer.allocate(12).putInt(entries).putLong(at).flip();
                node.fileNode().write(36, fields);
                node.fileNode().flush();
                long oldOffset = h.l1TableOffset;
                long oldClusters = clusters(old.length * 8L);
                h.l1Size = entries;
                h.l1TableOffset = at;
                counts.freeLater(oldOffset, oldClusters);
            } else {
                writeL1(h.l1TableOffset, fresh);
            }
            node.replaceL1(fresh);
            // 3. The old active tables' references go, now that nothing durable points to them from the active disk.
            forEachReference(old, counts::freeLater);
            node.flushMetadata();
            if (snapshot.info().diskSize() != h.size) {
                ByteBuffer size = ByteBuffer.allocate(8).putLong(snapshot.info().diskSize()).flip();
                node.fileNode().write(24, size);
                node.fileNode().flush();
                h.size = snapshot.info().diskSize();
            }
            // 4. Clusters no longer shared may be written in place again.
            setCopiedFlags();
            node.flushMetadata();
        }
    }

    @Override
    public void delete(String id) throws IOException {
        synchronized (node) {
            requireWritable("delete a snapshot");
            Qcow2Snapshots.Snapshot snapshot = find(id);
            node.flushMetadata();
            List<Qcow2Snapshots.Snapshot> list = new ArrayList<>(node.snapshots());
            list.remove(snapshot);
            writeTable(list);
            // The snapshot is gone from the image: its references can be dropped.
            long[] table = node.readL1(snapshot.l1Offset(), snapshot.l1Size());
            Qcow2Refcounts counts = node.refcounts();
            forEachReference(table, counts::freeLater);
            counts.freeLater(snapshot.l1Offset(), Math.max(1, clusters(snapshot.l1Size() * 8L)));
            node.flushMetadata();
            setCopiedFlags();
            node.flushMetadata();
        }
    }

    @Override
    public void loadTemporarily(String id) throws IOException {
        synchronized (node) {
            if (!node.isReadOnly()) {
                throw new IOException("a snapshot is loaded temporarily only into a read-only node, not into '" + node.filename() + "'");
            }
            Qcow2Snapshots.Snapshot snapshot = find(id);
            Qcow2Header.checkTable(node.filename(), "snapshot L1 table", snapshot.l1Offset(), snapshot.l1Size() * 8L,
                    node.header().clusterSize(), node.fileNode().size());
            node.replaceL1(node.readL1(snapshot.l1Offset(), snapshot.l1Size()));
        }
    }

    private void requireWritable(String what) throws IOException {
        if (node.isReadOnly()) {
            throw new IOException("cannot " + what + ": '" + node.filename() + "' is open read-only");
        }
    }

    private Qcow2Snapshots.Snapshot find(String id) {
        for (Qcow2Snapshots.Snapshot s : node.snapshots()) {
            if (s.info().id().equals(id)) {
                return s;
            }
        }
        throw new NoSuchElementException("no snapshot has the id '" + id + "'");
    }

    /** QEMU's rule: one more than the largest numeric id. */
    private String nextId() {
        long max = 0;
        for (Qcow2Snapshots.Snapshot s : node.snapshots()) {
            max = Math.max(max, leadingNumber(s.info().id()));
        }
        return Long.toUnsignedString(max + 1);
    }

    /** The number an id starts with, as C's strtoul reads it (0 when it starts with none). */
    private static long leadingNumber(String id) {
        int end = 0;
        while (end < id.length() && end < 18 && Character.isDigit(id.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Long.parseLong(id.substring(0, end));
    }

    private long clusters(long bytes) {
        long cs = node.header().clusterSize();
        return (bytes + cs - 1) / cs;
    }

    private void writeL1(long at, long[] table) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(table.length * 8);
        for (long e : table) {
            raw.putLong(e);
        }
        node.fileNode().write(at, raw.flip());
        node.fileNode().flush();
    }

    /**
     * Writes the snapshot table in fresh clusters (counted and durable first), then points the
     * header at it with one write of the count and offset (the commit), then frees the old one.
     */
    private void writeTable(List<Qcow2Snapshots.Snapshot> list) throws IOException {
        Qcow2Header h = node.header();
        Qcow2Refcounts counts = node.refcounts();
        BlockNode file = node.fileNode();
        byte[] table = Qcow2Snapshots.encode(list);
        if (table.length > Qcow2Snapshots.MAX_TABLE_BYTES) {
            throw new BlockFormatException("the snapshot table would grow past the 64 MiB qcow2 allows");
        }
        long at = 0;
        if (!list.isEmpty()) {
            at = counts.allocate(clusters(table.length));
            node.flushMetadata();
            file.write(at, ByteBuffer.wrap(table));
            file.flush();
        }
        ByteBuffer fields = ByteBuffer.allocate(12).putInt(list.size()).putLong(at).flip();
        file.write(60, fields);
        file.flush();
        long oldOffset = h.snapshotsOffset;
        long oldBytes = node.snapshotTableBytes();
        boolean hadTable = h.snapshotCount > 0;
        h.snapshotCount = list.size();
        h.snapshotsOffset = at;
        node.replaceSnapshots(list, table.length);
        if (hadTable && oldBytes > 0) {
            counts.freeLater(oldOffset, clusters(oldBytes));
            node.flushMetadata();
        }
    }

    /** Where a count is now 1, the active tables say so ("copied": writable in place); where it is more, they must not. */
    private void setCopiedFlags() throws IOException {
        Qcow2Refcounts counts = node.refcounts();
        int bits = node.header().clusterBits;
        long[] l1 = node.l1();
        for (int i = 0; i < l1.length; i++) {
            long table = l1[i] & Qcow2Node.L1_OFFSET_MASK;
            if (table == 0) {
                continue;
            }
            long entry = counts.get(table >>> bits) == 1 ? table | Qcow2Node.COPIED : table;
            if (entry != l1[i]) {
                l1[i] = entry;
                node.markL1Dirty();
            }
            Qcow2Node.L2Table t = node.l2(table);
            for (int j = 0; j < t.words.length; j++) {
                long word = t.words[j];
                long host = word & Qcow2Node.L2_OFFSET_MASK;
                if ((word & Qcow2Node.COMPRESSED) != 0 || host == 0) {
                    continue;
                }
                long wanted = counts.get(host >>> bits) == 1 ? word | Qcow2Node.COPIED : word & ~Qcow2Node.COPIED;
                if (wanted != word) {
                    t.words[j] = wanted;
                    t.dirty = true;
                }
            }
        }
    }

    /**
     * Counts one more reference to every cluster an L1 table reaches and clears the "copied"
     * flags in its L2 tables: from now on a second L1 table shares them (the counts are written
     * before the tables by the next {@link Qcow2Node#flushMetadata()}).
     */
    private void share(long[] l1) throws IOException {
        Qcow2Refcounts counts = node.refcounts();
        int bits = node.header().clusterBits;
        forEachReference(l1, (offset, n) -> {
            for (long i = 0; i < n; i++) {
                counts.increment((offset >>> bits) + i);
            }
        });
        for (long e : l1) {
            long table = e & Qcow2Node.L1_OFFSET_MASK;
            if (table == 0) {
                continue;
            }
            Qcow2Node.L2Table t = node.l2(table);
            for (int j = 0; j < t.words.length; j++) {
                if ((t.words[j] & Qcow2Node.COPIED) != 0) {
                    t.words[j] &= ~Qcow2Node.COPIED;
                    t.dirty = true;
                }
            }
        }
    }

    /** Fails before any change if one more reference to some cluster would not fit in the refcount width. */
    private void requireRoomForOneMoreReference(long[] l1) throws IOException {
        Map<Long, Long> added = new HashMap<>();
        int bits = node.header().clusterBits;
        forEachReference(l1, (offset, n) -> {
            for (long i = 0; i < n; i++) {
                added.merge((offset >>> bits) + i, 1L, Long::sum);
            }
        });
        Qcow2Refcounts counts = node.refcounts();
        for (Map.Entry<Long, Long> e : added.entrySet()) {
            long now = counts.get(e.getKey());
            if (now + e.getValue() > counts.maxCount()) {
                throw new BlockFormatException("cluster " + e.getKey() + " of '" + node.filename() + "' would need a refcount of "
                        + (now + e.getValue()) + ", more than " + counts.bits() + "-bit refcounts hold; a wider refcount_bits is needed");
            }
        }
    }

    @FunctionalInterface
    interface ClusterRun {
        void accept(long hostOffset, long clusters) throws IOException;
    }

    /** Every host cluster run an L1 table references: its L2 tables, their data clusters, the clusters compressed data touches. */
    private void forEachReference(long[] l1, ClusterRun visit) throws IOException {
        long cs = node.header().clusterSize();
        for (long e : l1) {
            long table = e & Qcow2Node.L1_OFFSET_MASK;
            if (table == 0) {
                continue;
            }
            visit.accept(table, 1);
            Qcow2Node.L2Table t = node.l2(table);
            for (long word : t.words) {
                if ((word & Qcow2Node.COMPRESSED) != 0) {
                    long[] range = node.compressedRange(word);
                    long first = range[0] & ~(cs - 1);
                    long last = (range[0] + range[1] - 1) & ~(cs - 1);
                    visit.accept(first, ((last - first) / cs) + 1);
                } else if ((word & Qcow2Node.L2_OFFSET_MASK) != 0) {
                    visit.accept(word & Qcow2Node.L2_OFFSET_MASK, 1);
                }
            }
        }
    }
}
