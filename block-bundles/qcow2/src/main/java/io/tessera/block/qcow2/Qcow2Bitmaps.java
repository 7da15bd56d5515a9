package io.tessera.block.qcow2;

import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Persistent dirty bitmaps (header extension 0x23852875): the directory read for {@code info}
 * and their clusters (directory, bitmap tables, bitmap data) counted by the check. Changed by
 * {@link Qcow2BitmapStore}.
 */
final class Qcow2Bitmaps {

    static final int MAX_BITMAPS = 65535;
    static final long MAX_DIRECTORY = 64L << 20;

    /** One directory entry; {@code extraDataSize} bytes of extra data lie between the fixed part and the name. */
    record Bitmap(String name, long tableOffset, int tableSize, int flags, int type, int granularityBits, long extraDataSize) {
    }

    private Qcow2Bitmaps() {
    }

    static List<Bitmap> read(Qcow2Header h, BlockNode file, String name) throws IOException {
        List<Bitmap> list = new ArrayList<>();
        if (h.bitmapsExtension == null || h.bitmapsExtension.length < 24) {
            return list;
        }
        ByteBuffer ext = ByteBuffer.wrap(h.bitmapsExtension);
        long count = ext.getInt(0) & 0xffffffffL;
        long dirSize = ext.getLong(8);
        long dirOffset = ext.getLong(16);
        if (count > MAX_BITMAPS || dirSize < 0 || dirSize > MAX_DIRECTORY) {
            throw new BlockFormatException("'" + name + "' has a bitmap directory of " + count + " bitmaps and " + dirSize
                    + " bytes; at most 65535 bitmaps and 64 MiB are allowed");
        }
        Qcow2Header.checkTable(name, "bitmap directory", dirOffset, dirSize, h.clusterSize(), file.size());
        ByteBuffer dir = ByteBuffer.allocate((int) dirSize);
        file.read(dirOffset, dir);
        int at = 0;
        for (long i = 0; i < count; i++) {
            if (at + 24 > dirSize) {
                throw new BlockFormatException("'" + name + "' has a bitmap directory shorter than its " + count + " entries");
            }
            long tableOffset = dir.getLong(at);
            int tableSize = dir.getInt(at + 8);
            int flags = dir.getInt(at + 12);
            int type = dir.get(at + 16) & 0xff;
            int granularity = dir.get(at + 17) & 0xff;
            int nameSize = dir.getShort(at + 18) & 0xffff;
            long extra = dir.getInt(at + 20) & 0xffffffffL;
            if (at + 24 + extra + nameSize > dirSize) {
                throw new BlockFormatException("'" + name + "' has a bitmap directory entry running past the directory");
            }
            byte[] label = new byte[nameSize];
            dir.get((int) (at + 24 + extra), label);
            list.add(new Bitmap(new String(label, StandardCharsets.UTF_8), tableOffset, tableSize, flags, type, granularity, extra));
            at = (int) ((at + 24 + extra + nameSize + 7) & ~7L);
        }
        return list;
    }

    /** @return qemu-img info's list of bitmaps, or the error in place of it */
    static List<Map<String, Object>> describe(Qcow2Header h, BlockNode file, String name) {
        List<Map<String, Object>> out = new ArrayList<>();
        try {
            for (Bitmap b : read(h, file, name)) {
                Map<String, Object> m = new LinkedHashMap<>();
                List<String> flags = new ArrayList<>();
                if ((b.flags & 1) != 0) {
                    flags.add("in-use");
                }
                if ((b.flags & 2) != 0) {
                    flags.add("auto");
                }
                m.put("flags", flags);
                m.put("name", b.name);
                m.put("granularity", 1L << b.granularityBits);
                out.add(m);
            }
        } catch (IOException e) {
            // info still describes the rest of the image; check reports the damage
        }
        return out;
    }

    /** Calls {@code counter} for each cluster range the bitmaps use. */
    static void references(Qcow2Header h, BlockNode file, String name, RangeCounter counter) throws IOException {
        if (h.bitmapsExtension == null || h.bitmapsExtension.length < 24) {
            return;
        }
        ByteBuffer ext = ByteBuffer.wrap(h.bitmapsExtension);
        long cs = h.clusterSize();
        counter.add(ext.getLong(16), (ext.getLong(8) + cs - 1) / cs, "bitmap directory");
        for (Bitmap b : read(h, file, name)) {
            if (Integer.toUnsignedLong(b.tableSize) * 8 > Qcow2Header.MAX_L1_BYTES) {
                throw new BlockFormatException("'" + name + "' bitmap '" + b.name + "' has a table of " + b.tableSize + " entries");
            }
            Qcow2Header.checkTable(name, "bitmap '" + b.name + "' table", b.tableOffset, b.tableSize * 8L, cs, file.size());
            counter.add(b.tableOffset, (b.tableSize * 8L + cs - 1) / cs, "bitmap table");
            ByteBuffer table = ByteBuffer.allocate(b.tableSize * 8);
            file.read(b.tableOffset, table);
            for (int i = 0; i < b.tableSize; i++) {
                long entry = table.getLong(i * 8) & Qcow2Node.L2_OFFSET_MASK;
                if (entry != 0) {
                    counter.add(entry, 1, "bitmap data");
                }
            }
        }
    }

    @FunctionalInterface
    interface RangeCounter {
        void add(long offset, long clusters, String what) throws IOException;
    }
}
