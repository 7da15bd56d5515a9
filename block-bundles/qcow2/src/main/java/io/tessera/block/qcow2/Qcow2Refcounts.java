package io.tessera.block.qcow2;

import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference counts of a qcow2 image's host clusters: the refcount table and the refcount
 * blocks it points to, cached in memory, and the allocator that takes new clusters from the end
 * of the image.
 *
 * <p>Crash safety rests on the order of {@link #writeIncreases()} and {@link #commitFrees()}:
 * counts only grow in the first (written and flushed before any table that references the new
 * clusters), and they only shrink in the second (after the tables that dropped the references
 * are durable). So a crash leaves at worst leaked clusters, never a referenced cluster with too
 * low a count. Clusters freed while the image is open are not reused before the next open.
 * Not thread-safe: the node serializes metadata changes.
 */
final class Qcow2Refcounts {

    private static final long OFFSET_MASK = 0xfffffffffffffe00L;

    private final BlockNode file;
    private final Qcow2Header header;
    private final String name;
    private final int clusterBits;
    private final long clusterSize;
    private final int bits;
    private final long maxCount;
    private final long entriesPerBlock;
    private long[] table;
    private boolean tableMoved;
    private final List<Long> tableDirtyEntries = new ArrayList<>();
    private final Map<Long, byte[]> blocks = new HashMap<>();
    private final Map<Long, Boolean> dirtyBlocks = new HashMap<>();
    private final List<long[]> pendingFrees = new ArrayList<>();
    /** The first cluster index past everything in use: where the next allocation goes. */
    private long end;

    Qcow2Refcounts(BlockNode file, Qcow2Header header, String name) throws IOException {
        this.file = file;
        this.header = header;
        this.name = name;
        this.clusterBits = header.clusterBits;
        this.clusterSize = header.clusterSize();
        this.bits = 1 << header.refcountOrder;
        this.maxCount = bits == 64 ? Long.MAX_VALUE : (1L << bits) - 1;
        this.entriesPerBlock = clusterSize * 8 / bits;
        int entries = (int) (header.refcountTableClusters * clusterSize / 8);
        ByteBuffer raw = ByteBuffer.allocate(entries * 8);
        file.read(header.refcountTableOffset, raw);
        raw.flip();
        table = new long[entries];
        long fileSize = file.size();
        long lastUsed = -1;
        for (int i = 0; i < entries; i++) {
            long entry = raw.getLong(i * 8);
            long offset = entry & OFFSET_MASK;
            if (offset != 0 && ((offset & (clusterSize - 1)) != 0 || offset + clusterSize > fileSize)) {
                throw new BlockFormatException("'" + name + "' has refcount block " + i + " at offset " + offset
                        + (offset + clusterSize > fileSize ? ", past the end of the file (" + fileSize + " bytes)" : ", not cluster aligned"));
            }
            table[i] = offset;
            if (offset != 0) {
                lastUsed = i;
            }
        }
        end = (fileSize + clusterSize - 1) >>> clusterBits;
        // Trailing clusters counted as used beyond the file's end (a crash after counting, before writing) stay reserved.
        if (lastUsed >= 0) {
            byte[] block = block(lastUsed, false);
            for (long e = entriesPerBlock - 1; e >= 0; e--) {
                if (get(block, e) != 0) {
                    end = Math.max(end, lastUsed * entriesPerBlock + e + 1);
                    break;
                }
            }
        }
    }

    /**
     * Sizes refcount structures that count themselves: the refcount blocks and table clusters
     * needed when {@code otherClusters} clusters (everything else, from cluster 0) come first.
     *
     * @return {blocks, table clusters}
     */
    static long[] selfCountingSize(long otherClusters, long clusterSize, long refcountBits) {
        long perBlock = clusterSize * 8 / refcountBits;
        long blocks = 1;
        long tableClusters = 1;
        while (true) {
            long total = otherClusters + tableClusters + blocks;
            long needBlocks = (total + perBlock - 1) / perBlock;
            long needTable = (needBlocks * 8 + clusterSize - 1) / clusterSize;
            if (needBlocks == blocks && needTable == tableClusters) {
                return new long[] {blocks, tableClusters};
            }
            blocks = needBlocks;
            tableClusters = needTable;
        }
    }

    int bits() {
        return bits;
    }

    long maxCount() {
        return maxCount;
    }

    /** @return the number of host clusters the refcount table can describe */
    long coveredClusters() {
        return table.length * entriesPerBlock;
    }

    long[] table() {
        return table;
    }

    /** @return the cluster index past the last one in use */
    long end() {
        return end;
    }

    /** @return the count of host cluster {@code index} (0 where no block covers it) */
    long get(long index) throws IOException {
        long blockIndex = index / entriesPerBlock;
        if (blockIndex >= table.length || table[(int) blockIndex] == 0 && !blocks.containsKey(blockIndex)) {
            return 0;
        }
        return get(block(blockIndex, false), index % entriesPerBlock);
    }

    /** Sets a count, creating the refcount block (and growing the table) where needed. */
    void set(long index, long value) throws IOException {
        if (value < 0 || value > maxCount) {
            throw new BlockFormatException("refcount " + value + " of cluster " + index + " in '" + name + "' does not fit in "
                    + bits + " bits");
        }
        if (index >= end) {
            end = index + 1;
        }
        cover(index + 1);
        long blockIndex = index / entriesPerBlock;
        set(block(blockIndex, true), index % entriesPerBlock, value);
        dirtyBlocks.put(blockIndex, true);
    }

    /**
     * Takes {@code count} consecutive clusters from the end of the image and counts them once.
     *
     * @return the host offset of the first
     */
    long allocate(long count) throws IOException {
        long first = end;
        end += count;
        cover(end);
        for (long i = first; i < first + count; i++) {
            set(i, get(i) + 1);
        }
        return first << clusterBits;
    }

    /** Adds one reference to a host cluster (a copy of a shared table now references it). */
    void increment(long index) throws IOException {
        long count = get(index);
        if (count >= maxCount) {
            throw new BlockFormatException("cluster " + index + " of '" + name + "' is referenced more than " + bits
                    + "-bit refcounts can count");
        }
        set(index, count + 1);
    }

    /** Drops one reference to host clusters, once the tables that dropped them are durable ({@link #commitFrees()}). */
    void freeLater(long hostOffset, long clusters) {
        pendingFrees.add(new long[] {hostOffset >>> clusterBits, clusters});
    }

    boolean hasPendingFrees() {
        return !pendingFrees.isEmpty();
    }

    /** Makes refcount blocks exist for every cluster below {@code limit}, allocating them (and a larger table) at the end. */
    private void cover(long limit) throws IOException {
        while (true) {
            long blocksNeeded = (limit + entriesPerBlock - 1) / entriesPerBlock;
            if (blocksNeeded > table.length) {
                growTable(blocksNeeded);
                limit = Math.max(limit, end);
                continue;
            }
            boolean changed = false;
            for (long b = 0; b < blocksNeeded; b++) {
                if (table[(int) b] == 0) {
                    long at = end++;
                    table[(int) b] = at << clusterBits;
                    blocks.put(b, new byte[(int) clusterSize]);
                    dirtyBlocks.put(b, true);
                    tableDirtyEntries.add(b);
                    // The new block is a cluster like any other: it needs a count, possibly in itself.
                    limit = Math.max(limit, end);
                    changed = true;
                    rawIncrement(at);
                }
            }
            if (!changed) {
                return;
            }
        }
    }

    private void rawIncrement(long index) throws IOException {
        long blockIndex = index / entriesPerBlock;
        if (blockIndex < table.length && table[(int) blockIndex] != 0) {
            byte[] block = block(blockIndex, true);
            set(block, index % entriesPerBlock, get(block, index % entriesPerBlock) + 1);
            dirtyBlocks.put(blockIndex, true);
        } else {
            deferredIncrements.add(index);
        }
    }

    /** Counts of new metadata clusters whose blocks did not exist yet when they were allocated. */
    private final List<Long> deferredIncrements = new ArrayList<>();

    private void growTable(long blocksNeeded) throws IOException {
        long entries = Math.max(blocksNeeded * 2, table.length * 2L);
        long clusters = (entries * 8 + clusterSize - 1) / clusterSize;
        if (clusters * clusterSize > Qcow2Header.MAX_REFTABLE_BYTES) {
            clusters = Qcow2Header.MAX_REFTABLE_BYTES / clusterSize;
            if (clusters * clusterSize / 8 < blocksNeeded) {
                throw new BlockFormatException("'" + name + "' would need a refcount table larger than 8 MiB");
            }
        }
        long oldOffset = header.refcountTableOffset;
        long oldClusters = header.refcountTableClusters;
        long at = end;
        end += clusters;
        long[] grown = new long[(int) (clusters * clusterSize / 8)];
        System.arraycopy(table, 0, grown, 0, table.length);
        table = grown;
        header.refcountTableOffset = at << clusterBits;
        header.refcountTableClusters = (int) clusters;
        tableMoved = true;
        for (long i = at; i < at + clusters; i++) {
            deferredIncrements.add(i);
        }
        if (oldOffset != 0 && !movedFrom.contains(oldOffset)) {
            movedFrom.add(oldOffset);
            pendingFrees.add(new long[] {oldOffset >>> clusterBits, oldClusters});
        }
    }

    private final List<Long> movedFrom = new ArrayList<>();

    /**
     * Writes the counts that grew, new refcount blocks before the table entries that point to
     * them, and a moved table before the header that points to it; flushes after each step.
     */
    void writeIncreases() throws IOException {
        while (!deferredIncrements.isEmpty()) {
            List<Long> pending = new ArrayList<>(deferredIncrements);
            deferredIncrements.clear();
            for (long index : pending) {
                cover(index + 1);
                rawIncrement(index);
            }
        }
        if (dirtyBlocks.isEmpty() && tableDirtyEntries.isEmpty() && !tableMoved) {
            return;
        }
        writeDirtyBlocks();
        file.flush();
        if (tableMoved) {
            writeTable();
            file.flush();
            ByteBuffer fields = ByteBuffer.allocate(12);
            fields.putLong(header.refcountTableOffset).putInt(header.refcountTableClusters).flip();
            file.write(48, fields);
            file.flush();
            tableMoved = false;
            tableDirtyEntries.clear();
        } else if (!tableDirtyEntries.isEmpty()) {
            for (long b : tableDirtyEntries) {
                ByteBuffer entry = ByteBuffer.allocate(8);
                entry.putLong(table[(int) b]).flip();
                file.write(header.refcountTableOffset + b * 8, entry);
            }
            tableDirtyEntries.clear();
            file.flush();
        }
    }

    /** Applies the frees recorded since the last call and writes the counts; the caller has made the dropping tables durable. */
    void commitFrees() throws IOException {
        if (pendingFrees.isEmpty()) {
            return;
        }
        List<long[]> released = new ArrayList<>();
        for (long[] free : pendingFrees) {
            for (long i = free[0]; i < free[0] + free[1]; i++) {
                long count = get(i);
                if (count == 0) {
                    throw new BlockFormatException("cluster " + i + " of '" + name + "' is freed but its refcount is already 0");
                }
                set(i, count - 1);
                if (count == 1) {
                    long[] last = released.isEmpty() ? null : released.get(released.size() - 1);
                    if (last != null && last[0] + last[1] == i) {
                        last[1]++;
                    } else {
                        released.add(new long[] {i, 1});
                    }
                }
            }
        }
        pendingFrees.clear();
        movedFrom.clear();
        writeIncreases();
        // Free clusters give their space back to the host (a hole in the file), as QEMU's discard passes down to the file.
        for (long[] run : released) {
            long from = run[0] << clusterBits;
            long to = Math.min(file.size(), (run[0] + run[1]) << clusterBits);
            if (to > from) {
                file.discard(from, to - from);
            }
        }
    }

    private void writeDirtyBlocks() throws IOException {
        for (long b : dirtyBlocks.keySet()) {
            file.write(table[(int) b], ByteBuffer.wrap(blocks.get(b)));
        }
        dirtyBlocks.clear();
    }

    private void writeTable() throws IOException {
        ByteBuffer raw = ByteBuffer.allocate((int) (header.refcountTableClusters * clusterSize));
        for (long offset : table) {
            raw.putLong(offset);
        }
        raw.clear();
        file.write(header.refcountTableOffset, raw);
    }

    private byte[] block(long blockIndex, boolean create) throws IOException {
        byte[] block = blocks.get(blockIndex);
        if (block != null) {
            return block;
        }
        block = new byte[(int) clusterSize];
        long offset = table[(int) blockIndex];
        if (offset != 0) {
            ByteBuffer buffer = ByteBuffer.wrap(block);
            file.read(offset, buffer);
        } else if (!create) {
            return block;
        }
        blocks.put(blockIndex, block);
        return block;
    }

    private long get(byte[] block, long i) {
        return RefcountCodec.get(block, bits, i);
    }

    private void set(byte[] block, long i, long value) {
        RefcountCodec.set(block, bits, i, value);
    }
}
