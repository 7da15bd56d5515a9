package io.tessera.block.qcow2;

import io.tessera.core.block.BlockFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The qcow2 header (cluster 0): the fixed fields, the header extensions QEMU writes, and the
 * backing file name, parsed and checked against the limits QEMU enforces so that no later table
 * access can overflow or allocate without bound.
 *
 * <p>The layout (big-endian): magic, version, backing file offset and size, cluster bits, size,
 * crypt method, L1 size and offset, refcount table offset and clusters, snapshot count and
 * offset, then for version 3 the feature bit sets, refcount order, header length and the
 * compression type; extensions follow the header up to the end of cluster 0.
 */
final class Qcow2Header {

    static final int MAGIC = 0x514649fb;
    static final int V2_LENGTH = 72;
    static final int V3_MIN_LENGTH = 104;
    /** What qemu-img 7.2 writes: the v3 header with the compression type byte, padded to 8. */
    static final int V3_LENGTH = 112;

    static final long INCOMPAT_DIRTY = 1;
    static final long INCOMPAT_CORRUPT = 2;
    static final long INCOMPAT_DATA_FILE = 4;
    static final long INCOMPAT_COMPRESSION = 8;
    static final long INCOMPAT_EXTL2 = 16;
    static final long INCOMPAT_KNOWN = 31;
    static final long COMPAT_LAZY_REFCOUNTS = 1;
    static final long AUTOCLEAR_BITMAPS = 1;
    static final long AUTOCLEAR_DATA_FILE_RAW = 2;

    static final int EXT_END = 0;
    static final int EXT_BACKING_FORMAT = 0xe2792aca;
    static final int EXT_FEATURE_NAMES = 0x6803f857;
    static final int EXT_BITMAPS = 0x23852875;
    static final int EXT_CRYPTO = 0x0537be77;
    static final int EXT_DATA_FILE = 0x44415441;

    /** QEMU's limits: the L1 table at most 32 MiB, the refcount table at most 8 MiB, 65536 snapshots. */
    static final long MAX_L1_BYTES = 32L << 20;
    static final long MAX_REFTABLE_BYTES = 8L << 20;
    static final int MAX_SNAPSHOTS = 65536;
    static final int MAX_BACKING_NAME = 1023;

    int version;
    long backingFileOffset;
    int backingFileSize;
    int clusterBits;
    long size;
    int cryptMethod;
    int l1Size;
    long l1TableOffset;
    long refcountTableOffset;
    int refcountTableClusters;
    int snapshotCount;
    long snapshotsOffset;
    long incompatibleFeatures;
    long compatibleFeatures;
    long autoclearFeatures;
    int refcountOrder = 4;
    int headerLength = V2_LENGTH;
    int compressionType;

    String backingFile;
    String backingFormat;
    String dataFile;
    /** Extensions this driver does not interpret, kept so that a header rewrite preserves them. */
    final List<Extension> otherExtensions = new ArrayList<>();
    /** The bitmaps extension's raw data, kept for a header rewrite and for listing. */
    byte[] bitmapsExtension;
    /** Where the extensions in the file end (past their end marker): bytes a header rewrite must not touch before its commit. */
    int parsedExtensionsEnd;
    /** Where the extensions of the last {@link #write} end. */
    private int writtenExtensionsEnd;

    record Extension(int type, byte[] data) {
    }

    long clusterSize() {
        return 1L << clusterBits;
    }

    boolean extendedL2() {
        return (incompatibleFeatures & INCOMPAT_EXTL2) != 0;
    }

