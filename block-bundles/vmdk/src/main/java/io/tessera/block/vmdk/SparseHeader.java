package io.tessera.block.vmdk;

import io.tessera.core.block.BlockFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 512-byte little-endian header of a hosted sparse extent ("KDMV"), as VMware's Virtual
 * Disk Format 1.1 defines it and QEMU writes it, or of an older ESX sparse extent ("COWD",
 * vmfsSparse), read into the same fields. Sizes and offsets are in 512-byte sectors.
 *
 * <p>A COWD header holds, after its magic, little-endian u32 fields: version, flags, capacity,
 * grain size, grain directory offset, grain directory entries, next free sector, then geometry.
 * Its grain tables have 4096 entries; there is no redundant directory, no zeroed-grain entry
 * and no compression. QEMU reads those fields and no others, and so does this class.
 */
final class SparseHeader {

    static final int MAGIC = 0x564d444b; // "KDMV" read little-endian
    static final int COWD_MAGIC = 0x44574f43; // "COWD" read little-endian
    /** Entries in each grain table of a COWD extent: fixed by the format. */
    static final int COWD_GTES_PER_GT = 4096;
    static final int SIZE = 512;
    static final int FLAG_NEWLINE_TEST = 1;
    static final int FLAG_REDUNDANT_GT = 1 << 1;
    static final int FLAG_ZEROED_GRAIN_GTE = 1 << 2;
    static final int FLAG_COMPRESSED = 1 << 16;
    static final int FLAG_MARKERS = 1 << 17;
    static final int COMPRESS_DEFLATE = 1;
    /** gdOffset of a stream-optimized image whose real header is the footer at the end. */
    static final long GD_AT_END = -1L;
    /** The largest grain accepted: 2 MiB, so that a grain always fits one buffer. */
    static final long MAX_GRAIN_SECTORS = 4096;
    /** Grain table entries are 32-bit sector numbers, so an extent cannot address more than this. */
    static final long MAX_CAPACITY_SECTORS = 1L << 32;

    int version;
    int flags;
    long capacity;
    long grainSize;
    long descriptorOffset;
    long descriptorSize;
    int gtesPerGt;
    long rgdOffset;
    long gdOffset;
    long overhead;
    boolean uncleanShutdown;
    int compressAlgorithm;
    /** Whether the header is a COWD one; its grain directory length is then {@link #cowdDirectoryEntries}. */
    boolean cowd;
    long cowdDirectoryEntries;

    static boolean hasMagic(byte[] bytes) {
        return bytes.length >= 4 && ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == MAGIC;
    }

    static boolean hasCowdMagic(byte[] bytes) {
        return bytes.length >= 4 && ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == COWD_MAGIC;
    }

    /** Reads a COWD header's fields without judging them; {@link #validate} does that. */
    static SparseHeader decodeCowd(ByteBuffer sector) {
        ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        SparseHeader h = new SparseHeader();
        h.cowd = true;
        h.version = b.getInt(4);
        h.capacity = Integer.toUnsignedLong(b.getInt(12));
        h.grainSize = Integer.toUnsignedLong(b.getInt(16));
        h.gdOffset = Integer.toUnsignedLong(b.getInt(20));
        h.cowdDirectoryEntries = Integer.toUnsignedLong(b.getInt(24));
        h.gtesPerGt = COWD_GTES_PER_GT;
        return h;
    }

    /** Reads the fields without judging them; {@link #validate} does that. */
    static SparseHeader decode(ByteBuffer sector) {
        ByteBuffer b = sector.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        SparseHeader h = new SparseHeader();
        h.version = b.getInt(4);
        h.flags = b.getInt(8);
        h.capacity = b.getLong(12);
        h.grainSize = b.getLong(20);
        h.descriptorOffset = b.getLong(28);
        h.descriptorSize = b.getLong(36);
        h.gtesPerGt = b.getInt(44);
        h.rgdOffset = b.getLong(48);
        h.gdOffset = b.getLong(56);
        h.overhead = b.getLong(64);
        h.uncleanShutdown = b.get(72) != 0;
        h.compressAlgorithm = Short.toUnsignedInt(b.getShort(77));
        return h;
    }

