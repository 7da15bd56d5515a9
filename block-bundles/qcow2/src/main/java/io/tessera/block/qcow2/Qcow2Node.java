package io.tessera.block.qcow2;

import io.tessera.core.block.BlockCheckResult;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockImageInfo;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockPreallocation;
import io.tessera.core.block.BlockRepair;
import io.tessera.core.block.BlockSnapshotInfo;
import io.tessera.core.block.BlockStatus;
import io.tessera.core.block.ClusterLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open qcow2 image: guest offsets mapped through the L1 and L2 tables to data clusters,
 * compressed clusters, zero clusters, or the backing node.
 *
 * <p>Writes keep QEMU's crash-safety rules with a write-back metadata cache flushed in epochs
 * ({@link #flushMetadata()}): guest data is written at once; new counts are written and flushed
 * before the L2 tables that reference the new clusters, L2 tables before the L1 table, and
 * counts drop only after the tables that dropped a reference are durable. A process killed at
 * any moment therefore leaves the last epoch's consistent image plus, at worst, leaked
 * clusters. Images with lazy refcounts get the dirty bit set (and flushed) before their first
 * write and cleared on a clean close.
 *
 * <p>Thread-safe: every request holds the node's lock (the metadata cache is shared state).
 */
final class Qcow2Node implements BlockNode {

    static final long L1_OFFSET_MASK = 0x00fffffffffffe00L;
    static final long L2_OFFSET_MASK = 0x00fffffffffffe00L;
    static final long COPIED = 1L << 63;
    static final long COMPRESSED = 1L << 62;
    static final long ZERO = 1L;
    /** Extended L2 bitmaps: the low half says "allocated", the high half "reads as zero", one bit per subcluster. */
    static final long ALL_ALLOCATED = 0xffffffffL;
    static final long ALL_ZEROES = 0xffffffffL << 32;

    /** Kinds of extents. */
    static final int UNALLOCATED = 0;
    static final int ZEROES = 1;
    static final int DATA = 2;
    static final int COMPRESSED_DATA = 3;

    /** The most L2 table bytes held in memory; more makes an epoch write and drop them. */
    private static final long L2_CACHE_BYTES = 64L << 20;
    private static final int ZERO_CHUNK = 1 << 20;
    private static final ByteBuffer ZERO_BUFFER = ByteBuffer.allocate(ZERO_CHUNK).asReadOnlyBuffer();

    private final String nodeName;
    private final String filename;
    private final BlockNode file;
    private final BlockNode dataFile;
    private final BlockNode backing;
    private final Qcow2Header header;
    private final boolean readOnly;
    private final int clusterBits;
    private final long clusterSize;
    private final int l2Bits;
    private final int l2Entries;
    private final boolean extendedL2;
    private final long subclusterSize;
    /** The external data file holds every guest cluster at its guest offset, a raw image of the disk (autoclear bit 1). */
    private final boolean dataFileRaw;
    /** The active L1 table; replaced (never resized in place) when growing the disk needs more entries. */
    private long[] l1;
    private boolean l1Dirty;
    private List<Qcow2Snapshots.Snapshot> snapshots;
    private long snapshotTableBytes;
    private final LinkedHashMap<Long, L2Table> l2Cache = new LinkedHashMap<>(16, 0.75f, true);
    private Qcow2Refcounts refcounts;
    /** Whether the image was found metadata-preallocated; asked on the first block status after opening. */
    private Boolean metadataPreallocation;
    private boolean dirtyBitSet;
    private long cachedCompressedEntry = -1;
    private byte[] cachedCompressed;
    private volatile boolean closed;

    /** One L2 table in memory: {@code entries} standard words, and with extended L2 the bitmaps beside them. */
    static final class L2Table {
        final long offset;
        final long[] words;
        final long[] bitmaps;
        boolean dirty;

        L2Table(long offset, int entries, boolean extended) {
            this.offset = offset;
            this.words = new long[entries];
            this.bitmaps = extended ? new long[entries] : null;
        }
    }

    Qcow2Node(String nodeName, String filename, BlockNode file, BlockNode dataFile, BlockNode backing, Qcow2Header header,
            boolean readOnly, List<Qcow2Snapshots.Snapshot> snapshots, long snapshotTableBytes) throws IOException {
        this.nodeName = nodeName;
        this.filename = filename;
        this.file = file;
        this.dataFile = dataFile;
        this.backing = backing;
        this.header = header;
        this.readOnly = readOnly;
        this.clusterBits = header.clusterBits;
        this.clusterSize = header.clusterSize();
        this.extendedL2 = header.extendedL2();
        this.l2Bits = clusterBits - (extendedL2 ? 4 : 3);
        this.l2Entries = 1 << l2Bits;
        this.subclusterSize = extendedL2 ? clusterSize / 32 : clusterSize;
        this.dataFileRaw = dataFile != file && (header.autoclearFeatures & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW) != 0;
        this.snapshots = snapshots;
        this.snapshotTableBytes = snapshotTableBytes;
        this.l1 = readL1(header.l1TableOffset, header.l1Size);
    }

    long[] readL1(long offset, int entries) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(entries * 8);
        file.read(offset, raw);
        long[] table = new long[entries];
        for (int i = 0; i < entries; i++) {
            table[i] = raw.getLong(i * 8);
        }
        return table;
    }

    Qcow2Header header() {
        return header;
    }

    long[] l1() {
        return l1;
    }

    List<Qcow2Snapshots.Snapshot> snapshots() {
        return snapshots;
    }

    long snapshotTableBytes() {
        return snapshotTableBytes;
    }

    /** After the header points to a new snapshot table (or a snapshot was loaded): what the node now reads. */
    void replaceSnapshots(List<Qcow2Snapshots.Snapshot> list, long tableBytes) {
        snapshots = List.copyOf(list);
        snapshotTableBytes = tableBytes;
    }

    /** Installs another active L1 table (a snapshot applied or loaded); the caller writes it where the header says. */
    void replaceL1(long[] table) {
        l1 = table;
    }

    private Qcow2BitmapStore bitmapStore;

    @Override
    public synchronized void amend(Map<String, String> options) throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("cannot amend '" + filename + "': it is open read-only");
        }
        new Qcow2Amend(this).run(options);
    }

    /** @return the persistent bitmaps, which also track this node's writes */
    synchronized Qcow2BitmapStore bitmaps() {
        if (bitmapStore == null) {
            bitmapStore = new Qcow2BitmapStore(this);
        }
        return bitmapStore;
    }

    @Override
    public Optional<io.tessera.core.block.BlockDirtyBitmaps> dirtyBitmaps() {
        return Optional.of(bitmaps());
    }

    @Override
    public Optional<io.tessera.core.block.BlockSnapshots> internalSnapshots() {
        // As QEMU: the data file's clusters have no refcounts, so no snapshot could share them.
        return hasExternalDataFile() ? Optional.empty() : Optional.of(new Qcow2SnapshotManager(this));
    }

    BlockNode fileNode() {
        return file;
    }

    /** @return the image's name, for messages */
    String filename() {
        return filename;
    }

    boolean hasExternalDataFile() {
        return dataFile != file;
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String format() {
        return Qcow2Driver.FORMAT;
    }

    @Override
    public long size() {
        return header.size;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    // ---------------------------------------------------------------- mapping

    /** Loads (or finds in the cache) the L2 table at a host offset, checking that it lies in the file. */
    L2Table l2(long offset) throws IOException {
        L2Table table = l2Cache.get(offset);
        if (table != null) {
            return table;
        }
        if ((offset & (clusterSize - 1)) != 0 || offset + clusterSize > file.size()) {
            throw new BlockFormatException("'" + filename + "' has an L2 table at offset " + offset
                    + ((offset & (clusterSize - 1)) != 0 ? " that is not cluster aligned" : " past the end of the file (" + file.size() + " bytes)"));
        }
        if (offset < clusterSize) {
            throw new BlockFormatException("'" + filename + "' has an L2 table in the header cluster");
        }
        ByteBuffer raw = ByteBuffer.allocate((int) clusterSize);
        file.read(offset, raw);
        table = new L2Table(offset, l2Entries, extendedL2);
        for (int i = 0; i < l2Entries; i++) {
            if (extendedL2) {
                table.words[i] = raw.getLong(i * 16);
                table.bitmaps[i] = raw.getLong(i * 16 + 8);
            } else {
                table.words[i] = raw.getLong(i * 8);
            }
        }
        cache(table);
        return table;
    }

    private void cache(L2Table table) throws IOException {
        l2Cache.put(table.offset, table);
        if ((long) l2Cache.size() * clusterSize > L2_CACHE_BYTES) {
            if (l2Cache.values().stream().anyMatch(t -> t.dirty)) {
                flushMetadata();
            }
            Iterator<L2Table> it = l2Cache.values().iterator();
            while ((long) l2Cache.size() * clusterSize > L2_CACHE_BYTES / 2 && it.hasNext()) {
                if (it.next() != table) {
                    it.remove();
                }
            }
        }
    }

    /** A run of guest bytes with one kind: for {@link #DATA} {@code host} is where its first byte is; for compressed the L2 word. */
    record Extent(int kind, long host, long length) {
    }

    /** Describes the longest uniform run at {@code offset}, at most {@code max} bytes, within one L2 table. */
    Extent map(long offset, long max) throws IOException {
        long l1Index = offset >>> (clusterBits + l2Bits);
        long inTable = offset & ((1L << (clusterBits + l2Bits)) - 1);
        long tableLeft = (1L << (clusterBits + l2Bits)) - inTable;
        max = Math.min(max, tableLeft);
        long l1Entry = l1Index < l1.length ? l1[(int) l1Index] & L1_OFFSET_MASK : 0;
        if (l1Entry == 0) {
            return new Extent(UNALLOCATED, -1, max);
        }
        L2Table table = l2(l1Entry);
        int index = (int) (inTable >>> clusterBits);
        long inCluster = offset & (clusterSize - 1);
        Extent first = classify(table, index, inCluster);
        long length = Math.min(first.length, max);
        int kind = first.kind;
        if (kind == COMPRESSED_DATA) {
            return new Extent(kind, first.host, length);
        }
        // Extend over the following clusters while the kind (and for data, host contiguity) holds.
        long at = offset + length;
        while (length < max) {
            int i = (int) ((at >>> clusterBits) & (l2Entries - 1));
            long within = at & (clusterSize - 1);
            Extent next = classify(table, i, within);
            if (next.kind != kind || kind == COMPRESSED_DATA || kind == DATA && next.host != first.host + length) {
                break;
            }
            long add = Math.min(next.length, max - length);
            length += add;
            at += add;
        }
        return new Extent(kind, first.host, length);
    }

    /** The kind of the bytes from {@code within} in cluster {@code index} of a table, to the end of its uniform part. */
    private Extent classify(L2Table table, int index, long within) throws BlockFormatException {
        long word = table.words[index];
        long rest = clusterSize - within;
        if ((word & COMPRESSED) != 0) {
            return new Extent(COMPRESSED_DATA, word, rest);
        }
        long host = word & L2_OFFSET_MASK;
        if (!extendedL2) {
            if ((word & ZERO) != 0 && header.version >= 3) {
                return new Extent(ZEROES, -1, rest);
            }
            if (!hasHostCluster(word)) {
                return new Extent(UNALLOCATED, -1, rest);
            }
            checkDataCluster(host, index, table);
            return new Extent(DATA, host + within, rest);
        }
        long bitmap = checkedBitmap(table, index);
        int sub = (int) (within / subclusterSize);
        long alloc = bitmap & 0xffffffffL;
        long zero = bitmap >>> 32;
        int state = subclusterState(alloc, zero, sub);
        int last = sub;
        while (last + 1 < 32 && subclusterState(alloc, zero, last + 1) == state) {
            last++;
        }
        long length = (last + 1) * subclusterSize - within;
        if (state == DATA) {
            if (!hasHostCluster(word)) {
                throw new BlockFormatException("'" + filename + "' has allocated subclusters without a host cluster (L2 table at "
                        + table.offset + ", index " + index + ")");
            }
            checkDataCluster(host, index, table);
            return new Extent(DATA, host + within, length);
        }
        return new Extent(state, -1, length);
    }

    /** An extended L2 entry's subcluster bitmap, refused if it calls a subcluster both allocated and zero. */
    private long checkedBitmap(L2Table table, int index) throws BlockFormatException {
        long bitmap = table.bitmaps[index];
        if ((bitmap & bitmap >>> 32 & ALL_ALLOCATED) != 0) {
            throw new BlockFormatException("'" + filename + "' has an extended L2 entry (table at " + table.offset + ", index " + index
                    + ") with subclusters both allocated and zero");
        }
        return bitmap;
    }

    private static int subclusterState(long alloc, long zero, int sub) {
        if ((alloc >>> sub & 1) != 0) {
            return DATA;
        }
        return (zero >>> sub & 1) != 0 ? ZEROES : UNALLOCATED;
    }

    private void checkDataCluster(long host, int index, L2Table table) throws BlockFormatException {
        if ((host & (clusterSize - 1)) != 0) {
            throw new BlockFormatException("'" + filename + "' maps a cluster to unaligned host offset " + host + " (L2 table at "
                    + table.offset + ", index " + index + ")");
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        checkOpen();
        if (offset < 0) {
            throw new IOException("negative offset " + offset);
        }
        if (offset >= header.size) {
            return 0;
        }
        int total = (int) Math.min(dst.remaining(), header.size - offset);
        int saved = dst.limit();
        dst.limit(dst.position() + total);
        try {
            synchronized (this) {
                writePending();
                long at = offset;
                while (dst.hasRemaining()) {
                    Extent e = map(at, dst.remaining());
                    int n = (int) e.length;
                    int limit = dst.limit();
                    dst.limit(dst.position() + n);
                    switch (e.kind) {
                        case DATA -> readData(e.host, dst);
                        case ZEROES -> zeroFill(dst);
                        case UNALLOCATED -> readBacking(at, dst);
                        default -> readCompressed(e.host, at, dst);
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

    private void readData(long host, ByteBuffer dst) throws IOException {
        int want = dst.remaining();
        int got = dataFile.read(host, dst);
        if (got < want) {
            // The data file ends inside a preallocated or sparse tail: the rest reads as zeroes.
            zeroFill(dst);
        }
    }

    private void readBacking(long at, ByteBuffer dst) throws IOException {
        if (backing == null) {
            zeroFill(dst);
            return;
        }
        backing.read(at, dst);
        // Past the backing file's end the disk reads as zeroes (QEMU).
        zeroFill(dst);
    }

    private void readCompressed(long word, long at, ByteBuffer dst) throws IOException {
        byte[] cluster = decompress(word);
        int from = (int) (at & (clusterSize - 1));
        dst.put(cluster, from, dst.remaining());
    }

    /** Decompresses the cluster an L2 word describes; the last one is kept for sequential readers. */
    byte[] decompress(long word) throws IOException {
        if (word == cachedCompressedEntry) {
            return cachedCompressed;
        }
        long[] range = compressedRange(word);
        long start = range[0];
        int length = (int) range[1];
        long fileSize = dataFile.size();
        if (start >= fileSize) {
            throw new BlockFormatException("'" + filename + "' has a compressed cluster at host offset " + start
                    + " past the end of the file (" + fileSize + " bytes)");
        }
        length = (int) Math.min(length, fileSize - start);
        ByteBuffer raw = ByteBuffer.allocate(length);
        dataFile.read(start, raw);
        byte[] cluster = new byte[(int) clusterSize];
        Qcow2Compression.decompress(header.compressionType, raw.array(), raw.position(), cluster, start);
        cachedCompressedEntry = word;
        cachedCompressed = cluster;
        return cluster;
    }

    /** @return the host byte offset and the stored length (to the end of its last sector) of a compressed cluster */
    long[] compressedRange(long word) {
        int shift = 62 - (clusterBits - 8);
        long offset = word & ((1L << shift) - 1);
        long sectors = ((word >>> shift) & ((1L << (clusterBits - 8)) - 1)) + 1;
        long length = sectors * 512 - (offset & 511);
        return new long[] {offset, length};
    }

    private static void zeroFill(ByteBuffer dst) {
        while (dst.hasRemaining()) {
            int n = Math.min(dst.remaining(), ZERO_CHUNK);
            dst.put(ZERO_BUFFER.duplicate().limit(n));
        }
    }

    @Override
    public synchronized BlockStatus blockStatus(long offset, long length) throws IOException {
        checkOpen();
        if (offset < 0 || offset >= header.size) {
            throw new IllegalArgumentException("block status at offset " + offset + " of node '" + nodeName
                    + "': the offset must lie below the size " + header.size);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("block status length must be positive: " + length);
        }
        long max = Math.min(length, header.size - offset);
        Extent e = map(offset, max);
        long n = e.length;
        // Merge following extents of the same kind across L2 tables, as qemu-img map shows them.
        while (n < max) {
            Extent next = map(offset + n, max - n);
            if (next.kind != e.kind || e.kind == COMPRESSED_DATA || e.kind == DATA && next.host != e.host + n) {
                break;
            }
            n += next.length;
        }
        return switch (e.kind) {
            case DATA -> metadataPreallocated() ? statusOfPreallocated(offset, n, e.host) : new BlockStatus(offset, n, true, false, 0, e.host);
            case ZEROES -> new BlockStatus(offset, n, false, true, 0, -1);
            case COMPRESSED_DATA -> new BlockStatus(offset, n, true, false, 0, -1);
            default -> BlockStatus.inBacking(backing, offset, n);
        };
    }

    /**
     * Whether the image looks metadata-preallocated, as qemu-img 7.2 decides it once per open:
     * clearly more clusters in use (10 % and at least 2) than the file has blocks allocated.
     * Then data clusters may be holes of the file, and block status asks the file about them.
     */
    private boolean metadataPreallocated() throws IOException {
        if (metadataPreallocation == null) {
            long allocated = file.allocatedSize();
            boolean detected = false;
            if (allocated >= 0) {
                long realClusters = allocated / clusterSize;
                long threshold = Math.max(realClusters * 10 / 9, realClusters + 2);
                long end = (file.size() + clusterSize - 1) / clusterSize;
                Qcow2Refcounts counts = refcounts();
                long inUse = 0;
                for (long i = 0; i < end && inUse < threshold; i++) {
                    inUse += counts.get(i) != 0 ? 1 : 0;
                }
                detected = inUse >= threshold;
            }
            metadataPreallocation = detected;
        }
        return metadataPreallocation;
    }

    /** A data extent of a metadata-preallocated image: zero where the file holds a hole there or ends before it. */
    private BlockStatus statusOfPreallocated(long offset, long length, long host) throws IOException {
        if (host >= dataFile.size()) {
            return new BlockStatus(offset, length, true, true, 0, host);
        }
        BlockStatus below = dataFile.blockStatus(host, length);
        return new BlockStatus(offset, below.length(), true, below.zero(), 0, host);
    }

    // ---------------------------------------------------------------- writes

    @Override
    public synchronized int write(long offset, ByteBuffer src) throws IOException {
        int length = src.remaining();
        checkWrite("write", offset, length);
        writePending();
        beginWrite(offset, length);
        long at = offset;
        while (src.hasRemaining()) {
            long inCluster = at & (clusterSize - 1);
            int n = (int) Math.min(src.remaining(), clusterSize - inCluster);
            Slot slot = slot(at);
            long word = slot.table.words[slot.index];
            if (writableInPlace(word)) {
                // In place: the cluster is ours alone.
                ByteBuffer part = src.slice(src.position(), n);
                if (extendedL2) {
                    writeSubclusters(slot, at, part, true);
                } else {
                    dataFile.write((word & L2_OFFSET_MASK) + inCluster, part);
                }
                src.position(src.position() + n);
                at += n;
                continue;
            }
            if (keepsZeroCluster(word)) {
                writeIntoZeroCluster(slot, at, src.slice(src.position(), n));
                src.position(src.position() + n);
                at += n;
                continue;
            }
            if (inCluster == 0 && src.remaining() >= clusterSize) {
                // A run of whole clusters that all need new space: one allocation, one write.
                long clusters = countFreshRun(at, src.remaining() / clusterSize);
                long host = allocateData(at, clusters);
                ByteBuffer part = src.slice(src.position(), (int) (clusters * clusterSize));
                dataFile.write(host, part);
                for (long c = 0; c < clusters; c++) {
                    Slot s = slot(at + c * clusterSize);
                    replace(s, host + c * clusterSize | COPIED);
                }
                src.position(src.position() + (int) (clusters * clusterSize));
                at += clusters * clusterSize;
                continue;
            }
            if (extendedL2) {
                writeSubclusters(slot, at, src.slice(src.position(), n), false);
                src.position(src.position() + n);
                at += n;
                continue;
            }
            // A partial cluster: copy what it held (backing, zeroes, compressed, shared data) and overlay the new bytes.
            long clusterStart = at - inCluster;
            ByteBuffer whole = ByteBuffer.allocate((int) clusterSize);
            long visible = Math.min(clusterSize, header.size - clusterStart);
            whole.limit((int) visible);
            read(clusterStart, whole);
            whole.clear();
            whole.put((int) inCluster, src, src.position(), n);
            long host = allocateData(clusterStart, 1);
            dataFile.write(host, whole);
            replace(slot(at), host | COPIED);
            src.position(src.position() + n);
            at += n;
        }
        return length;
    }

    /**
     * Writes part of one cluster of an image with extended L2 entries, as QEMU 7.2 does: the
     * subclusters the bytes touch become allocated, and the bytes of those subclusters that the
     * write does not cover are copied from what they read now (backing file or zeroes). A cluster
     * that needs new space takes along what the old one held: every subcluster of a compressed
     * cluster, and the span of allocated subclusters of a shared one. The data is written before
     * the L2 entry changes, so a crash leaves the old bitmap over unchanged old data.
     *
     * @param inPlace whether the cluster is ours alone and keeps its host cluster
     */
    private void writeSubclusters(Slot slot, long at, ByteBuffer part, boolean inPlace) throws IOException {
        long word = slot.table.words[slot.index];
        long bitmap = checkedBitmap(slot.table, slot.index);
        long clusterStart = at & ~(clusterSize - 1);
        int inCluster = (int) (at - clusterStart);
        int n = part.remaining();
        int from = (int) (inCluster / subclusterSize);
        int to = (int) ((inCluster + n - 1) / subclusterSize) + 1;
        boolean compressed = (word & COMPRESSED) != 0;
        if (!inPlace && compressed) {
            from = 0;
            to = 32;
        } else if (!inPlace && hasHostCluster(word) && (int) bitmap != 0) {
            from = Math.min(from, Integer.numberOfTrailingZeros((int) bitmap));
            to = Math.max(to, 32 - Integer.numberOfLeadingZeros((int) bitmap));
        }
        long start = clusterStart + from * subclusterSize;
        long end = Math.min(clusterStart + to * subclusterSize, header.size);
        if (inPlace && (bitmap >>> from & 1) != 0) {
            start = at; // the first subcluster already holds its data here
        }
        if (inPlace && (bitmap >>> (to - 1) & 1) != 0) {
            end = at + n;
        }
        ByteBuffer data = ByteBuffer.allocate((int) (end - start));
        if (at > start) {
            read(start, data.slice(0, (int) (at - start)));
        }
        if (at + n < end) {
            read(at + n, data.slice((int) (at + n - start), (int) (end - at - n)));
        }
        data.put((int) (at - start), part, part.position(), n);
        long host = inPlace ? word & L2_OFFSET_MASK : allocateData(clusterStart, 1);
        dataFile.write(host + (start - clusterStart), data);
        long range = subclusterRange(from, to);
        long updated = ((compressed ? 0 : bitmap) | range) & ~(range << 32);
        if (inPlace) {
            if (updated != bitmap) {
                slot.table.bitmaps[slot.index] = updated;
                slot.table.dirty = true;
            }
        } else {
            replace(slot, host | COPIED, updated);
        }
    }

    /** The allocation bits of subclusters {@code from} (inclusive) to {@code to} (exclusive); shifted left by 32, their zero bits. */
    private static long subclusterRange(int from, int to) {
        return (ALL_ALLOCATED >>> (32 - (to - from))) << from;
    }

    /** Whether an entry points to a host cluster: a non-zero offset, or with an external data file offset 0 marked copied (QEMU). */
    boolean hasHostCluster(long word) {
        return (word & COMPRESSED) == 0 && ((word & L2_OFFSET_MASK) != 0 || hasExternalDataFile() && (word & COPIED) != 0);
    }

    /**
     * Whether a write into a standard zero cluster goes to the host cluster it already has, as
     * QEMU's handle_copied does: the cluster keeps its space (preallocation, or zeroes written
     * over data without unmap) and is ours alone.
     */
    private boolean keepsZeroCluster(long word) {
        return !extendedL2 && (word & (COPIED | ZERO)) == (COPIED | ZERO) && hasHostCluster(word);
    }

    /**
     * Writes part or all of a zero cluster into its own host cluster: the rest of the cluster is
     * zeroed first (without unmapping: QEMU zeroes the whole cluster efficiently instead of
     * copying zeroes, and keeps the blocks), then the bytes land, and only then does the entry
     * lose its zero flag, so a crash before that still reads zeroes.
     */
    private void writeIntoZeroCluster(Slot slot, long at, ByteBuffer part) throws IOException {
        long word = slot.table.words[slot.index];
        long host = word & L2_OFFSET_MASK;
        long inCluster = at & (clusterSize - 1);
        if (part.remaining() < clusterSize) {
            long clusterStart = at - inCluster;
            dataFile.writeZeroes(host, Math.min(clusterSize, header.size - clusterStart), false);
        }
        dataFile.write(host + inCluster, part);
        replace(slot, host | COPIED);
    }

    /** Whether writes may go to an entry's host cluster in place: plain data referenced only here (a standard zero cluster is rewritten). */
    private boolean writableInPlace(long word) {
        return (word & COPIED) != 0 && hasHostCluster(word) && (extendedL2 || (word & ZERO) == 0);
    }

    /** Where the next compressed cluster goes: packed byte after byte into clusters taken for them, as QEMU's qcow2_alloc_bytes. */
    private long compressedCursor;

    @Override
    public synchronized void writeCompressed(long offset, ByteBuffer src) throws IOException {
        checkWrite("compressed write", offset, src.remaining());
        if ((offset & (clusterSize - 1)) != 0 || src.remaining() % clusterSize != 0 && offset + src.remaining() != header.size) {
            throw new IllegalArgumentException("compressed writes take whole " + clusterSize + "-byte clusters, not " + src.remaining()
                    + " bytes at offset " + offset);
        }
        if (hasExternalDataFile()) {
            // As QEMU 7.2: compressed clusters cannot live in an external data file.
            throw new UnsupportedOperationException("compressed writes to '" + filename + "': Operation not supported with an external data file");
        }
        beginWrite(offset, src.remaining());
        int count = (int) ((src.remaining() + clusterSize - 1) / clusterSize);
        byte[][] clusters = new byte[count][];
        for (int i = 0; i < count; i++) {
            clusters[i] = new byte[(int) clusterSize];
            src.get(clusters[i], 0, (int) Math.min(clusterSize, src.remaining()));
        }
        // Compression is the costly part and each cluster stands alone: all cores take part.
        byte[][] packed = new byte[count][];
        java.util.stream.IntStream.range(0, count).parallel()
                .forEach(i -> packed[i] = Qcow2Compression.compress(header.compressionType, clusters[i]));
        long at = offset;
        for (int i = 0; i < count; i++) {
            int n = (int) Math.min(clusterSize, header.size - at);
            if (packed[i] == null) {
                write(at, ByteBuffer.wrap(clusters[i], 0, n));
            } else {
                long host = allocateBytes(packed[i].length);
                appendCompressed(host, packed[i]);
                int shift = 62 - (clusterBits - 8);
                long extraSectors = ((host + packed[i].length - 1) >>> 9) - (host >>> 9);
                replace(slot(at), COMPRESSED | extraSectors << shift | host);
            }
            at += n;
        }
    }

    /** Compressed data not yet written: consecutive compressed clusters go to the file in one write. */
    private byte[] pending = new byte[0];
    private long pendingHost;
    private int pendingLength;

    private void appendCompressed(long host, byte[] data) throws IOException {
        if (pendingLength > 0 && (host != pendingHost + pendingLength || pendingLength + data.length > CHUNK_BYTES)) {
            writePending();
        }
        if (pendingLength == 0) {
            pendingHost = host;
        }
        if (pending.length < pendingLength + data.length) {
            pending = java.util.Arrays.copyOf(pending, Math.max(pendingLength + data.length, Math.min(CHUNK_BYTES, pending.length * 2 + data.length)));
        }
        System.arraycopy(data, 0, pending, pendingLength, data.length);
        pendingLength += data.length;
    }

    /** Writes the pending compressed data: before any read and before the tables that point to it. */
    private void writePending() throws IOException {
        if (pendingLength > 0) {
            dataFile.write(pendingHost, ByteBuffer.wrap(pending, 0, pendingLength));
            pendingLength = 0;
        }
    }

    private static final int CHUNK_BYTES = 4 << 20;

    /** Takes {@code length} bytes for compressed data, counting each host cluster once per compressed cluster in it. */
    private long allocateBytes(int length) throws IOException {
        Qcow2Refcounts counts = refcounts();
        long cursor = compressedCursor;
        long clusterEnd = (cursor | (clusterSize - 1)) + 1;
        if (cursor == 0 || (cursor & (clusterSize - 1)) == 0 || cursor + length > clusterEnd && (clusterEnd >>> clusterBits) != counts.end()) {
            // A fresh run of clusters for the data.
            long clusters = (length + clusterSize - 1) >>> clusterBits;
            long host = counts.allocate(clusters);
            compressedCursor = host + length;
            return host;
        }
        // Continue in the current cluster; spill into freshly taken clusters right after it.
        counts.increment(cursor >>> clusterBits);
        if (cursor + length > clusterEnd) {
            long more = (cursor + length - clusterEnd + clusterSize - 1) >>> clusterBits;
            counts.allocate(more);
        }
        compressedCursor = cursor + length;
        return cursor;
    }

    /** How many whole clusters from {@code at} (at most {@code max}) need new space: not yet ours in place. */
    private long countFreshRun(long at, long max) throws IOException {
        long n = 0;
        while (n < max) {
            Slot s = slot(at + n * clusterSize);
            if (writableInPlace(s.table.words[s.index]) || keepsZeroCluster(s.table.words[s.index])) {
                break;
            }
            n++;
        }
        return Math.max(n, 1);
    }

    /**
     * Host space for {@code clusters} clusters of guest data from {@code guestOffset}: new
     * clusters counted in the image file, or with an external data file the clusters at the
     * guest offset itself, uncounted, as QEMU lays them out (the data file's clusters have no
     * refcounts).
     */
    private long allocateData(long guestOffset, long clusters) throws IOException {
        if (hasExternalDataFile()) {
            return guestOffset & ~(clusterSize - 1);
        }
        return refcounts().allocate(clusters);
    }

    /** An L2 entry ready to change: its table is ours alone (copied on write if a snapshot shares it). */
    record Slot(L2Table table, int index) {
    }

    private Slot slot(long offset) throws IOException {
        int l1Index = (int) (offset >>> (clusterBits + l2Bits));
        long entry = l1[l1Index];
        long tableOffset = entry & L1_OFFSET_MASK;
        L2Table table;
        if (tableOffset == 0) {
            long at = refcounts().allocate(1);
            table = new L2Table(at, l2Entries, extendedL2);
            table.dirty = true;
            cache(table);
            l1[l1Index] = at | COPIED;
            l1Dirty = true;
        } else if ((entry & COPIED) == 0) {
            // Shared with a snapshot: the copy references the same clusters, whose counts already include the snapshot's.
            L2Table shared = l2(tableOffset);
            long at = refcounts().allocate(1);
            table = new L2Table(at, l2Entries, extendedL2);
            System.arraycopy(shared.words, 0, table.words, 0, l2Entries);
            if (extendedL2) {
                System.arraycopy(shared.bitmaps, 0, table.bitmaps, 0, l2Entries);
            }
            table.dirty = true;
            cache(table);
            l1[l1Index] = at | COPIED;
            l1Dirty = true;
            refcounts().freeLater(tableOffset, 1);
        } else {
            table = l2(tableOffset);
        }
        return new Slot(table, (int) ((offset >>> clusterBits) & (l2Entries - 1)));
    }

    /**
     * Points an entry at new contents, releasing (after the table is durable) the clusters it
     * held. {@code word} is in the standard form; with extended L2 entries its zero flag becomes
     * "every subcluster reads as zero" and a host cluster "every subcluster allocated".
     */
    private void replace(Slot slot, long word) throws IOException {
        if (!extendedL2 || (word & COMPRESSED) != 0) {
            replace(slot, word, 0); // a compressed cluster's bitmap is reserved (zero); its low bits are part of the offset
        } else if ((word & ZERO) != 0) {
            replace(slot, word & ~ZERO, ALL_ZEROES);
        } else {
            replace(slot, word, hasHostCluster(word) ? ALL_ALLOCATED : 0);
        }
    }

    /** Points an entry at a new word and (extended L2 entries only) subcluster bitmap. */
    private void replace(Slot slot, long word, long bitmap) throws IOException {
        long old = slot.table.words[slot.index];
        slot.table.words[slot.index] = word;
        if (extendedL2) {
            slot.table.bitmaps[slot.index] = bitmap;
        }
        slot.table.dirty = true;
        boolean sameCluster = ((old | word) & COMPRESSED) == 0 && (old & L2_OFFSET_MASK) == (word & L2_OFFSET_MASK);
        if (!sameCluster) {
            release(old);
        }
    }

    private void release(long old) throws IOException {
        if (hasExternalDataFile()) {
            // The data file's clusters have no refcounts; each guest cluster keeps its place there. As QEMU, the range a
            // cluster gives up is discarded in the data file (a raw one had it zeroed or punched already).
            if (!dataFileRaw && hasHostCluster(old)) {
                dataFile.discard(old & L2_OFFSET_MASK, Math.min(clusterSize, Math.max(0, dataFile.size() - (old & L2_OFFSET_MASK))));
            }
            return;
        }
        if ((old & COMPRESSED) != 0) {
            long[] range = compressedRange(old);
            long first = range[0] & ~(clusterSize - 1);
            long last = (range[0] + range[1] - 1) & ~(clusterSize - 1);
            refcounts().freeLater(first, ((last - first) >>> clusterBits) + 1);
            if (old == cachedCompressedEntry) {
                cachedCompressedEntry = -1;
            }
        } else if ((old & L2_OFFSET_MASK) != 0) {
            refcounts().freeLater(old & L2_OFFSET_MASK, 1);
        }
    }

    @Override
    public synchronized void writeZeroes(long offset, long length) throws IOException {
        writeZeroes(offset, length, false);
    }

    /** With {@code mayUnmap}, as QEMU: whole clusters that held space become zero clusters without it, their space freed (and punched). */
    @Override
    public synchronized void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        checkWrite("write zeroes", offset, length);
        clearRange(offset, length, true, mayUnmap);
    }

    @Override
    public synchronized void discard(long offset, long length) throws IOException {
        checkWrite("discard", offset, length);
        clearRange(offset, length, false, true);
    }

    /**
     * Zeroes or discards: whole clusters change their L2 entry (a zero flag, or unallocated when
     * that reads the same), partial ones are written with zeroes (write-zeroes; with extended L2
     * entries only their partial subclusters) or left (discard), as QEMU 7.2 does.
     *
     * @param unmap whether whole clusters give up their space (discard, write-zeroes with unmap)
     */
    private void clearRange(long offset, long length, boolean mustZero, boolean unmap) throws IOException {
        beginWrite(offset, length);
        long end = offset + length;
        long at = offset;
        while (at < end) {
            long inCluster = at & (clusterSize - 1);
            long n = Math.min(end - at, clusterSize - inCluster);
            boolean whole = inCluster == 0 && (n == clusterSize || at + n == header.size);
            if (whole) {
                int l1Index = (int) (at >>> (clusterBits + l2Bits));
                if ((l1[l1Index] & L1_OFFSET_MASK) == 0 && backing == null && !(mustZero && header.version >= 3)) {
                    // No table and nothing below: the whole table's range already reads as zeroes.
                    at = Math.min(end, ((long) l1Index + 1) << (clusterBits + l2Bits));
                    continue;
                }
                if (extendedL2) {
                    clearSubclusters(at, n, mustZero, unmap);
                } else {
                    clearCluster(at, n, mustZero, unmap);
                }
            } else if (mustZero && extendedL2) {
                zeroPartOfCluster(at, n);
            } else if (mustZero && restOfClusterReadsZero(at, n)) {
                long clusterStart = at - inCluster;
                clearCluster(clusterStart, Math.min(clusterSize, header.size - clusterStart), true, unmap);
            } else if (mustZero) {
                write(at, ByteBuffer.allocate((int) n));
            }
            at += n;
        }
    }

    /**
     * Whether zeroing part of a cluster may zero all of it, as QEMU's qcow2 write-zeroes does
     * with an unaligned request: the cluster holds no data of its own (unallocated, or a zero
     * cluster) and the rest of it already reads as zeroes by block status. Version 2 has no zero
     * flag: only without a backing file, where an unallocated cluster reads as zeroes.
     */
    private boolean restOfClusterReadsZero(long at, long n) throws IOException {
        long word = slot(at).table.words[slot(at).index];
        boolean noData = (word & COMPRESSED) == 0 && (!hasHostCluster(word) || (word & ZERO) != 0);
        if (!noData || header.version < 3 && backing != null) {
            return false;
        }
        long clusterStart = at & ~(clusterSize - 1);
        long clusterEnd = Math.min(clusterStart + clusterSize, header.size);
        return readsZero(clusterStart, at) && readsZero(at + n, clusterEnd);
    }

    /** Whether {@code [from, to)} reads as zeroes by block status alone (no data read). */
    private boolean readsZero(long from, long to) throws IOException {
        for (long p = from; p < to; ) {
            BlockStatus s = blockStatus(p, to - p);
            if (!s.zero()) {
                return false;
            }
            p = s.end();
        }
        return true;
    }

    /** Zeroes or discards the whole cluster at {@code at} ({@code n} bytes, less at the disk's end) with standard L2 entries. */
    private void clearCluster(long at, long n, boolean mustZero, boolean unmap) throws IOException {
        if (header.version < 3) {
            // Version 2 has no zero flag: unallocated reads as zeroes only without a backing file.
            if (!mustZero || backing == null) {
                if (map(at, clusterSize).kind != UNALLOCATED) {
                    replace(slot(at), 0);
                }
            } else {
                write(at, ByteBuffer.allocate((int) n));
            }
            return;
        }
        Slot s = slot(at);
        zeroRawDataFile(at, n, unmap);
        // Write-zeroes leaves zero clusters, as QEMU does (present in map), keeping the space a cluster has (a shared
        // one keeps its reference, without "copied") unless it may unmap; so does a discard of a cluster that held
        // something or over a backing file; a discard of nothing with nothing below leaves nothing.
        long old = s.table.words[s.index];
        long word = backing == null && !mustZero && !dataFileRaw && !hasHostCluster(old) && (old & COMPRESSED) == 0 ? 0 : ZERO;
        if (mustZero && !unmap && hasHostCluster(old)) {
            word = old | ZERO;
        }
        if (old != word) {
            replace(s, word);
        }
    }

    /**
     * Zeroes or discards the whole cluster at {@code at} with extended L2 entries, as QEMU 7.2: a
     * bitmap of zero subclusters; write-zeroes keeps a cluster that is ours alone, discard lets
     * it go, and with nothing below a discarded cluster that held nothing is simply unallocated.
     */
    private void clearSubclusters(long at, long n, boolean mustZero, boolean unmap) throws IOException {
        Slot s = slot(at);
        zeroRawDataFile(at, n, unmap);
        long word = s.table.words[s.index];
        if (mustZero && !unmap && writableInPlace(word)) {
            if (s.table.bitmaps[s.index] != ALL_ZEROES) {
                s.table.bitmaps[s.index] = ALL_ZEROES;
                s.table.dirty = true;
            }
            return;
        }
        boolean keepZero = mustZero || backing != null || dataFileRaw || hasHostCluster(word) || (word & COMPRESSED) != 0;
        long bitmap = keepZero ? ALL_ZEROES : 0;
        if (word != 0 || s.table.bitmaps[s.index] != bitmap) {
            replace(s, 0, bitmap);
        }
    }

    /**
     * Zeroes part of one cluster with extended L2 entries: the whole subclusters it covers are
     * marked zero, the partial ones at its edges too where QEMU does so (see
     * {@link #zeroInsideSubcluster}), else written with zeroes. A compressed cluster has no
     * bitmap to mark: it is written (and so allocated) instead.
     */
    private void zeroPartOfCluster(long at, long n) throws IOException {
        long first = Math.min(at + n, (at + subclusterSize - 1) & ~(subclusterSize - 1));
        long last = at + n == header.size ? at + n : Math.max(first, (at + n) & ~(subclusterSize - 1));
        Slot s = slot(at);
        if ((s.table.words[s.index] & COMPRESSED) != 0) {
            write(at, ByteBuffer.allocate((int) n));
            return;
        }
        if (first == last) {
            zeroInsideSubcluster(at, at + n);
            return;
        }
        if (first > at) {
            zeroInsideSubcluster(at, first);
            s = slot(first); // the write may have replaced the table
        }
        zeroRawDataFile(first, last - first, false);
        long clusterStart = at & ~(clusterSize - 1);
        int from = (int) ((first - clusterStart) / subclusterSize);
        int to = (int) ((last - clusterStart + subclusterSize - 1) / subclusterSize);
        long range = subclusterRange(from, to);
        long bitmap = checkedBitmap(s.table, s.index);
        long updated = (bitmap | range << 32) & ~range;
        if (updated != bitmap) {
            s.table.bitmaps[s.index] = updated;
            s.table.dirty = true;
        }
        if (last < at + n) {
            zeroInsideSubcluster(last, at + n);
        }
    }

    /**
     * Zeroes {@code [from, to)}, part of one subcluster, as QEMU's write-zeroes does with the
     * unaligned edges of a request: a subcluster that holds no data of its own and whose rest
     * already reads as zeroes is marked zero as a whole; otherwise zeroes are written.
     */
    private void zeroInsideSubcluster(long from, long to) throws IOException {
        long subStart = from & ~(subclusterSize - 1);
        long subEnd = Math.min(subStart + subclusterSize, header.size);
        Slot s = slot(from);
        long bitmap = checkedBitmap(s.table, s.index);
        int sub = (int) ((subStart & (clusterSize - 1)) / subclusterSize);
        if ((s.table.words[s.index] & COMPRESSED) == 0 && (bitmap >>> sub & 1) == 0 && readsZero(subStart, from) && readsZero(to, subEnd)) {
            zeroRawDataFile(subStart, subEnd - subStart, false);
            s = slot(from);
            long updated = bitmap | 1L << (32 + sub);
            if (updated != bitmap) {
                s.table.bitmaps[s.index] = updated;
                s.table.dirty = true;
            }
            return;
        }
        write(from, ByteBuffer.allocate((int) (to - from)));
    }

    /**
     * With a raw data file, zeroed or discarded guest bytes are zeroed there too, before the
     * tables say so: it stays a raw image of the disk. As QEMU, a discard or an unmapping
     * write-zeroes punches the range out; other zeroes keep its blocks.
     */
    private void zeroRawDataFile(long offset, long length, boolean unmap) throws IOException {
        if (dataFileRaw && length > 0) {
            dataFile.writeZeroes(offset, Math.min(length, header.size - offset), unmap);
        }
    }

    /**
     * Allocates every L2 table and data cluster of a new image (qemu-img's preallocation),
     * data contiguous per L2 table; {@code full} writes the zeroes, otherwise the file is only
     * extended (sparse where the host allows).
     */
    synchronized void preallocate(BlockPreallocation mode) throws IOException {
        preallocate(0, header.size, mode);
    }

    /**
     * Gives every cluster of {@code [from, to)} that has no host cluster one, each run of them
     * in one allocation per L2 table.
     */
    private void preallocate(long from, long to, BlockPreallocation mode) throws IOException {
        long perTable = clusterSize << l2Bits;
        long at = from & ~(clusterSize - 1);
        while (at < to) {
            long tableEnd = Math.min(to, (at / perTable + 1) * perTable);
            Slot first = slot(at);
            int index = first.index;
            int last = (int) (first.index + (tableEnd - at + clusterSize - 1) / clusterSize);
            while (index < last) {
                if (hasHostCluster(first.table.words[index]) || (first.table.words[index] & COMPRESSED) != 0) {
                    index++;
                    continue;
                }
                int run = index;
                while (run < last && !hasHostCluster(first.table.words[run]) && (first.table.words[run] & COMPRESSED) == 0) {
                    run++;
                }
                long clusters = run - index;
                long host = allocateData(at + (long) (index - first.index) * clusterSize, clusters);
                for (int i = 0; i < clusters; i++) {
                    // A zero flag stays: the cluster gets space but still reads as zeroes (QEMU's zero-alloc).
                    // With extended L2 entries the bitmap stays: the subclusters have space but are not allocated (QEMU 7.2).
                    first.table.words[index + i] = host + i * clusterSize | COPIED | first.table.words[index + i] & ZERO;
                }
                first.table.dirty = true;
                if (mode != BlockPreallocation.METADATA) {
                    reserveSpace(host, clusters * clusterSize, mode);
                } else if (dataFile.size() < host + clusters * clusterSize) {
                    dataFile.writeZeroes(host + clusters * clusterSize - 1, 1);
                }
                index = run;
            }
            at = tableEnd;
        }
    }

    /**
     * Gives newly allocated data clusters disk space, as QEMU's falloc and full preallocation do
     * (it grows the file with that mode): zeroed in place inside the file (which allocates blocks
     * even where the host zeroes without writing), and past its end the file grows in that mode
     * (blocks reserved or zeroes written), not left a hole.
     */
    private void reserveSpace(long host, long length, BlockPreallocation mode) throws IOException {
        long size = dataFile.size();
        if (host < size) {
            long inside = Math.min(length, size - host);
            dataFile.writeZeroes(host, inside, false);
        } else if (host > size) {
            // Clusters below were allocated for tables that are written when the metadata is flushed.
            dataFile.resize(host, BlockPreallocation.OFF);
        }
        if (host + length > dataFile.size()) {
            dataFile.resize(host + length, mode);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        checkOpen();
        if (readOnly) {
            return;
        }
        if (hasExternalDataFile()) {
            dataFile.flush();
        }
        flushMetadata();
        file.flush();
    }

    /**
     * One epoch: counts that grew, then L2 tables, then the L1 table, then counts that shrank;
     * flushed between. An external data file is flushed before the tables that map its new data.
     */
    synchronized void flushMetadata() throws IOException {
        writePending();
        boolean l2Dirty = l2Cache.values().stream().anyMatch(t -> t.dirty);
        if (refcounts == null && !l2Dirty && !l1Dirty) {
            return;
        }
        if (l2Dirty && hasExternalDataFile()) {
            dataFile.flush();
        }
        if (refcounts != null) {
            refcounts.writeIncreases();
        }
        if (l2Dirty) {
            for (L2Table t : l2Cache.values()) {
                if (t.dirty) {
                    writeL2(t);
                }
            }
            file.flush();
        }
        if (l1Dirty) {
            ByteBuffer raw = ByteBuffer.allocate(l1.length * 8);
            for (long e : l1) {
                raw.putLong(e);
            }
            raw.flip();
            file.write(header.l1TableOffset, raw);
            file.flush();
            l1Dirty = false;
        }
        if (refcounts != null && refcounts.hasPendingFrees()) {
            refcounts.commitFrees();
        }
    }

    private void writeL2(L2Table t) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate((int) clusterSize);
        for (int i = 0; i < l2Entries; i++) {
            if (extendedL2) {
                raw.putLong(t.words[i]).putLong(t.bitmaps[i]);
            } else {
                raw.putLong(t.words[i]);
            }
        }
        raw.flip();
        file.write(t.offset, raw);
        t.dirty = false;
    }

    Qcow2Refcounts refcounts() throws IOException {
        if (refcounts == null) {
            refcounts = new Qcow2Refcounts(file, header, filename);
        }
        return refcounts;
    }

    void markL1Dirty() {
        l1Dirty = true;
    }

    /** Drops the refcount cache so a check reads the counts from the file. */
    void forgetRefcounts() {
        refcounts = null;
    }

    /**
     * Before a change of {@code length} bytes at {@code offset}: the enabled persistent bitmaps
     * record it (marked in use, durably, before the first change), and before the first change
     * of a lazy-refcounts image the dirty bit is set, durably.
     */
    private void beginWrite(long offset, long length) throws IOException {
        bitmaps().markWritten(offset, length);
        if (dirtyBitSet || (header.compatibleFeatures & Qcow2Header.COMPAT_LAZY_REFCOUNTS) == 0) {
            return;
        }
        header.incompatibleFeatures |= Qcow2Header.INCOMPAT_DIRTY;
        writeIncompatibleFeatures();
        dirtyBitSet = true;
    }

    void writeIncompatibleFeatures() throws IOException {
        ByteBuffer bits = ByteBuffer.allocate(8);
        bits.putLong(header.incompatibleFeatures).flip();
        file.write(72, bits);
        file.flush();
    }

    private void checkWrite(String what, long offset, long length) throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("cannot " + what + ": node '" + nodeName + "' (" + filename + ") is read-only");
        }
        if (offset < 0 || length < 0 || offset + length < 0 || offset + length > header.size) {
            throw new IOException(what + " of " + length + " bytes at offset " + offset + " reaches past the end of '"
                    + filename + "' (disk size " + header.size + " bytes)");
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("node '" + nodeName + "' (" + filename + ") is closed");
        }
    }

    // ---------------------------------------------------------------- resize, make empty, change backing file

    /**
     * Grows or shrinks the disk. Growing: a larger L1 table first if needed (written, counted and
     * flushed before the header points to it with one write of its size and offset), then the
     * new range cleared of stale mappings (zero clusters where a backing file reaches into it,
     * as QEMU does) and preallocated, and the size field written last. Shrinking: the size field
     * first, then the clusters past the end dropped and the file cut after its last used
     * cluster. Either way a crash leaves the old or the new disk, and at most leaked clusters.
     * Persistent bitmaps follow the disk as QEMU 7.2 resizes them ({@link Qcow2BitmapStore#resizeWith}).
     */
    @Override
    public synchronized void resize(long newSize, BlockPreallocation preallocation) throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("cannot resize: node '" + nodeName + "' (" + filename + ") is read-only");
        }
        if (newSize < 0 || newSize % 512 != 0) {
            throw new IllegalArgumentException("The new size must be a multiple of 512");
        }
        if (header.version < 3 && !snapshots.isEmpty()) {
            throw new UnsupportedOperationException("Can't resize a v2 image which has snapshots");
        }
        if (newSize < header.size) {
            if (preallocation != BlockPreallocation.OFF) {
                throw new IllegalArgumentException("Preallocation can't be used for shrinking an image");
            }
            bitmaps().resizeWith(newSize, () -> shrink(newSize));
        } else if (newSize > header.size) {
            // A raw data file's clusters are all mapped, the new ones too (QEMU).
            BlockPreallocation mode = dataFileRaw && preallocation == BlockPreallocation.OFF ? BlockPreallocation.METADATA : preallocation;
            bitmaps().resizeWith(newSize, () -> grow(newSize, mode));
        }
    }

    private void grow(long newSize, BlockPreallocation preallocation) throws IOException {
        long perTable = clusterSize << l2Bits;
        long l1Entries = newSize / perTable + (newSize % perTable != 0 ? 1 : 0);
        if (l1Entries * 8 > Qcow2Header.MAX_L1_BYTES) {
            throw new IllegalArgumentException("Failed to grow the L1 table: File too large");
        }
        // A backing file that reaches past the old end would show through: the new range must read as zeroes.
        boolean zeroNewRange = backing != null && backing.size() > header.size;
        if (zeroNewRange && header.version < 3) {
            throw new UnsupportedOperationException("Failed to zero out new clusters: Operation not supported");
        }
        beginWrite(0, 0);
        flushMetadata();
        if (hasExternalDataFile() && dataFile.size() != newSize) {
            // The data file is as large as the disk, as qemu-img keeps it; growing it first changes nothing the image maps.
            dataFile.resize(newSize, BlockPreallocation.OFF);
            dataFile.flush();
        }
        if (l1Entries > l1.length) {
            growL1((int) l1Entries);
        }
        long oldSize = header.size;
        // The in-memory size covers the new range so that it can be written; the header says so last.
        header.size = newSize;
        try {
            long tailEnd = oldSize % clusterSize == 0 ? oldSize : Math.min(newSize, (oldSize | (clusterSize - 1)) + 1);
            if (oldSize % clusterSize != 0 && (zeroNewRange || map(oldSize, 1).kind != UNALLOCATED)) {
                // The old last cluster's bytes past the old end (stale or backing data) must read as zeroes:
                // with subclusters, zero subclusters as QEMU marks them.
                if (extendedL2) {
                    zeroPartOfCluster(oldSize, tailEnd - oldSize);
                } else {
                    write(oldSize, ByteBuffer.allocate((int) (tailEnd - oldSize)));
                }
            }
            setEntries(tailEnd, newSize, zeroNewRange ? ZERO : 0);
            if (preallocation != BlockPreallocation.OFF) {
                preallocate(oldSize, newSize, preallocation);
            }
            flushMetadata();
        } catch (IOException | RuntimeException e) {
            header.size = oldSize;
            throw e;
        }
        writeSize();
    }

    /** Sets the L2 entries of whole clusters from {@code from} to {@code to} to {@code word}, releasing what they held. */
    private void setEntries(long from, long to, long word) throws IOException {
        long perTable = clusterSize << l2Bits;
        for (long at = from; at < to; at += clusterSize) {
            int l1Index = (int) (at / perTable);
            if (l1Index >= l1.length || (l1[l1Index] & L1_OFFSET_MASK) == 0) {
                if (word == 0) {
                    at = (l1Index + 1L) * perTable - clusterSize; // the whole table's range is already unallocated
                    continue;
                }
            } else {
                L2Table table = l2(l1[l1Index] & L1_OFFSET_MASK);
                if (table.words[(int) ((at >>> clusterBits) & (l2Entries - 1))] == word) {
                    continue;
                }
            }
            replace(slot(at), word);
        }
    }

    /** Moves the L1 table to new clusters with room for {@code entries}: counted, written, then the header switched in one write. */
    private void growL1(int entries) throws IOException {
        Qcow2Refcounts counts = refcounts();
        long newClusters = ((long) entries * 8 + clusterSize - 1) >>> clusterBits;
        long at = counts.allocate(newClusters);
        counts.writeIncreases();
        long[] grown = java.util.Arrays.copyOf(l1, entries);
        ByteBuffer raw = ByteBuffer.allocate((int) (newClusters * clusterSize));
        for (long e : grown) {
            raw.putLong(e);
        }
        raw.clear();
        file.write(at, raw);
        file.flush();
        ByteBuffer fields = ByteBuffer.allocate(12);
        fields.putInt(entries).putLong(at).flip();
        file.write(36, fields);
        file.flush();
        long oldOffset = header.l1TableOffset;
        long oldClusters = ((long) l1.length * 8 + clusterSize - 1) >>> clusterBits;
        header.l1Size = entries;
        header.l1TableOffset = at;
        l1 = grown;
        if (oldClusters > 0) {
            counts.freeLater(oldOffset, oldClusters);
            counts.commitFrees();
        }
    }

    private void shrink(long newSize) throws IOException {
        beginWrite(0, 0);
        flushMetadata();
        long oldSize = header.size;
        header.size = newSize;
        writeSize();
        // Past the commit point: what lies beyond the end is dropped, and at worst leaked by a crash.
        long perTable = clusterSize << l2Bits;
        long from = (newSize + clusterSize - 1) & ~(clusterSize - 1);
        for (long at = from; at < oldSize; at = (at / perTable + 1) * perTable) {
            int l1Index = (int) (at / perTable);
            if (at % perTable == 0) {
                dropTable(l1Index);
            } else {
                setEntries(at, Math.min(oldSize, (l1Index + 1L) * perTable), 0);
            }
        }
        flushMetadata();
        file.flush();
        cutFileTail();
        if (hasExternalDataFile()) {
            // Past the commit point too: nothing maps the data file's tail any more.
            dataFile.resize(newSize, BlockPreallocation.OFF);
            dataFile.flush();
        }
    }

    /**
     * Empties the image as {@code qemu-img commit} does after committing it: every L1 entry is
     * cleared (one write of the table, after which each cluster reads its backing data), then
     * the L2 tables and data clusters only it referenced are freed and the file is cut after its
     * last used cluster. Snapshots keep their clusters.
     */
    @Override
    public synchronized void makeEmpty() throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("cannot empty node '" + nodeName + "' (" + filename + "): it is read-only");
        }
        beginWrite(0, header.size);
        flushMetadata();
        for (int i = 0; i < l1.length; i++) {
            dropTable(i);
        }
        flushMetadata();
        file.flush();
        cutFileTail();
    }

    /** Clears L1 entry {@code index}; a table only it referenced is freed with the clusters it maps, once the L1 is durable. */
    private void dropTable(int index) throws IOException {
        if (index >= l1.length) {
            return;
        }
        long entry = l1[index];
        long offset = entry & L1_OFFSET_MASK;
        if (offset == 0) {
            return;
        }
        if ((entry & COPIED) != 0) {
            for (long word : l2(offset).words) {
                release(word);
            }
        }
        l1[index] = 0;
        l1Dirty = true;
        l2Cache.remove(offset);
        refcounts().freeLater(offset, 1);
    }

    /** Truncates the file after the last cluster with a reference count, as QEMU does after shrinking. */
    private void cutFileTail() throws IOException {
        Qcow2Refcounts counts = refcounts();
        long last = counts.end() - 1;
        while (last > 0 && counts.get(last) == 0) {
            last--;
        }
        long keep = (last + 1) << clusterBits;
        if (keep < file.size()) {
            file.resize(keep, BlockPreallocation.OFF);
            file.flush();
            // The allocator starts again from the file's new end.
            forgetRefcounts();
            compressedCursor = 0;
        }
    }

    private void writeSize() throws IOException {
        ByteBuffer field = ByteBuffer.allocate(8);
        field.putLong(header.size).flip();
        file.write(24, field);
        file.flush();
    }

    /**
     * Writes the new backing file into cluster 0 in two steps, each leaving a valid header: the
     * name first, where neither the old header nor the new extensions use the bytes, then the
     * header fields and extensions that differ, in one write (one sector when the backing
     * format's name keeps its padded length, the usual case).
     */
    @Override
    public synchronized void changeBackingFile(String name, String format) throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("cannot change the backing file of '" + filename + "': it is open read-only");
        }
        if (header.dataFile != null && name != null) {
            throw new UnsupportedOperationException("Cannot use a backing file together with an external data file");
        }
        flushMetadata();
        int cs = (int) clusterSize;
        ByteBuffer old = ByteBuffer.allocate(cs);
        file.read(0, old);
        String oldName = header.backingFile;
        String oldFormat = header.backingFormat;
        header.backingFile = name;
        header.backingFormat = name == null ? null : format;
        try {
            header.write(0);
            int newChainEnd = header.extensionsEnd();
            int free = Math.max(newChainEnd, header.parsedExtensionsEnd);
            if (oldName != null) {
                free = (int) Math.max(free, old.getLong(8) + old.getInt(16));
            }
            free = (free + 7) & ~7;
            int length = name == null ? 0 : name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            int nameAt = free + length <= cs ? free : newChainEnd;
            ByteBuffer fresh = header.write(nameAt);
            if (header.encodedLength(nameAt) > cs) {
                throw new IllegalArgumentException("the backing file name '" + name + "' does not fit in the " + cs + "-byte header cluster");
            }
            if (length > 0) {
                file.write(nameAt, fresh.slice(nameAt, length));
                file.flush();
            }
            int first = 0;
            while (first < newChainEnd && old.get(first) == fresh.get(first)) {
                first++;
            }
            int last = newChainEnd;
            while (last > first && old.get(last - 1) == fresh.get(last - 1)) {
                last--;
            }
            if (last > first) {
                file.write(first, fresh.slice(first, last - first));
                file.flush();
            }
            header.parsedExtensionsEnd = newChainEnd;
        } catch (IOException | RuntimeException e) {
            header.backingFile = oldName;
            header.backingFormat = oldFormat;
            throw e;
        }
    }

    // ---------------------------------------------------------------- info, check, close

    @Override
    public BlockImageInfo imageInfo() {
        Map<String, Object> data = new LinkedHashMap<>();
        boolean v3 = header.version >= 3;
        data.put("compat", v3 ? "1.1" : "0.10");
        if (v3) {
            data.put("compression-type", header.compressionType == Qcow2Compression.ZSTD ? "zstd" : "zlib");
            data.put("lazy-refcounts", (header.compatibleFeatures & Qcow2Header.COMPAT_LAZY_REFCOUNTS) != 0);
            if (header.bitmapsExtension != null && (header.autoclearFeatures & Qcow2Header.AUTOCLEAR_BITMAPS) != 0) {
                data.put("bitmaps", Qcow2Bitmaps.describe(header, file, filename));
            }
        } else {
            data.put("compression-type", "zlib");
        }
        data.put("refcount-bits", 1 << header.refcountOrder);
        if (v3) {
            if (header.dataFile != null) {
                data.put("data-file", header.dataFile);
                data.put("data-file-raw", (header.autoclearFeatures & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW) != 0);
            }
            data.put("corrupt", (header.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0);
            data.put("extended-l2", extendedL2);
        }
        List<BlockSnapshotInfo> list = new ArrayList<>();
        for (Qcow2Snapshots.Snapshot s : snapshots) {
            list.add(s.info());
        }
        return new BlockImageInfo(clusterSize, header.backingFile, header.backingFormat,
                (header.incompatibleFeatures & Qcow2Header.INCOMPAT_DIRTY) != 0, list, data);
    }

    @Override
    public synchronized ClusterLayout clusterLayout() throws IOException {
        checkOpen();
        return new Qcow2LayoutExport(this, filename).export();
    }

    @Override
    public synchronized Optional<BlockCheckResult> check(BlockRepair repair) throws IOException {
        checkOpen();
        if (repair != BlockRepair.NONE && readOnly) {
            throw new IOException("cannot repair '" + filename + "': it is open read-only");
        }
        if (!readOnly) {
            flushMetadata();
        }
        return Optional.of(new Qcow2Check(this, filename).run(repair));
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
                flushMetadata();
                if (bitmapStore != null) {
                    bitmapStore.storeTracked();
                }
                if (dirtyBitSet) {
                    file.flush();
                    header.incompatibleFeatures &= ~Qcow2Header.INCOMPAT_DIRTY;
                    writeIncompatibleFeatures();
                }
            }
        } catch (IOException e) {
            failure = e;
        }
        closed = true;
        BlockGraph.closeAll(failure, backing, dataFile != file ? dataFile : null, file);
    }

    @Override
    public String toString() {
        return "qcow2 node '" + nodeName + "' (" + filename + (readOnly ? ", read-only" : "") + ")";
    }
}
