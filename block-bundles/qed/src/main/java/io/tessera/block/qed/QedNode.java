package io.tessera.block.qed;

import io.tessera.core.block.BlockCheckResult;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockImageInfo;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockPreallocation;
import io.tessera.core.block.BlockRepair;
import io.tessera.core.block.BlockStatus;
import io.tessera.core.block.ClusterLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open QED image: guest clusters mapped through an L1 and L2 tables of plain host offsets
 * (0 unallocated, 1 a zero cluster as QEMU writes it), new clusters always appended at the end
 * of the file.
 *
 * <p>Consistency follows QED's need-check rule: before the first allocating write the header
 * gets the need-check bit (written and flushed); data is written before the L2 entry, a new L2
 * table before the L1 entry; a flush makes everything durable and then clears the bit. An
 * image opened read-write with the bit set (a crash) is checked first: entries pointing past
 * the end of the file or unaligned, the torn tail of an allocation, are dropped. Thread-safe:
 * requests hold the node's lock.
 */
final class QedNode implements BlockNode {

    static final long ZERO_CLUSTER = 1;
    private static final int CACHED_TABLES = 64;

    private final String nodeName;
    private final String filename;
    private final BlockNode file;
    private final BlockNode backing;
    private final QedHeader header;
    private final boolean readOnly;
    private final long clusterSize;
    private final int entries;
    private final long[] l1;
    private final LinkedHashMap<Long, long[]> l2Cache = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, long[]> eldest) {
            return size() > CACHED_TABLES;
        }
    };
    private boolean needCheckSet;
    private volatile boolean closed;

    QedNode(String nodeName, String filename, BlockNode file, BlockNode backing, QedHeader header, boolean readOnly) throws IOException {
        this.nodeName = nodeName;
        this.filename = filename;
        this.file = file;
        this.backing = backing;
        this.header = header;
        this.readOnly = readOnly;
        this.clusterSize = header.clusterSize;
        this.entries = header.tableEntries();
        this.l1 = readTable(header.l1TableOffset);
        this.needCheckSet = (header.features & QedHeader.FEATURE_NEED_CHECK) != 0;
    }

    private long[] readTable(long offset) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate((int) header.tableBytes()).order(ByteOrder.LITTLE_ENDIAN);
        file.read(offset, raw);
        long[] table = new long[entries];
        for (int i = 0; i < entries; i++) {
            table[i] = raw.getLong(i * 8);
        }
        return table;
    }

    /** @return the L2 table at a host offset, checked to lie inside the file */
    long[] l2(long offset) throws IOException {
        long[] table = l2Cache.get(offset);
        if (table == null) {
            QedHeader.checkTable(header, offset, file.size(), filename, "L2 table");
            table = readTable(offset);
            l2Cache.put(offset, table);
        }
        return table;
    }

    QedHeader header() {
        return header;
    }

    long[] l1() {
        return l1;
    }

    @Override
    public synchronized ClusterLayout clusterLayout() throws IOException {
        checkOpen();
        return new QedLayoutExport(this, filename, file.size()).export();
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String format() {
        return QedDriver.FORMAT;
    }

    @Override
    public long size() {
        return header.imageSize;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    /** The L2 entry of the cluster at a guest offset: 0 where no L2 table exists. */
    private long entry(long offset) throws IOException {
        long cluster = offset / clusterSize;
        long l2Offset = l1[(int) (cluster / entries)];
        if (l2Offset == 0) {
            return 0;
        }
        long e = l2(l2Offset)[(int) (cluster % entries)];
        if (e > ZERO_CLUSTER && (e % clusterSize != 0 || e >= file.size())) {
            throw new BlockFormatException("'" + filename + "' maps guest offset " + (cluster * clusterSize) + " to host offset " + e
                    + (e % clusterSize != 0 ? ", not cluster aligned" : ", past the end of the file (" + file.size() + " bytes)"));
        }
        return e;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        checkOpen();
        if (offset >= header.imageSize) {
            return 0;
        }
        int total = (int) Math.min(dst.remaining(), header.imageSize - offset);
        int saved = dst.limit();
        dst.limit(dst.position() + total);
        try {
            synchronized (this) {
                long at = offset;
                while (dst.hasRemaining()) {
                    long e = entry(at);
                    long within = at % clusterSize;
                    long n = Math.min(dst.remaining(), clusterSize - within);
                    // Contiguous data clusters go to the file in one read.
                    while (e > ZERO_CLUSTER && n < dst.remaining() && entry(at + n) == e + within + n) {
                        n += Math.min(dst.remaining() - n, clusterSize);
                    }
                    int limit = dst.limit();
                    dst.limit(dst.position() + (int) n);
                    if (e > ZERO_CLUSTER) {
                        file.read(e + within, dst);
                    } else if (e == 0 && backing != null) {
                        backing.read(at, dst);
                    }
                    while (dst.hasRemaining()) {
                        dst.put((byte) 0);
                    }
                    dst.limit(limit);
                    at += n;
                }
            }
        } finally {
            dst.limit(saved);
        }
        return total;
    }

    @Override
    public synchronized int write(long offset, ByteBuffer src) throws IOException {
        int length = src.remaining();
        checkWrite("write", offset, length);
        long at = offset;
        while (src.hasRemaining()) {
            long within = at % clusterSize;
            int n = (int) Math.min(src.remaining(), clusterSize - within);
            long e = entry(at);
            if (e > ZERO_CLUSTER) {
                file.write(e + within, src.slice(src.position(), n));
            } else if (within == 0 && src.remaining() >= 2 * clusterSize) {
                n = appendRun(at, src);
            } else {
                // A new cluster at the end of the file: the old contents (backing or zeroes) around the new bytes.
                ByteBuffer whole = ByteBuffer.allocate((int) clusterSize);
                long start = at - within;
                if (n < clusterSize) {
                    whole.limit((int) Math.min(clusterSize, header.imageSize - start));
                    read(start, whole);
                    whole.clear();
                }
                whole.put((int) within, src, src.position(), n);
                setEntry(at, appendCluster(whole));
            }
            src.position(src.position() + n);
            at += n;
        }
        return length;
    }

    /**
     * Whole new clusters in one L2 table: the table first (empty, then its L1 entry), the data
     * in one write at the end of the file, then the entries in one write.
     *
     * @return the bytes written, whole clusters
     */
    private int appendRun(long at, ByteBuffer src) throws IOException {
        long cluster = at / clusterSize;
        int index = (int) (cluster % entries);
        long[] table = table(cluster);
        int count = 0;
        long max = Math.min(src.remaining() / clusterSize, entries - index);
        while (count < max && table[index + count] <= ZERO_CLUSTER) {
            count++;
        }
        markNeedCheck();
        long end = (file.size() + clusterSize - 1) / clusterSize * clusterSize;
        file.write(end, src.slice(src.position(), (int) (count * clusterSize)));
        ByteBuffer raw = ByteBuffer.allocate(count * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            table[index + i] = end + i * clusterSize;
            raw.putLong(table[index + i]);
        }
        raw.flip();
        file.write(l1[(int) (cluster / entries)] + index * 8L, raw);
        return (int) (count * clusterSize);
    }

    /** The L2 table of a guest cluster, created empty (and its L1 entry written after it) if missing. */
    private long[] table(long cluster) throws IOException {
        int l1Index = (int) (cluster / entries);
        if (l1[l1Index] != 0) {
            return l2(l1[l1Index]);
        }
        markNeedCheck();
        long end = (file.size() + clusterSize - 1) / clusterSize * clusterSize;
        file.writeZeroes(end, header.tableBytes());
        long[] table = new long[entries];
        l2Cache.put(end, table);
        l1[l1Index] = end;
        writeEntry(header.l1TableOffset, l1Index, end);
        return table;
    }

    private long appendCluster(ByteBuffer contents) throws IOException {
        markNeedCheck();
        long end = (file.size() + clusterSize - 1) / clusterSize * clusterSize;
        file.write(end, contents);
        return end;
    }

    /** Points a guest cluster's entry at a value, creating its L2 table (written before the L1 entry) at the end of the file. */
    private void setEntry(long offset, long value) throws IOException {
        long cluster = offset / clusterSize;
        long[] table = table(cluster);
        table[(int) (cluster % entries)] = value;
        writeEntry(l1[(int) (cluster / entries)], (int) (cluster % entries), value);
    }

    private void writeEntry(long tableOffset, int index, long value) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(value).flip();
        file.write(tableOffset + index * 8L, b);
    }

    /** Before the first allocation: the need-check bit, durable, so a crash sends the next opener to the check. */
    private void markNeedCheck() throws IOException {
        if (needCheckSet) {
            return;
        }
        header.features |= QedHeader.FEATURE_NEED_CHECK;
        writeFeatures();
        needCheckSet = true;
    }

    private void writeFeatures() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.features).flip();
        file.write(16, b);
        file.flush();
    }

    @Override
    public synchronized void writeZeroes(long offset, long length) throws IOException {
        checkWrite("write zeroes", offset, length);
        long end = offset + length;
        long at = offset;
        while (at < end) {
            long within = at % clusterSize;
            long n = Math.min(end - at, clusterSize - within);
            if (within != 0 || n < clusterSize && at + n != header.imageSize) {
                write(at, ByteBuffer.allocate((int) n));
            } else {
                long e = entry(at);
                if (e > ZERO_CLUSTER) {
                    // In place, as QEMU does: replacing it by the marker would leave the cluster leaked (QED never frees space).
                    file.writeZeroes(e, n);
                } else if (e == 0 && backing != null) {
                    // The zero marker, as QEMU's QED writes it, hides the backing file's data.
                    markNeedCheck();
                    setEntry(at, ZERO_CLUSTER);
                }
            }
            at += n;
        }
    }

    /**
     * Grows the disk within the reach of its L1 table, as QEMU's QED does: only the size field
     * changes, in one write (QED tables have a fixed size, and unmapped clusters read as zeroes).
     * QEMU cannot shrink QED images, preallocate them, or zero a range a backing file reaches into.
     */
    @Override
    public synchronized void resize(long newSize, BlockPreallocation preallocation) throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("cannot resize: node '" + nodeName + "' (" + filename + ") is read-only");
        }
        if (preallocation != BlockPreallocation.OFF) {
            throw new IllegalArgumentException("Unsupported preallocation mode '" + preallocation.optionName() + "'");
        }
        if (newSize < 0 || newSize % 512 != 0 || newSize > header.capacity()) {
            throw new IllegalArgumentException("Invalid image size specified; QED sizes are multiples of 512 up to " + header.capacity()
                    + " bytes for this image's cluster and table sizes");
        }
        if (newSize < header.imageSize) {
            throw new UnsupportedOperationException("Shrinking images is currently not supported");
        }
        if (backing != null && backing.size() > header.imageSize) {
            // QEMU would have to zero the new range over the backing data, which its QED driver cannot request.
            throw new UnsupportedOperationException("Block driver does not support requested flags");
        }
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(newSize).flip();
        file.write(48, b);
        file.flush();
        header.imageSize = newSize;
    }

    /**
     * Writes a new backing file into the header. A name that fits in the first sector with the
     * header goes there, so the whole change is one sector write; a longer one is written first
     * past the old name (where the old header does not look), then the first sector.
     */
    @Override
    public synchronized void changeBackingFile(String name, String format) throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("cannot change the backing file of '" + filename + "': it is open read-only");
        }
        byte[] text = name == null ? new byte[0] : name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long headerBytes = header.headerSize * clusterSize;
        int nameAt = QedHeader.LENGTH;
        if (QedHeader.LENGTH + text.length > 512) {
            long oldEnd = header.backingFile == null ? QedHeader.LENGTH : (long) header.backingNameOffset + header.backingNameSize;
            nameAt = (int) ((Math.max(oldEnd, 512) + 511) & ~511L);
        }
        if (nameAt + text.length > headerBytes) {
            throw new IllegalArgumentException("the backing file name '" + name + "' does not fit in the " + headerBytes + "-byte QED header");
        }
        long features = header.features & ~(QedHeader.FEATURE_BACKING | QedHeader.FEATURE_BACKING_RAW);
        if (name != null) {
            features |= QedHeader.FEATURE_BACKING;
            if ("raw".equals(format)) {
                features |= QedHeader.FEATURE_BACKING_RAW;
            }
        }
        if (nameAt != QedHeader.LENGTH) {
            file.write(nameAt, ByteBuffer.wrap(text));
            file.flush();
        }
        ByteBuffer sector = ByteBuffer.allocate(nameAt == QedHeader.LENGTH ? QedHeader.LENGTH + text.length : QedHeader.LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
        file.read(0, sector);
        sector.putLong(16, features).putInt(56, nameAt).putInt(60, text.length);
        if (nameAt == QedHeader.LENGTH) {
            sector.put(QedHeader.LENGTH, text);
        }
        sector.clear();
        file.write(0, sector);
        file.flush();
        header.features = features;
        header.backingFile = name;
        header.backingNameOffset = nameAt;
        header.backingNameSize = text.length;
    }

    /** A hint QED cannot act on: it has no way to free space. The range keeps its data. */
    @Override
    public void discard(long offset, long length) throws IOException {
        checkWrite("discard", offset, length);
    }

    @Override
    public synchronized void flush() throws IOException {
        checkOpen();
        if (readOnly) {
            return;
        }
        file.flush();
        if (needCheckSet) {
            // Everything the tables reference is durable: the image is consistent again.
            header.features &= ~QedHeader.FEATURE_NEED_CHECK;
            writeFeatures();
            needCheckSet = false;
        }
    }

    @Override
    public synchronized BlockStatus blockStatus(long offset, long length) throws IOException {
        checkOpen();
        if (offset < 0 || offset >= header.imageSize) {
            throw new IllegalArgumentException("block status at offset " + offset + " of node '" + nodeName
                    + "': the offset must lie below the size " + header.imageSize);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("block status length must be positive: " + length);
        }
        long max = Math.min(length, header.imageSize - offset);
        long e = entry(offset);
        long n = Math.min(max, clusterSize - offset % clusterSize);
        while (n < max) {
            long next = entry(offset + n);
            boolean same = e > ZERO_CLUSTER ? next == e + (offset % clusterSize) + n : next == e;
            if (!same) {
                break;
            }
            n += Math.min(max - n, clusterSize);
        }
        if (e > ZERO_CLUSTER) {
            return new BlockStatus(offset, n, true, false, 0, e + offset % clusterSize);
        }
        if (e == ZERO_CLUSTER) {
            return new BlockStatus(offset, n, false, true, 0, -1);
        }
        return BlockStatus.inBacking(backing, offset, n);
    }

    @Override
    public BlockImageInfo imageInfo() {
        String format = header.backingFile == null ? null : (header.features & QedHeader.FEATURE_BACKING_RAW) != 0 ? "raw" : null;
        return new BlockImageInfo(clusterSize, header.backingFile, format, false, List.of(), Map.of());
    }

    /**
     * QED's check: table entries must be cluster aligned and inside the file; with
     * {@code ALL} (and on a read-write open after a crash) the bad ones are dropped. Clusters
     * that no table references are leaks, as qemu-img counts them; QED cannot reuse them, but
     * a repair ({@code LEAKS} or {@code ALL}) gives back the unreferenced tail of the file, which
     * is what an allocation or an in-place conversion killed halfway leaves.
     */
    @Override
    public synchronized Optional<BlockCheckResult> check(BlockRepair repair) throws IOException {
        checkOpen();
        List<String> messages = new ArrayList<>();
        long fileSize = file.size();
        long fileClusters = (fileSize + clusterSize - 1) / clusterSize;
        BitSet used = new BitSet();
        used.set(0, header.headerSize);
        markTable(used, header.l1TableOffset);
        long corruptions = 0;
        long fixed = 0;
        long allocated = 0;
        long fragmented = 0;
        long last = -1;
        for (int i = 0; i < entries; i++) {
            long l2Offset = l1[i];
            if (l2Offset == 0) {
                continue;
            }
            if (l2Offset % clusterSize != 0 || l2Offset + header.tableBytes() > fileSize) {
                messages.add("ERROR L1 entry " + i + " points to L2 table at " + l2Offset + ", outside the file or unaligned");
                if (repair == BlockRepair.ALL) {
                    l1[i] = 0;
                    writeEntry(header.l1TableOffset, i, 0);
                    fixed++;
                } else {
                    corruptions++;
                }
                continue;
            }
            markTable(used, l2Offset);
            long[] table = l2(l2Offset);
            for (int j = 0; j < entries; j++) {
                long e = table[j];
                if (e <= ZERO_CLUSTER) {
                    continue;
                }
                if (e % clusterSize != 0 || e + clusterSize > fileSize) {
                    messages.add("ERROR L2 entry " + j + " of the table at " + l2Offset + " points to " + e + ", outside the file or unaligned");
                    if (repair == BlockRepair.ALL) {
                        table[j] = 0;
                        writeEntry(l2Offset, j, 0);
                        fixed++;
                    } else {
                        corruptions++;
                    }
                    continue;
                }
                used.set((int) (e / clusterSize));
                allocated++;
                if (last >= 0 && e != last + clusterSize) {
                    fragmented++;
                }
                last = e;
            }
        }
        long leaks = fileClusters - used.get(0, (int) fileClusters).cardinality();
        long leaksFixed = 0;
        long usedEnd = (long) used.length() * clusterSize;
        if (repair != BlockRepair.NONE && leaks > 0 && usedEnd < fileSize) {
            leaksFixed = fileClusters - used.length();
            leaks -= leaksFixed;
            file.resize(usedEnd, BlockPreallocation.OFF);
        }
        if (fixed > 0 || leaksFixed > 0) {
            file.flush();
        }
        long total = (header.imageSize + clusterSize - 1) / clusterSize;
        return Optional.of(new BlockCheckResult(0, corruptions, leaks, fixed, leaksFixed, -1, allocated, total, fragmented, 0, messages));
    }

    private void markTable(BitSet used, long offset) {
        int first = (int) (offset / clusterSize);
        used.set(first, first + header.tableSize);
    }

    /** After a crash: drop the torn tail of allocations, then clear need-check. */
    void repairAfterCrash() throws IOException {
        check(BlockRepair.ALL);
        file.flush();
        header.features &= ~QedHeader.FEATURE_NEED_CHECK;
        writeFeatures();
        needCheckSet = false;
    }

    @Override
    public Optional<BlockNode> backing() {
        return Optional.ofNullable(backing);
    }

    @Override
    public Optional<BlockNode> file() {
        return Optional.of(file);
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        IOException failure = null;
        try {
            if (!readOnly) {
                flush();
            }
        } catch (IOException e) {
            failure = e;
        }
        closed = true;
        BlockGraph.closeAll(failure, backing, file);
    }

    private void checkWrite(String what, long offset, long length) throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("cannot " + what + ": node '" + nodeName + "' (" + filename + ") is read-only");
        }
        if (offset < 0 || length < 0 || offset + length > header.imageSize) {
            throw new IOException(what + " of " + length + " bytes at offset " + offset + " reaches past the end of '" + filename
                    + "' (disk size " + header.imageSize + " bytes)");
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("node '" + nodeName + "' (" + filename + ") is closed");
        }
    }

    @Override
    public String toString() {
        return "qed node '" + nodeName + "' (" + filename + (readOnly ? ", read-only" : "") + ")";
    }
}