    /** @return the header as 512 bytes, with the newline-detection characters QEMU and VMware write */
    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC).putInt(4, version).putInt(8, flags).putLong(12, capacity).putLong(20, grainSize)
                .putLong(28, descriptorOffset).putLong(36, descriptorSize).putInt(44, gtesPerGt).putLong(48, rgdOffset)
                .putLong(56, gdOffset).putLong(64, overhead).put(72, (byte) (uncleanShutdown ? 1 : 0))
                .put(73, (byte) '\n').put(74, (byte) ' ').put(75, (byte) '\r').put(76, (byte) '\n').putShort(77, (short) compressAlgorithm);
        return b.order(ByteOrder.BIG_ENDIAN);
    }

    /**
     * Checks that the fields describe an extent this driver can read without unbounded work.
     *
     * @param fileSize the extent file's size in bytes
     * @param where the extent's name for messages
     */
    void validate(long fileSize, String where) throws BlockFormatException {
        if (!cowd && (version < 1 || version > 3)) {
            throw new BlockFormatException("'" + where + "' has sparse extent version " + version + "; supported are 1, 2 and 3");
        }
        if (grainSize < 1 || grainSize > MAX_GRAIN_SECTORS || Long.bitCount(grainSize) != 1) {
            throw new BlockFormatException("'" + where + "' has a grain size of " + grainSize
                    + " sectors; it must be a power of two from 1 to " + MAX_GRAIN_SECTORS + " sectors (2 MiB)");
        }
        if (!cowd && (gtesPerGt < 1 || gtesPerGt > 512)) {
            throw new BlockFormatException("'" + where + "' has " + Integer.toUnsignedString(gtesPerGt)
                    + " entries per grain table; it must be from 1 to 512");
        }
        if (capacity < 0 || capacity > MAX_CAPACITY_SECTORS * grainSize || capacity > Long.MAX_VALUE / 512 / VmdkDescriptor.MAX_EXTENTS) {
            throw new BlockFormatException("'" + where + "' has a capacity of " + Long.toUnsignedString(capacity)
                    + " sectors; a sparse extent with " + grainSize + "-sector grains holds at most "
                    + Math.min(MAX_CAPACITY_SECTORS * grainSize, Long.MAX_VALUE / 512 / VmdkDescriptor.MAX_EXTENTS) + " sectors");
        }
        if (compressed() && compressAlgorithm != COMPRESS_DEFLATE) {
            throw new BlockFormatException("'" + where + "' uses compression algorithm " + compressAlgorithm + "; only 1 (deflate) is supported");
        }
        if (gdOffset != GD_AT_END) {
            checkTableOffset(gdOffset, "grain directory", fileSize, where);
            if ((flags & FLAG_REDUNDANT_GT) != 0) {
                checkTableOffset(rgdOffset, "redundant grain directory", fileSize, where);
            }
        }
    }

    private void checkTableOffset(long sector, String what, long fileSize, String where) throws BlockFormatException {
        long bytes = directoryEntries() * 4;
        if (sector <= 0 || sector > fileSize / 512 || sector * 512 + bytes > fileSize) {
            throw new BlockFormatException("the " + what + " of '" + where + "' (sector " + Long.toUnsignedString(sector) + ", "
                    + bytes + " bytes) lies outside the file (" + fileSize + " bytes)");
        }
    }

    /** @return the grain directory's length: for a hosted extent, how many grain tables the capacity needs; for COWD, what the header says */
    long directoryEntries() {
        if (cowd) {
            return cowdDirectoryEntries;
        }
        long gtCoverage = grainSize * gtesPerGt;
        return (capacity + gtCoverage - 1) / gtCoverage;
    }

    boolean compressed() {
        return (flags & FLAG_COMPRESSED) != 0;
    }

    boolean markers() {
        return (flags & FLAG_MARKERS) != 0;
    }

    boolean zeroedGrainEntries() {
        return (flags & FLAG_ZEROED_GRAIN_GTE) != 0;
    }
}
