package io.tessera.block.qed;

import io.tessera.core.block.BlockFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The QED header (little-endian, in the first {@code header_size} clusters): cluster and table
 * sizes, feature bits, the L1 table's offset, the virtual size and the backing file name,
 * checked against the limits QEMU enforces.
 */
final class QedHeader {

    static final int MAGIC = 0x00444551; // "QED\0" read little-endian
    static final int LENGTH = 64;
    static final long FEATURE_BACKING = 1;
    static final long FEATURE_NEED_CHECK = 2;
    static final long FEATURE_BACKING_RAW = 4;
    static final long FEATURES_KNOWN = 7;
    static final long MIN_CLUSTER = 4096;
    static final long MAX_CLUSTER = 64L << 20;

    long clusterSize;
    int tableSize;
    int headerSize;
    long features;
    long compatFeatures;
    long autoclearFeatures;
    long l1TableOffset;
    long imageSize;
    int backingNameOffset;
    int backingNameSize;
    String backingFile;

    int tableEntries() {
        return (int) (tableSize * clusterSize / 8);
    }

    long tableBytes() {
        return tableSize * clusterSize;
    }

    /** @return the largest virtual size the tables can map */
    long capacity() {
        long entries = tableEntries();
        return Math.multiplyHigh(entries * entries, clusterSize) != 0 ? Long.MAX_VALUE : entries * entries * clusterSize;
    }

    static QedHeader parse(ByteBuffer raw, long fileSize, String name, boolean complete) throws BlockFormatException {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < LENGTH) {
            throw new BlockFormatException("'" + name + "' is not a QED image: it has " + b.remaining() + " bytes, less than the 64-byte header");
        }
        if (b.getInt(0) != MAGIC) {
            throw new BlockFormatException("Could not open '" + name + "': Image not in QED format");
        }
        QedHeader h = new QedHeader();
        h.clusterSize = Integer.toUnsignedLong(b.getInt(4));
        h.tableSize = b.getInt(8);
        h.headerSize = b.getInt(12);
        h.features = b.getLong(16);
        h.compatFeatures = b.getLong(24);
        h.autoclearFeatures = b.getLong(32);
        h.l1TableOffset = b.getLong(40);
        h.imageSize = b.getLong(48);
        h.backingNameOffset = b.getInt(56);
        h.backingNameSize = b.getInt(60);
        if (Long.bitCount(h.clusterSize) != 1 || h.clusterSize < MIN_CLUSTER || h.clusterSize > MAX_CLUSTER) {
            throw new BlockFormatException("'" + name + "' has a cluster size of " + h.clusterSize
                    + "; QED clusters are a power of two from 4 KiB to 64 MiB");
        }
        if (Integer.bitCount(h.tableSize) != 1 || h.tableSize < 2 || h.tableSize > 16) {
            throw new BlockFormatException("'" + name + "' has a table size of " + Integer.toUnsignedString(h.tableSize)
                    + " clusters; QED tables are 2 to 16 clusters, a power of two (QEMU cannot open 1)");
        }
        if (h.headerSize < 1 || (long) h.headerSize * h.clusterSize > MAX_CLUSTER) {
            throw new BlockFormatException("'" + name + "' has a header of " + Integer.toUnsignedString(h.headerSize) + " clusters");
        }
        long unknown = h.features & ~FEATURES_KNOWN;
        if (unknown != 0) {
            throw new BlockFormatException("'" + name + "' uses QED feature bits 0x" + Long.toHexString(unknown)
                    + " that this driver does not know; it knows backing file, need check and raw backing file");
        }
        if (h.imageSize < 0 || h.imageSize % 512 != 0 || h.imageSize > h.capacity()) {
            throw new BlockFormatException("'" + name + "' has a virtual size of " + h.imageSize + "; it must be a multiple of 512 up to "
                    + h.capacity() + " for its cluster and table sizes");
        }
        if (!complete) {
            return h; // only the sizes were wanted, to read the whole header
        }
        checkTable(h, h.l1TableOffset, fileSize, name, "L1 table");
        if ((h.features & FEATURE_BACKING) != 0) {
            long headerBytes = h.headerSize * h.clusterSize;
            if (h.backingNameSize <= 0 || h.backingNameSize > 1023 || h.backingNameOffset < LENGTH
                    || (long) h.backingNameOffset + h.backingNameSize > Math.min(headerBytes, b.remaining())) {
                throw new BlockFormatException("'" + name + "' has its backing file name (offset " + Integer.toUnsignedString(h.backingNameOffset)
                        + ", " + Integer.toUnsignedString(h.backingNameSize) + " bytes) outside its header");
            }
            byte[] text = new byte[h.backingNameSize];
            b.get(h.backingNameOffset, text);
            h.backingFile = new String(text, StandardCharsets.UTF_8);
        }
        return h;
    }

    /** QEMU's rule: a table is cluster aligned, after the header, and ends inside the file. */
    static void checkTable(QedHeader h, long offset, long fileSize, String name, String what) throws BlockFormatException {
        if (offset < (long) h.headerSize * h.clusterSize || offset % h.clusterSize != 0) {
            throw new BlockFormatException("'" + name + "' has its " + what + " at offset " + offset
                    + ", not a cluster boundary after the header");
        }
        if (offset > fileSize || h.tableBytes() > fileSize - offset) {
            throw new BlockFormatException("'" + name + "' has its " + what + " at offset " + offset + " past the end of the file ("
                    + fileSize + " bytes)");
        }
    }

    ByteBuffer write() {
        ByteBuffer b = ByteBuffer.allocate((int) (headerSize * clusterSize)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt((int) clusterSize).putInt(tableSize).putInt(headerSize).putLong(features).putLong(compatFeatures)
                .putLong(autoclearFeatures).putLong(l1TableOffset).putLong(imageSize);
        if (backingFile != null) {
            byte[] text = backingFile.getBytes(StandardCharsets.UTF_8);
            backingNameOffset = LENGTH;
            backingNameSize = text.length;
            b.putInt(backingNameOffset).putInt(backingNameSize).put(text);
        }
        b.clear();
        return b;
    }
}