    /**
     * Parses and checks cluster 0.
     *
     * @param cluster0 the first bytes of the file: at least the cluster if the file has it
     * @param fileSize the file's size, for the bounds of every table
     * @param name the image name for messages
     */
    static Qcow2Header parse(ByteBuffer cluster0, long fileSize, String name) throws BlockFormatException {
        ByteBuffer b = cluster0.duplicate();
        b.order(java.nio.ByteOrder.BIG_ENDIAN);
        if (b.remaining() < V2_LENGTH) {
            throw new BlockFormatException("'" + name + "' is not a qcow2 image: it has " + b.remaining()
                    + " bytes, less than the 72-byte header");
        }
        if (b.getInt(0) != MAGIC) {
            throw new BlockFormatException("Could not open '" + name + "': Image is not in qcow2 format");
        }
        Qcow2Header h = new Qcow2Header();
        h.version = b.getInt(4);
        if (h.version != 2 && h.version != 3) {
            throw new BlockFormatException("'" + name + "' is qcow2 version " + Integer.toUnsignedString(h.version)
                    + "; only versions 2 and 3 exist");
        }
        h.backingFileOffset = b.getLong(8);
        h.backingFileSize = b.getInt(16);
        h.clusterBits = b.getInt(20);
        if (h.clusterBits < 9 || h.clusterBits > 21) {
            throw new BlockFormatException("'" + name + "' has cluster bits " + Integer.toUnsignedString(h.clusterBits)
                    + "; qcow2 cluster sizes are 512 bytes to 2 MiB (bits 9 to 21)");
        }
        h.size = b.getLong(24);
        h.cryptMethod = b.getInt(32);
        h.l1Size = b.getInt(36);
        h.l1TableOffset = b.getLong(40);
        h.refcountTableOffset = b.getLong(48);
        h.refcountTableClusters = b.getInt(56);
        h.snapshotCount = b.getInt(60);
        h.snapshotsOffset = b.getLong(64);
        if (h.version == 3) {
            if (b.remaining() < V3_MIN_LENGTH) {
                throw new BlockFormatException("'" + name + "' is truncated: a qcow2 version 3 header needs 104 bytes");
            }
            h.incompatibleFeatures = b.getLong(72);
            h.compatibleFeatures = b.getLong(80);
            h.autoclearFeatures = b.getLong(88);
            h.refcountOrder = b.getInt(96);
            h.headerLength = b.getInt(100);
            if (h.headerLength < V3_MIN_LENGTH || h.headerLength > h.clusterSize()) {
                throw new BlockFormatException("'" + name + "' has a header length of " + Integer.toUnsignedString(h.headerLength)
                        + "; it must be at least 104 and fit in the first cluster");
            }
            if (h.headerLength > V3_MIN_LENGTH) {
                if (b.remaining() <= V3_MIN_LENGTH) {
                    throw new BlockFormatException("'" + name + "' is truncated inside its header");
                }
                h.compressionType = b.get(104) & 0xff;
            }
        }
        long cs = h.clusterSize();
        if (b.remaining() < Math.min(cs, fileSize)) {
            throw new IllegalStateException("the caller must pass the whole first cluster");
        }
        if (h.refcountOrder < 0 || h.refcountOrder > 6) {
            throw new BlockFormatException("'" + name + "' has refcount order " + Integer.toUnsignedString(h.refcountOrder)
                    + "; refcounts are 1 to 64 bits wide (order 0 to 6)");
        }
        long unknown = h.incompatibleFeatures & ~INCOMPAT_KNOWN;
        if (unknown != 0) {
            throw new BlockFormatException("'" + name + "' uses incompatible qcow2 feature bits 0x" + Long.toHexString(unknown)
                    + " that this driver does not know; it knows dirty, corrupt, external data file, compression type and extended L2");
        }
        if ((h.incompatibleFeatures & INCOMPAT_COMPRESSION) != 0 ? h.compressionType != 1 && h.compressionType != 0 : h.compressionType != 0) {
            throw new BlockFormatException("'" + name + "' has compression type " + h.compressionType
                    + (h.compressionType > 1 ? "; known types are 0 (zlib) and 1 (zstd)" : " without the compression-type feature bit"));
        }
        if (h.cryptMethod != 0) {
            throw new BlockFormatException("'" + name + "' is encrypted (method " + Integer.toUnsignedString(h.cryptMethod)
                    + "); encrypted qcow2 images are not supported");
        }
        if (h.extendedL2() && h.clusterBits < 14) {
            throw new BlockFormatException("'" + name + "' uses extended L2 entries with " + cs
                    + "-byte clusters; they need clusters of at least 16 KiB");
        }
        if (h.size < 0) {
            throw new BlockFormatException("'" + name + "' has a negative virtual size");
        }
        int l2Bits = h.clusterBits - (h.extendedL2() ? 4 : 3);
        int shift = h.clusterBits + l2Bits;
        long needL1 = shift >= 63 ? 1 : (h.size + (1L << shift) - 1) >>> shift;
        if (Integer.toUnsignedLong(h.l1Size) * 8 > MAX_L1_BYTES) {
            throw new BlockFormatException("'" + name + "' has an L1 table of " + Integer.toUnsignedString(h.l1Size)
                    + " entries; qcow2 L1 tables are limited to 32 MiB");
        }
        if (needL1 > h.l1Size) {
            throw new BlockFormatException("'" + name + "' has an L1 table of " + h.l1Size + " entries, too small for its virtual size "
                    + h.size + " (needs " + needL1 + ")");
        }
        checkTable(name, "L1 table", h.l1TableOffset, (long) h.l1Size * 8, cs, fileSize);
        if (Integer.toUnsignedLong(h.refcountTableClusters) * cs > MAX_REFTABLE_BYTES || h.refcountTableClusters == 0) {
            throw new BlockFormatException("'" + name + "' has a refcount table of " + Integer.toUnsignedString(h.refcountTableClusters)
                    + " clusters; it must be 1 cluster to 8 MiB");
        }
        checkTable(name, "refcount table", h.refcountTableOffset, (long) h.refcountTableClusters * cs, cs, fileSize);
        if (Integer.toUnsignedLong(h.snapshotCount) > MAX_SNAPSHOTS) {
            throw new BlockFormatException("'" + name + "' claims " + Integer.toUnsignedString(h.snapshotCount)
                    + " snapshots; qcow2 allows at most 65536");
        }
        if (h.snapshotCount > 0) {
            checkTable(name, "snapshot table", h.snapshotsOffset, 1, cs, fileSize);
        }
        int limit = (int) Math.min(cs, b.remaining());
        if (h.backingFileOffset != 0) {
            if (h.backingFileSize <= 0 || h.backingFileSize > MAX_BACKING_NAME) {
                throw new BlockFormatException("'" + name + "' has a backing file name of " + Integer.toUnsignedString(h.backingFileSize)
                        + " bytes; it must be 1 to 1023");
            }
            if (h.backingFileOffset < 0 || h.backingFileOffset + h.backingFileSize > limit) {
                throw new BlockFormatException("'" + name + "' has its backing file name outside the first cluster (offset "
                        + h.backingFileOffset + ")");
            }
            byte[] nameBytes = new byte[h.backingFileSize];
            b.get((int) h.backingFileOffset, nameBytes);
            h.backingFile = new String(nameBytes, StandardCharsets.UTF_8);
        }
        // Extensions follow the header in both versions (version 2's header is 72 bytes).
        h.readExtensions(b, limit, name);
        if ((h.incompatibleFeatures & INCOMPAT_DATA_FILE) != 0 && h.dataFile == null) {
            throw new BlockFormatException("'" + name + "' needs an external data file but names none");
        }
        return h;
    }

