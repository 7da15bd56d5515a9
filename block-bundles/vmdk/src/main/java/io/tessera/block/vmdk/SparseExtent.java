package io.tessera.block.vmdk;

import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A hosted sparse extent: grains found through a grain directory (GD) of grain tables (GT) of
 * 32-bit sector numbers. GTE 0 leaves a grain unallocated, GTE 1 marks it zero when the header
 * allows zeroed-grain entries; in a compressed extent each grain is deflated behind a grain
 * header. Writes allocate grains at the end of the file and update the GT and its redundant copy
 * only after the grain's data is durable, so a crash leaves the old or the new grain.
 *
 * <p>Not thread-safe: the node serialises calls.
 */
final class SparseExtent extends Extent {

    /** Grain tables kept in memory; each is at most 2 KiB. */
    private static final int CACHED_TABLES = 256;
    /** Size of a stream-optimized grain header: lba u64, size u32. */
    static final int GRAIN_HEADER = 12;

    private final BlockNode file;
    final SparseHeader header;
    private final long grainBytes;
    private final int[] directory;
    private final int[] redundantDirectory;
    private final Map<Integer, int[]> tables = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, int[]> eldest) {
            return size() > CACHED_TABLES;
        }
    };
    private long cachedGrainHost = -1;
    /**
     * Where the end-of-stream marker this session appended to a stream-optimized extent starts:
     * the next grain goes there and a new marker after it. -1 until the first grain is appended.
     */
    private long endOfStream = -1;
    private byte[] cachedGrain;

    private SparseExtent(String name, long size, VmdkDescriptor.Access access, BlockNode file, SparseHeader header, int[] directory,
            int[] redundantDirectory) {
        super(name, size, access);
        this.file = file;
        this.header = header;
        this.grainBytes = header.grainSize * 512;
        this.directory = directory;
        this.redundantDirectory = redundantDirectory;
    }

    /**
     * Opens a sparse extent whose header (already validated, the footer's for a stream with the
     * directory at its end) is known.
     *
     * @param sectors the extent's length as its descriptor gives it (the capacity for a monolithic image)
     */
    static SparseExtent open(String name, long sectors, VmdkDescriptor.Access access, BlockNode file, SparseHeader header) throws IOException {
        if (sectors > header.capacity) {
            throw new BlockFormatException("the descriptor gives extent '" + name + "' " + sectors
                    + " sectors, more than its header's capacity of " + header.capacity);
        }
        int[] gd = readDirectory(file, header.gdOffset, header.directoryEntries());
        int[] rgd = (header.flags & SparseHeader.FLAG_REDUNDANT_GT) != 0 && header.rgdOffset != 0
                ? readDirectory(file, header.rgdOffset, header.directoryEntries()) : null;
        return new SparseExtent(name, sectors * 512, access, file, header, gd, rgd);
    }

    private static int[] readDirectory(BlockNode file, long sector, long entries) throws IOException {
        // validate() checked that the directory lies inside the file, which bounds this allocation.
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(entries * 4)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, sector * 512, b);
        int[] out = new int[(int) entries];
        b.asIntBuffer().get(out);
        return out;
    }

    private static void readFully(BlockNode file, long at, ByteBuffer b) throws IOException {
        int n = file.read(at, b);
        if (b.hasRemaining()) {
            throw new BlockFormatException("short read at byte " + at + " of '" + file.nodeName() + "': " + n + " bytes");
        }
        b.flip();
    }

    @Override
    BlockNode file() {
        return file;
    }

    long grainBytes() {
        return grainBytes;
    }

    private int[] table(int index) throws IOException {
        int[] t = tables.get(index);
        if (t != null) {
            return t;
        }
        long sector = Integer.toUnsignedLong(directory[index]);
        if (sector == 0) {
            return null;
        }
        long bytes = header.gtesPerGt * 4L;
        if (sector * 512 + bytes > file.size()) {
            throw new BlockFormatException("grain table " + index + " of '" + name + "' at sector " + sector
                    + " lies past the end of the file (" + file.size() + " bytes)");
        }
        ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, sector * 512, b);
        t = new int[header.gtesPerGt];
        b.asIntBuffer().get(t);
        tables.put(index, t);
        return t;
    }

    /** @return the grain table entry of grain {@code grain}: a sector, 0 (unallocated) or 1 (zero when allowed) */
    long entry(long grain) throws IOException {
        long tableIndex = grain / header.gtesPerGt;
        if (tableIndex >= directory.length) {
            // Only a COWD header gives the directory's length apart from the capacity.
            throw new BlockFormatException("grain " + grain + " of '" + name + "' lies past its grain directory's " + directory.length
                    + " entries");
        }
        int[] t = table((int) tableIndex);
        return t == null ? 0 : Integer.toUnsignedLong(t[(int) (grain % header.gtesPerGt)]);
    }

    @Override
    Mapping map(long offset, long max) throws IOException {
        long grain = offset / grainBytes;
        long within = offset % grainBytes;
        long length = Math.min(max, Math.min(grainBytes - within, size - offset));
        long gte = entry(grain);
        if (gte == 0) {
            return new Mapping(Kind.UNALLOCATED, length, -1);
        }
        if (gte == 1 && header.zeroedGrainEntries()) {
            return new Mapping(Kind.ZERO, length, -1);
        }
        long host = gte * 512;
        if (host >= file.size()) {
            throw new BlockFormatException("grain " + grain + " of '" + name + "' at sector " + gte
                    + " lies past the end of the file (" + file.size() + " bytes)");
        }
        if (header.compressed()) {
            return new Mapping(Kind.COMPRESSED, length, host);
        }
        return new Mapping(Kind.DATA, length, host + within);
    }

    @Override
    void readCompressed(Mapping m, long offset, ByteBuffer dst) throws IOException {
        if (cachedGrainHost != m.host()) {
            cachedGrain = inflateGrain(m.host(), offset / grainBytes);
            cachedGrainHost = m.host();
        }
        int within = (int) (offset % grainBytes);
        dst.put(cachedGrain, within, (int) Math.min(dst.remaining(), grainBytes - within));
    }

    private byte[] inflateGrain(long host, long grain) throws IOException {
        int limit = (int) Math.min(2 * grainBytes + GRAIN_HEADER, file.size() - host);
        int dataOffset = 0;
        int dataLength = limit;
        ByteBuffer raw;
        if (header.markers()) {
            ByteBuffer gh = ByteBuffer.allocate(Math.min(GRAIN_HEADER, limit)).order(ByteOrder.LITTLE_ENDIAN);
            file.read(host, gh);
            if (gh.position() < GRAIN_HEADER) {
                throw new BlockFormatException("the header of compressed grain " + grain + " of '" + name + "' at byte " + host
                        + " is cut off by the end of the file");
            }
            long size = Integer.toUnsignedLong(gh.getInt(8));
            if (size == 0 || size > limit - GRAIN_HEADER) {
                throw new BlockFormatException("compressed grain " + grain + " of '" + name + "' at byte " + host + " claims " + size
                        + " bytes; it must be from 1 to " + (limit - GRAIN_HEADER) + " (twice the grain size, within the file)");
            }
            dataOffset = GRAIN_HEADER;
            dataLength = (int) size;
        }
        raw = ByteBuffer.allocate(dataLength);
        file.read(host + dataOffset, raw);
        byte[] out = new byte[(int) grainBytes];
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(raw.array(), 0, raw.position());
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (!inflater.finished()) {
                throw new BlockFormatException("compressed grain " + grain + " of '" + name + "' at byte " + host
                        + (n == out.length ? " inflates to more than the grain size of " + grainBytes + " bytes" : " is truncated"));
            }
        } catch (DataFormatException e) {
            throw new BlockFormatException("compressed grain " + grain + " of '" + name + "' at byte " + host + " is not valid deflate data: "
                    + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        return out;
    }

    // ---------------------------------------------------------------- writes

    /**
     * Gives unallocated (or zeroed) grains a place at the end of the file, then points the grain
     * table and its redundant copy at them. The grains are written and flushed before either
     * table, so a crash never leaves a table entry pointing at garbage.
     *
     * @param first the number of the first grain in the extent
     * @param data whole grains, a multiple of {@link #grainBytes()} long (one grain for a
     *        compressed extent); the run of grains must not cross a grain table
     */
    void allocate(long first, ByteBuffer data) throws IOException {
        long end = endOfStream >= 0 ? endOfStream : (file.size() + 511) / 512 * 512;
        long count = data.remaining() / grainBytes;
        long sector = end / 512;
        if (sector + count * header.grainSize > 0xffffffffL) {
            throw new IOException("extent '" + name + "' is full: a sparse extent cannot grow past 2 TiB");
        }
        if (header.compressed()) {
            // A stream ends with an end-of-stream marker (an all-zero sector) so that readers that walk
            // the stream (VMware's) stop there; qemu-img's streams end in zero padding, which reads the same.
            ByteBuffer grain = deflateGrain(first, data);
            int length = grain.remaining();
            ByteBuffer withMarker = ByteBuffer.allocate(length + 512).put(grain).clear();
            file.write(end, withMarker);
            endOfStream = end + length;
        } else {
            file.write(end, data);
        }
        file.flush();
        setEntries(first, count, sector);
        cachedGrainHost = -1;
    }

    /** @return how many grains from {@code grain} on lie in the same grain table */
    long grainsLeftInTable(long grain) {
        return header.gtesPerGt - grain % header.gtesPerGt;
    }

    /** A stream-optimized grain: grain header (lba in sectors, size), deflated data, padded to a sector. */
    private ByteBuffer deflateGrain(long index, ByteBuffer data) {
        Deflater deflater = new Deflater();
        try {
            deflater.setInput(data.duplicate());
            deflater.finish();
            // Incompressible grains grow a little (QEMU stores them so too); deflate adds a few bytes per 16 KiB block.
            byte[] out = new byte[(int) grainBytes + (int) grainBytes / 1000 + 64];
            int n = 0;
            while (!deflater.finished()) {
                if (n == out.length) {
                    out = java.util.Arrays.copyOf(out, out.length * 2);
                }
                n += deflater.deflate(out, n, out.length - n);
            }
            int padded = (GRAIN_HEADER + n + 511) / 512 * 512;
            ByteBuffer grain = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
            grain.putLong(index * header.grainSize).putInt(n).put(out, 0, n);
            return grain.clear().order(ByteOrder.BIG_ENDIAN);
        } finally {
            deflater.end();
        }
    }

    /** Points {@code count} grains of one grain table at consecutive grains from {@code sector} on: the primary table, then the redundant one. */
    void setEntries(long first, long count, long sector) throws IOException {
        int tableIndex = (int) (first / header.gtesPerGt);
        int slot = (int) (first % header.gtesPerGt);
        if (directory[tableIndex] == 0) {
            throw new BlockFormatException("grain table " + tableIndex + " of '" + name + "' is missing; writing needs the tables QEMU"
                    + " and VMware allocate when they create an image");
        }
        int[] t = table(tableIndex);
        ByteBuffer b = ByteBuffer.allocate((int) count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            t[slot + i] = (int) (sector + i * header.grainSize);
            b.putInt(t[slot + i]);
        }
        file.write(Integer.toUnsignedLong(directory[tableIndex]) * 512 + slot * 4L, b.flip());
        if (redundantDirectory != null && redundantDirectory[tableIndex] != 0) {
            file.write(Integer.toUnsignedLong(redundantDirectory[tableIndex]) * 512 + slot * 4L, b.rewind());
        }
    }
}
