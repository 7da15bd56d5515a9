package io.tessera.block.qcow2;

import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockSnapshotInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The internal snapshot table: per snapshot its L1 table, id, name, dates and sizes. Read with
 * every length checked against the table's bounds (QEMU caps the table at 64 MiB).
 */
final class Qcow2Snapshots {

    static final long MAX_TABLE_BYTES = 64L << 20;

    /** One entry; {@code entry} is its bytes as stored (unpadded), rewritten as they are when the table moves. */
    record Snapshot(long l1Offset, int l1Size, BlockSnapshotInfo info, byte[] entry) {
    }

    /** The extra data qemu-img 7.2 writes: the large VM state size, the disk size, the instruction count. */
    static final int EXTRA_DATA_BYTES = 24;

    private Qcow2Snapshots() {
    }

    /** @return the snapshots and the table's length in bytes */
    static List<Snapshot> read(BlockNode file, Qcow2Header h, String name, long[] tableBytes) throws IOException {
        List<Snapshot> list = new ArrayList<>();
        if (h.snapshotCount == 0) {
            tableBytes[0] = 0;
            return list;
        }
        long fileSize = file.size();
        long at = h.snapshotsOffset;
        for (int i = 0; i < h.snapshotCount; i++) {
            ByteBuffer fixed = readExactly(file, at, 40, fileSize, name, i);
            long l1Offset = fixed.getLong(0);
            int l1Size = fixed.getInt(8);
            int idSize = fixed.getShort(12) & 0xffff;
            int nameSize = fixed.getShort(14) & 0xffff;
            long dateSec = fixed.getInt(16) & 0xffffffffL;
            long dateNsec = fixed.getInt(20) & 0xffffffffL;
            long vmClock = fixed.getLong(24);
            long vmState = fixed.getInt(32) & 0xffffffffL;
            long extraSize = fixed.getInt(36) & 0xffffffffL;
            if (extraSize > 1024) {
                throw new BlockFormatException("'" + name + "' snapshot " + i + " has " + extraSize + " bytes of extra data; at most 1024 are allowed");
            }
            ByteBuffer extra = readExactly(file, at + 40, (int) extraSize, fileSize, name, i);
            long diskSize = h.size;
            long icount = -1;
            if (extraSize >= 8) {
                vmState = extra.getLong(0);
            }
            if (extraSize >= 16) {
                diskSize = extra.getLong(8);
            }
            if (extraSize >= 24) {
                icount = extra.getLong(16);
            }
            ByteBuffer strings = readExactly(file, at + 40 + extraSize, idSize + nameSize, fileSize, name, i);
            byte[] id = new byte[idSize];
            byte[] label = new byte[nameSize];
            strings.get(0, id).get(idSize, label);
            if (Integer.toUnsignedLong(l1Size) * 8 > Qcow2Header.MAX_L1_BYTES) {
                throw new BlockFormatException("'" + name + "' snapshot " + i + " has an L1 table of " + Integer.toUnsignedString(l1Size)
                        + " entries; at most 32 MiB are allowed");
            }
            Qcow2Header.checkTable(name, "snapshot " + i + " L1 table", l1Offset, l1Size * 8L, h.clusterSize(), fileSize);
            int entryBytes = (int) (40 + extraSize + idSize + nameSize);
            list.add(new Snapshot(l1Offset, l1Size, new BlockSnapshotInfo(new String(id, StandardCharsets.UTF_8),
                    new String(label, StandardCharsets.UTF_8), vmState, dateSec, dateNsec, vmClock, icount, diskSize),
                    readExactly(file, at, entryBytes, fileSize, name, i).array()));
            at += entryBytes;
            at = (at + 7) & ~7L;
            if (at - h.snapshotsOffset > MAX_TABLE_BYTES) {
                throw new BlockFormatException("'" + name + "' has a snapshot table larger than 64 MiB");
            }
        }
        tableBytes[0] = at - h.snapshotsOffset;
        return list;
    }

    /** A new disk-only snapshot's entry as qemu-img 7.2 writes it: 24 bytes of extra data, no VM state, guest clock 0. */
    static Snapshot entry(long l1Offset, int l1Size, BlockSnapshotInfo info) {
        byte[] id = info.id().getBytes(StandardCharsets.UTF_8);
        byte[] label = info.name().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(40 + EXTRA_DATA_BYTES + id.length + label.length);
        b.putLong(l1Offset).putInt(l1Size).putShort((short) id.length).putShort((short) label.length)
                .putInt((int) info.dateSeconds()).putInt((int) info.dateNanoseconds()).putLong(info.vmClockNanoseconds())
                .putInt((int) info.vmStateSize()).putInt(EXTRA_DATA_BYTES)
                .putLong(info.vmStateSize()).putLong(info.diskSize()).putLong(Math.max(0, info.icount()))
                .put(id).put(label);
        return new Snapshot(l1Offset, l1Size, info, b.array());
    }

    /** @return the table holding the entries, each starting on an 8-byte boundary */
    static byte[] encode(List<Snapshot> list) {
        int length = 0;
        for (Snapshot s : list) {
            length = ((length + 7) & ~7) + s.entry().length;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        for (Snapshot s : list) {
            b.position((b.position() + 7) & ~7);
            b.put(s.entry());
        }
        return b.array();
    }

    private static ByteBuffer readExactly(BlockNode file, long at, int length, long fileSize, String name, int index)
            throws IOException {
        if (at + length > fileSize) {
            throw new BlockFormatException("'" + name + "' snapshot table entry " + index + " reaches past the end of the file");
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        file.read(at, b);
        return b.flip();
    }
}