    private void readExtensions(ByteBuffer b, int limit, String name) throws BlockFormatException {
        int at = version == 3 ? headerLength : V2_LENGTH;
        if (version == 2 && backingFileOffset != 0 && backingFileOffset < at + 8) {
            parsedExtensionsEnd = at;
            return; // an old writer put the backing name right after the header: no extensions
        }
        while (true) {
            if (at + 8 > limit) {
                throw new BlockFormatException("'" + name + "' has header extensions running past the first cluster");
            }
            int type = b.getInt(at);
            long length = Integer.toUnsignedLong(b.getInt(at + 4));
            at += 8;
            if (type == EXT_END) {
                parsedExtensionsEnd = at;
                return;
            }
            if (at + length > limit) {
                throw new BlockFormatException("'" + name + "' has a header extension 0x" + Integer.toHexString(type) + " of "
                        + length + " bytes running past the first cluster");
            }
            byte[] data = new byte[(int) length];
            b.get(at, data);
            switch (type) {
                case EXT_BACKING_FORMAT -> backingFormat = new String(data, StandardCharsets.UTF_8);
                case EXT_DATA_FILE -> dataFile = new String(data, StandardCharsets.UTF_8);
                case EXT_BITMAPS -> bitmapsExtension = data;
                case EXT_FEATURE_NAMES -> {
                    // regenerated on rewrite
                }
                case EXT_CRYPTO -> throw new BlockFormatException("'" + name + "' is encrypted; encrypted qcow2 images are not supported");
                default -> otherExtensions.add(new Extension(type, data));
            }
            at += (int) ((length + 7) & ~7L);
        }
    }

    /** Refuses a table that is unaligned or reaches past the end of the file (QEMU's validate_table_offset). */
    static void checkTable(String name, String what, long offset, long bytes, long clusterSize, long fileSize)
            throws BlockFormatException {
        if (offset <= 0 || (offset & (clusterSize - 1)) != 0) {
            throw new BlockFormatException("'" + name + "' has its " + what + " at offset " + offset
                    + ", which is not a cluster boundary after the header");
        }
        if (offset > fileSize || bytes > fileSize - offset) {
            throw new BlockFormatException("'" + name + "' has its " + what + " at offset " + offset + " (" + bytes
                    + " bytes) past the end of the file (" + fileSize + " bytes)");
        }
    }

    /** Serializes the header, its extensions and the backing file name after them: {@link #write(int)}. */
    ByteBuffer write() {
        return write(0);
    }

    /**
     * Serializes the header and its extensions into a cluster-0 image of {@code clusterSize}
     * bytes, with the backing file name at {@code nameAt} (0: right after the extensions). The
     * feature name table is left out when it does not fit (as QEMU leaves it out of 512-byte
     * clusters); if the rest does not fit either, the buffer is larger than a cluster and
     * {@link #encodedLength()} says so.
     */
    ByteBuffer write(int nameAt) {
        ByteBuffer b = write(true, nameAt);
        return b.limit() > clusterSize() ? write(false, nameAt) : b;
    }

