package io.tessera.block.qcow2;

import io.tessera.core.block.BlockDirtyBitmaps;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Changes qcow2 persistent dirty bitmaps and keeps the enabled ones up to date with the disk's
 * writes, as QEMU does:
 *
 * <ul>
 * <li>A change (add, remove, clear, enable, disable, merge) writes the bitmaps it changes into
 * fresh clusters, then a fresh directory, and commits with one write of the header (whose
 * bitmaps extension points to the directory and whose autoclear bit 0 says the bitmaps are
 * consistent); the old clusters are freed after. A crash leaves the old bitmaps or the new.
 * <li>Tracking: before the first write to the disk, every enabled bitmap not already
 * inconsistent gets its {@code in_use} flag set in place in the directory (durable before the
 * write). Writes, zeroes and discards set bits in memory; a clean {@link #storeTracked() close}
 * stores the bitmaps with those bits added and the flag cleared. A process killed in between
 * leaves them {@code in_use}: inconsistent, which is what QEMU leaves after an unclean close
 * and what it (and {@code info}) reports. Bitmaps already {@code in_use} are left so, disabled
 * bitmaps are not touched by writes.
 * </ul>
 *
 * <p>Bits are stored as QEMU serializes them: bit {@code i} in byte {@code i / 8}, least
 * significant bit first, one bit per granularity chunk of the disk. Every call holds the node's
 * lock.
 */
final class Qcow2BitmapStore implements BlockDirtyBitmaps {

    static final int FLAG_IN_USE = 1;
    static final int FLAG_AUTO = 2;
    static final int TYPE_DIRTY_TRACKING = 1;
    static final int MAX_NAME_BYTES = 1023;
    static final int MIN_GRANULARITY_BITS = 9;
    static final int MAX_GRANULARITY_BITS = 31;
    private static final int ENTRY_FIXED_BYTES = 24;

    private final Qcow2Node node;
    /** The bits writes set since the first write, per bitmap being tracked; {@code null} before the first write. */
    private Map<String, Tracking> tracked;

    /** A bitmap being tracked: the bits set since tracking began, and its granularity. */
    private record Tracking(BitSet bits, int granularityBits) {
    }

    Qcow2BitmapStore(Qcow2Node node) {
        this.node = node;
    }

    // ---------------------------------------------------------------- the API

    @Override
    public List<Info> list() throws IOException {
        synchronized (node) {
            return current().stream().map(b -> new Info(b.name(), 1L << b.granularityBits(), (b.flags() & FLAG_AUTO) != 0,
                    (b.flags() & FLAG_IN_USE) != 0)).toList();
        }
    }

    @Override
    public void add(String name, long granularity, boolean enabled) throws IOException {
        synchronized (node) {
            requireWritable();
            Qcow2Header h = node.header();
            List<Qcow2Bitmaps.Bitmap> list = current();
            if (h.version < 3) {
                throw new IllegalArgumentException("Can't make bitmap '" + name + "' persistent in '" + node.filename()
                        + "': Cannot store dirty bitmaps in qcow2 v2 files");
            }
            if (list.stream().anyMatch(b -> b.name().equals(name))) {
                throw new IllegalArgumentException("Bitmap already exists: " + name);
            }
            int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (nameBytes == 0 || nameBytes > MAX_NAME_BYTES) {
                throw new IllegalArgumentException("a bitmap name must be 1 to " + MAX_NAME_BYTES + " bytes long, not " + nameBytes);
            }
            if (Long.bitCount(granularity) != 1 || granularity < (1L << MIN_GRANULARITY_BITS)
                    || granularity > (1L << MAX_GRANULARITY_BITS)) {
                throw new IllegalArgumentException("Granularity must be power of 2 and at least 512");
            }
            if (list.size() >= Qcow2Bitmaps.MAX_BITMAPS) {
                throw new IllegalArgumentException("an image holds at most " + Qcow2Bitmaps.MAX_BITMAPS + " bitmaps");
            }
            int bits = Long.numberOfTrailingZeros(granularity);
            long[] table = writeBits(new BitSet(), bits);
            List<Qcow2Bitmaps.Bitmap> changed = new ArrayList<>(list);
            changed.add(new Qcow2Bitmaps.Bitmap(name, table[0], (int) table[1], enabled ? FLAG_AUTO : 0, TYPE_DIRTY_TRACKING, bits, 0));
            if (tracked != null && enabled) {
                // Writes from now on go into it; it is consistent only once stored at close.
                changed.set(changed.size() - 1, withFlags(changed.getLast(), FLAG_AUTO | FLAG_IN_USE));
                tracked.put(name, new Tracking(new BitSet(), bits));
            }
            commit(changed, List.of());
        }
    }

    @Override
    public void remove(String name) throws IOException {
        synchronized (node) {
            requireWritable();
            List<Qcow2Bitmaps.Bitmap> list = current();
            Qcow2Bitmaps.Bitmap gone = find(list, name);
            List<Qcow2Bitmaps.Bitmap> changed = new ArrayList<>(list);
            changed.remove(gone);
            if (tracked != null) {
                tracked.remove(name);
            }
            commit(changed, List.of(gone));
        }
    }

    @Override
    public void clear(String name) throws IOException {
        synchronized (node) {
            replaceBits(name, new BitSet());
        }
    }

    @Override
    public void setEnabled(String name, boolean enabled) throws IOException {
        synchronized (node) {
            requireWritable();
            List<Qcow2Bitmaps.Bitmap> list = current();
            Qcow2Bitmaps.Bitmap b = requireConsistent(find(list, name));
            int flags = enabled ? b.flags() | FLAG_AUTO : b.flags() & ~FLAG_AUTO;
            if (flags == b.flags()) {
                return;
            }
            if (tracked != null) {
                if (enabled) {
                    flags |= FLAG_IN_USE;
                    tracked.put(name, new Tracking(new BitSet(), b.granularityBits()));
                } else if (tracked.containsKey(name)) {
                    // What it tracked so far stays; from now on writes pass it by.
                    replaceBits(name, bits(name));
                    tracked.remove(name);
                    list = current();
                    b = find(list, name);
                    flags = b.flags() & ~(FLAG_AUTO | FLAG_IN_USE);
                }
            }
            List<Qcow2Bitmaps.Bitmap> changed = new ArrayList<>(list);
            changed.set(list.indexOf(b), withFlags(b, flags));
            commit(changed, List.of());
        }
    }

    @Override
    public BitSet bits(String name) throws IOException {
        synchronized (node) {
            Qcow2Bitmaps.Bitmap b = find(current(), name);
            BitSet set = new BitSet();
            if (tracked != null && tracked.containsKey(name)) {
                set.or(tracked.get(name).bits());
            } else {
                requireConsistent(b);
            }
            set.or(readBits(b));
            return set;
        }
    }

    @Override
    public void merge(String target, long sourceGranularity, BitSet sourceBits) throws IOException {
        synchronized (node) {
            requireWritable();
            Qcow2Bitmaps.Bitmap b = requireConsistent(find(current(), target));
            if (Long.bitCount(sourceGranularity) != 1) {
                throw new IllegalArgumentException("a bitmap granularity is a power of two, not " + sourceGranularity);
            }
            BitSet merged = bits(target);
            long size = node.size();
            int bits = b.granularityBits();
            for (int i = sourceBits.nextSetBit(0); i >= 0; i = sourceBits.nextSetBit(i + 1)) {
                long from = i * sourceGranularity;
                if (from >= size) {
                    break;
                }
                long to = Math.min(size, from + sourceGranularity);
                merged.set((int) (from >>> bits), (int) (((to - 1) >>> bits) + 1));
            }
            replaceBits(target, merged);
        }
    }

    // ---------------------------------------------------------------- tracking writes

    /** Before a write, zeroes or discard of {@code length} bytes at {@code offset}: the enabled bitmaps record it. */
    void markWritten(long offset, long length) throws IOException {
        if (length <= 0) {
            return;
        }
        if (tracked == null) {
            startTracking();
        }
        for (Tracking t : tracked.values()) {
            int bits = t.granularityBits();
            t.bits().set((int) (offset >>> bits), (int) (((offset + length - 1) >>> bits) + 1));
        }
    }

    /** Marks the enabled, consistent bitmaps in use, in place in the directory, durably: from here on they are being changed. */
    private void startTracking() throws IOException {
        tracked = new LinkedHashMap<>();
        Qcow2Header h = node.header();
        if (h.version < 3 || h.bitmapsExtension == null || (h.autoclearFeatures & Qcow2Header.AUTOCLEAR_BITMAPS) == 0) {
            return;
        }
        for (Qcow2Bitmaps.Bitmap b : markInUse(current(), b -> (b.flags() & (FLAG_AUTO | FLAG_IN_USE)) == FLAG_AUTO)) {
            tracked.put(b.name(), new Tracking(new BitSet(), b.granularityBits()));
        }
    }

    /**
     * Sets the in-use flag of the bitmaps {@code which} picks, in place in the directory, and
     * flushes: until they are stored again, a crash leaves them inconsistent.
     *
     * @return the bitmaps marked
     */
    private List<Qcow2Bitmaps.Bitmap> markInUse(List<Qcow2Bitmaps.Bitmap> list, java.util.function.Predicate<Qcow2Bitmaps.Bitmap> which)
            throws IOException {
        long directory = ByteBuffer.wrap(node.header().bitmapsExtension).getLong(16);
        long at = 0;
        List<Qcow2Bitmaps.Bitmap> marked = new ArrayList<>();
        for (Qcow2Bitmaps.Bitmap b : list) {
            if (which.test(b)) {
                ByteBuffer flags = ByteBuffer.allocate(4).putInt(b.flags() | FLAG_IN_USE).flip();
                node.fileNode().write(directory + at + 12, flags);
                marked.add(b);
            }
            at = entryEnd(at, b);
        }
        if (!marked.isEmpty()) {
            node.fileNode().flush();
        }
        return marked;
    }

    /** At a clean close: the tracked bitmaps are stored with their new bits and without the in-use flag. */
    void storeTracked() throws IOException {
        if (tracked == null || tracked.isEmpty()) {
            return;
        }
        List<Qcow2Bitmaps.Bitmap> list = current();
        List<Qcow2Bitmaps.Bitmap> changed = new ArrayList<>(list);
        List<Qcow2Bitmaps.Bitmap> freed = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Qcow2Bitmaps.Bitmap b = list.get(i);
            Tracking written = tracked.get(b.name());
            if (written == null) {
                continue;
            }
            BitSet all = readBits(b);
            all.or(written.bits());
            long[] table = writeBits(all, b.granularityBits());
            changed.set(i, new Qcow2Bitmaps.Bitmap(b.name(), table[0], (int) table[1], b.flags() & ~FLAG_IN_USE, b.type(),
                    b.granularityBits(), b.extraDataSize()));
            freed.add(b);
        }
        tracked.clear();
        commit(changed, freed);
    }

    // ---------------------------------------------------------------- resize

    /** A change of the disk's size, made while the bitmaps are being resized. */
    @FunctionalInterface
    interface DiskResize {
        void run() throws IOException;
    }

    /**
     * Resizes the disk with {@code resize} and fits every bitmap to its new size of
     * {@code newSize} bytes as QEMU 7.2's resize leaves them: the bits of the range both sizes
     * share unchanged, a grown range clean, bits past a shrunk end gone. A bitmap left in use by
     * a writer that died is refused first, as QEMU refuses it.
     *
     * <p>QEMU accepts a bitmap only with a table of exactly the size the disk needs, so no order
     * of the two changes keeps the bitmaps valid throughout when a table changes size. As QEMU
     * (which holds the bitmaps in use while the image is open), the bitmaps that change are
     * therefore marked in use, durably, before the disk changes, and stored with their new
     * tables and without the flag after it, in one commit: a crash in between leaves them
     * inconsistent, never wrong. When every table keeps its size and no bit lies past the new
     * end, the bitmaps are not touched at all.
     */
    void resizeWith(long newSize, DiskResize resize) throws IOException {
        List<Qcow2Bitmaps.Bitmap> list = current();
        long cs = node.header().clusterSize();
        List<BitSet> bits = new ArrayList<>();
        List<Qcow2Bitmaps.Bitmap> changing = new ArrayList<>();
        for (Qcow2Bitmaps.Bitmap b : list) {
            requireConsistent(b);
            int chunks = (int) ((newSize + (1L << b.granularityBits()) - 1) >>> b.granularityBits());
            BitSet read = readBits(b);
            boolean bitsPastEnd = read.length() > chunks;
            read.clear(chunks, Math.max(chunks, read.length()));
            long tableSize = Math.max(1, (dataBytes(b.granularityBits(), newSize) + cs - 1) / cs);
            if (bitsPastEnd || b.tableSize() != tableSize) {
                changing.add(b);
            }
            bits.add(read);
            Tracking written = tracked == null ? null : tracked.get(b.name());
            if (written != null) {
                written.bits().clear(chunks, Math.max(chunks, written.bits().length()));
            }
        }
        if (changing.isEmpty()) {
            resize.run();
            return;
        }
        markInUse(list, changing::contains);
        resize.run();
        List<Qcow2Bitmaps.Bitmap> changed = new ArrayList<>(list);
        for (int i = 0; i < list.size(); i++) {
            Qcow2Bitmaps.Bitmap b = list.get(i);
            if (changing.contains(b)) {
                long[] table = writeBits(bits.get(i), b.granularityBits(), newSize);
                changed.set(i, new Qcow2Bitmaps.Bitmap(b.name(), table[0], (int) table[1], b.flags(), b.type(), b.granularityBits(),
                        b.extraDataSize()));
            }
        }
        commit(changed, changing);
    }

    // ---------------------------------------------------------------- storage

    /** The bitmaps QEMU would see: none when the autoclear bit says an old writer made them stale. */
    private List<Qcow2Bitmaps.Bitmap> current() throws IOException {
        Qcow2Header h = node.header();
        if (h.bitmapsExtension == null || (h.autoclearFeatures & Qcow2Header.AUTOCLEAR_BITMAPS) == 0) {
            return List.of();
        }
        return Qcow2Bitmaps.read(h, node.fileNode(), node.filename());
    }

    private void replaceBits(String name, BitSet bits) throws IOException {
        requireWritable();
        List<Qcow2Bitmaps.Bitmap> list = current();
        Qcow2Bitmaps.Bitmap b = requireConsistent(find(list, name));
        long[] table = writeBits(bits, b.granularityBits());
        List<Qcow2Bitmaps.Bitmap> changed = new ArrayList<>(list);
        changed.set(list.indexOf(b), new Qcow2Bitmaps.Bitmap(b.name(), table[0], (int) table[1], b.flags(), b.type(),
                b.granularityBits(), b.extraDataSize()));
        commit(changed, List.of(b));
    }

    private Qcow2Bitmaps.Bitmap find(List<Qcow2Bitmaps.Bitmap> list, String name) {
        return list.stream().filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("Dirty bitmap '" + name + "' not found"));
    }

    private Qcow2Bitmaps.Bitmap requireConsistent(Qcow2Bitmaps.Bitmap b) throws IOException {
        if ((b.flags() & FLAG_IN_USE) != 0 && (tracked == null || !tracked.containsKey(b.name()))) {
            throw new BlockFormatException("Bitmap '" + b.name() + "' is inconsistent and cannot be used");
        }
        if (b.type() != TYPE_DIRTY_TRACKING || b.extraDataSize() != 0) {
            throw new BlockFormatException("bitmap '" + b.name() + "' has type " + b.type() + " and " + b.extraDataSize()
                    + " bytes of extra data; only dirty-tracking bitmaps without extra data can be changed");
        }
        return b;
    }

    private void requireWritable() throws IOException {
        if (node.isReadOnly()) {
            throw new IOException("cannot change the bitmaps of '" + node.filename() + "': it is open read-only");
        }
    }

    private static Qcow2Bitmaps.Bitmap withFlags(Qcow2Bitmaps.Bitmap b, int flags) {
        return new Qcow2Bitmaps.Bitmap(b.name(), b.tableOffset(), b.tableSize(), flags, b.type(), b.granularityBits(), b.extraDataSize());
    }

    /** @return the bytes of the bitmap's data: one bit per granularity chunk of the disk */
    private long dataBytes(int granularityBits) {
        return dataBytes(granularityBits, node.size());
    }

    private static long dataBytes(int granularityBits, long diskSize) {
        long chunks = (diskSize + (1L << granularityBits) - 1) >>> granularityBits;
        return (chunks + 7) / 8;
    }

    private BitSet readBits(Qcow2Bitmaps.Bitmap b) throws IOException {
        long cs = node.header().clusterSize();
        long bytes = dataBytes(b.granularityBits());
        long clusters = (bytes + cs - 1) / cs;
        if (b.tableSize() < clusters) {
            throw new BlockFormatException("bitmap '" + b.name() + "' of '" + node.filename() + "' has a table of " + b.tableSize()
                    + " entries; the disk needs " + clusters);
        }
        Qcow2Header.checkTable(node.filename(), "bitmap '" + b.name() + "' table", b.tableOffset(), b.tableSize() * 8L, cs,
                node.fileNode().size());
        ByteBuffer table = ByteBuffer.allocate(b.tableSize() * 8);
        node.fileNode().read(b.tableOffset(), table);
        byte[] data = new byte[(int) bytes];
        for (int i = 0; i < clusters; i++) {
            long entry = table.getLong(i * 8);
            long offset = entry & Qcow2Node.L2_OFFSET_MASK;
            int from = (int) (i * cs);
            int n = (int) Math.min(cs, bytes - from);
            if (offset != 0) {
                Qcow2Header.checkTable(node.filename(), "bitmap '" + b.name() + "' data", offset, cs, cs, node.fileNode().size());
                node.fileNode().read(offset, ByteBuffer.wrap(data, from, n));
            } else if ((entry & 1) != 0) {
                Arrays.fill(data, from, from + n, (byte) 0xff);
            }
        }
        return BitSet.valueOf(data);
    }

    /**
     * Writes a bitmap's data (clusters that hold a set bit) and its table into fresh clusters.
     *
     * @return the table's offset and its number of entries
     */
    private long[] writeBits(BitSet bits, int granularityBits) throws IOException {
        return writeBits(bits, granularityBits, node.size());
    }

    /** As {@link #writeBits(BitSet, int)}, with a table for a disk of {@code diskSize} bytes. */
    private long[] writeBits(BitSet bits, int granularityBits, long diskSize) throws IOException {
        long cs = node.header().clusterSize();
        long bytes = dataBytes(granularityBits, diskSize);
        int clusters = (int) Math.max(1, (bytes + cs - 1) / cs);
        byte[] data = Arrays.copyOf(bits.toByteArray(), (int) bytes);
        Qcow2Refcounts counts = node.refcounts();
        BlockNode file = node.fileNode();
        ByteBuffer table = ByteBuffer.allocate(clusters * 8);
        for (int i = 0; i < clusters; i++) {
            int from = (int) (i * cs);
            int n = (int) Math.min(cs, bytes - from);
            boolean any = false;
            for (int j = from; j < from + n && !any; j++) {
                any = data[j] != 0;
            }
            if (any) {
                long at = counts.allocate(1);
                ByteBuffer cluster = ByteBuffer.allocate((int) cs).put(data, from, n).clear();
                file.write(at, cluster);
                table.putLong(i * 8, at);
            }
        }
        long tableAt = counts.allocate((clusters * 8L + cs - 1) / cs);
        file.write(tableAt, table);
        return new long[] {tableAt, clusters};
    }

    private static long entryEnd(long at, Qcow2Bitmaps.Bitmap b) {
        return (at + ENTRY_FIXED_BYTES + b.extraDataSize() + b.name().getBytes(StandardCharsets.UTF_8).length + 7) & ~7L;
    }

    /**
     * Writes the directory for {@code list} into fresh clusters and commits it with one header
     * write; then frees the old directory and the tables and data of {@code freed}.
     */
    private void commit(List<Qcow2Bitmaps.Bitmap> list, List<Qcow2Bitmaps.Bitmap> freed) throws IOException {
        Qcow2Header h = node.header();
        Qcow2Refcounts counts = node.refcounts();
        BlockNode file = node.fileNode();
        long cs = h.clusterSize();
        byte[] oldExtension = (h.autoclearFeatures & Qcow2Header.AUTOCLEAR_BITMAPS) != 0 ? h.bitmapsExtension : null;
        List<long[]> release = new ArrayList<>();
        if (oldExtension != null && oldExtension.length >= 24) {
            ByteBuffer ext = ByteBuffer.wrap(oldExtension);
            release.add(new long[] {ext.getLong(16), (ext.getLong(8) + cs - 1) / cs});
        }
        for (Qcow2Bitmaps.Bitmap b : freed) {
            release.add(new long[] {b.tableOffset(), (b.tableSize() * 8L + cs - 1) / cs});
            ByteBuffer table = ByteBuffer.allocate(b.tableSize() * 8);
            file.read(b.tableOffset(), table);
            for (int i = 0; i < b.tableSize(); i++) {
                long offset = table.getLong(i * 8) & Qcow2Node.L2_OFFSET_MASK;
                if (offset != 0) {
                    release.add(new long[] {offset, 1});
                }
            }
        }
        if (list.isEmpty()) {
            h.bitmapsExtension = null;
            h.autoclearFeatures &= ~Qcow2Header.AUTOCLEAR_BITMAPS;
        } else {
            long size = 0;
            for (Qcow2Bitmaps.Bitmap b : list) {
                size = entryEnd(size, b);
            }
            ByteBuffer dir = ByteBuffer.allocate((int) size);
            long at = 0;
            for (Qcow2Bitmaps.Bitmap b : list) {
                byte[] name = b.name().getBytes(StandardCharsets.UTF_8);
                dir.position((int) at);
                dir.putLong(b.tableOffset()).putInt(b.tableSize()).putInt(b.flags()).put((byte) b.type()).put((byte) b.granularityBits())
                        .putShort((short) name.length).putInt(0).put(name);
                at = entryEnd(at, b);
            }
            long dirAt = counts.allocate((size + cs - 1) / cs);
            // Tables, data and the directory's clusters are counted (durable) before the directory names them.
            node.flushMetadata();
            file.write(dirAt, dir.clear());
            h.bitmapsExtension = ByteBuffer.allocate(24).putInt(list.size()).putInt(0).putLong(size).putLong(dirAt).array();
            h.autoclearFeatures |= Qcow2Header.AUTOCLEAR_BITMAPS;
        }
        node.flushMetadata();
        file.flush();
        ByteBuffer header = h.write();
        if (h.encodedLength() > cs) {
            throw new BlockFormatException("the header of '" + node.filename() + "' has no room for the bitmaps extension");
        }
        file.write(0, header);
        file.flush();
        for (long[] r : release) {
            counts.freeLater(r[0], r[1]);
        }
        node.flushMetadata();
    }
}