    /**
     * Serializes the header as {@link #write(int)} does, with or without the feature name table
     * (an optional extension that an in-place conversion leaves out to keep the header in one
     * sector).
     *
     * @throws IllegalArgumentException if the name would overlap the extensions
     */
    ByteBuffer write(boolean withFeatureNames, int nameAt) {
        ByteBuffer b = serialize(withFeatureNames, nameAt);
        if (b.limit() <= clusterSize()) {
            b = ByteBuffer.allocate((int) clusterSize()).put(b).clear();
        }
        return b;
    }

    /** @return the serialized header, its limit at the end of what it holds */
    private ByteBuffer serialize(boolean withFeatureNames, int nameAt) {
        int extensions = (bitmapsExtension == null ? 0 : bitmapsExtension.length) + otherExtensions.stream().mapToInt(e -> e.data().length + 16).sum();
        ByteBuffer b = ByteBuffer.allocate((int) clusterSize() + 8192 + extensions);
        b.putInt(MAGIC).putInt(version).putLong(0).putInt(0).putInt(clusterBits).putLong(size).putInt(cryptMethod)
                .putInt(l1Size).putLong(l1TableOffset).putLong(refcountTableOffset).putInt(refcountTableClusters)
                .putInt(snapshotCount).putLong(snapshotsOffset);
        if (version == 3) {
            headerLength = V3_LENGTH;
            b.putLong(incompatibleFeatures).putLong(compatibleFeatures).putLong(autoclearFeatures).putInt(refcountOrder)
                    .putInt(headerLength).put((byte) compressionType);
            b.position(headerLength);
        }
        if (backingFormat != null) {
            putExtension(b, EXT_BACKING_FORMAT, backingFormat.getBytes(StandardCharsets.UTF_8));
        }
        if (dataFile != null) {
            putExtension(b, EXT_DATA_FILE, dataFile.getBytes(StandardCharsets.UTF_8));
        }
        if (bitmapsExtension != null) {
            putExtension(b, EXT_BITMAPS, bitmapsExtension);
        }
        if (version == 3 && withFeatureNames) {
            putExtension(b, EXT_FEATURE_NAMES, featureNames());
        }
        for (Extension e : otherExtensions) {
            putExtension(b, e.type(), e.data());
        }
        b.putInt(EXT_END).putInt(0);
        writtenExtensionsEnd = b.position();
        if (backingFile != null) {
            byte[] nameBytes = backingFile.getBytes(StandardCharsets.UTF_8);
            backingFileOffset = nameAt > 0 ? nameAt : b.position();
            backingFileSize = nameBytes.length;
            if (backingFileOffset < writtenExtensionsEnd || backingFileOffset + nameBytes.length > b.capacity()) {
                throw new IllegalArgumentException("the backing file name '" + backingFile + "' does not fit in the "
                        + clusterSize() + "-byte header cluster after the header extensions");
            }
            b.put((int) backingFileOffset, nameBytes);
            b.position(Math.max(b.position(), (int) backingFileOffset + nameBytes.length));
            b.putLong(8, backingFileOffset).putInt(16, backingFileSize);
        } else {
            backingFileOffset = 0;
            backingFileSize = 0;
        }
        return b.flip();
    }

    /** @return where the extensions of the last {@link #write} end, past their end marker */
    int extensionsEnd() {
        return writtenExtensionsEnd;
    }

    /** @return the bytes the header needs in cluster 0 (a new name must fit in it) */
    int encodedLength() {
        return encodedLength(0);
    }

    /** @return the bytes the header needs in cluster 0 with the backing file name at {@code nameAt} (0: after the extensions) */
    int encodedLength(int nameAt) {
        ByteBuffer b = write(nameAt);
        int end = b.limit();
        while (end > 0 && b.get(end - 1) == 0) {
            end--;
        }
        return end;
    }

    private static void putExtension(ByteBuffer b, int type, byte[] data) {
        b.putInt(type).putInt(data.length).put(data);
        b.position(b.position() + ((8 - data.length % 8) % 8));
    }

    /** The feature name table qemu-img writes: type, bit, a 46-byte NUL-padded name per known feature. */
    private static byte[] featureNames() {
        Object[][] names = {
            {0, 0, "dirty bit"}, {0, 1, "corrupt bit"}, {0, 2, "external data file"}, {0, 3, "compression type"},
            {0, 4, "extended L2 entries"}, {1, 0, "lazy refcounts"}, {2, 0, "bitmaps"}, {2, 1, "raw external data"},
        };
        ByteBuffer b = ByteBuffer.allocate(names.length * 48);
        for (Object[] n : names) {
            byte[] text = ((String) n[2]).getBytes(StandardCharsets.US_ASCII);
            b.put((byte) (int) (Integer) n[0]).put((byte) (int) (Integer) n[1]).put(text);
            b.position(b.position() + 46 - text.length);
        }
        return b.array();
    }
}
