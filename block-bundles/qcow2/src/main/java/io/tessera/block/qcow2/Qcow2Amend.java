package io.tessera.block.qcow2;

import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code qemu-img amend -o} for qcow2, with qemu-img 7.2's options, checks and messages:
 * {@code compat} (0.10 and 1.1 both ways), {@code lazy_refcounts}, {@code refcount_bits} (the
 * refcount structures rebuilt at the new width) and {@code backing_file}/{@code backing_fmt}
 * (accepted only unchanged, as 7.2 refuses to change them: rebase does that).
 *
 * <p>Each change commits with one write of the header cluster after everything it points to
 * is durable: an upgrade is only that write; a downgrade first writes zero clusters out as
 * real zeroes (or drops them where no backing file shows through), through the node's
 * crash-safe write path; a new refcount width is written as a whole new refcount table and
 * blocks after the end of the image, counting themselves but not the old ones, so the old
 * structures become free space the moment the header points to the new ones.
 *
 * <p>Refused where qemu-img 7.2 would write a broken image: a downgrade with persistent bitmaps
 * (7.2 keeps them in a v2 header, where they are invalid) or with zero clusters inside
 * snapshots (7.2 expands them in place in tables the snapshot shares).
 */
final class Qcow2Amend {

    private static final Set<String> CREATION_ONLY = Set.of("cluster_size", "preallocation", "compression_type", "extended_l2",
            "encryption", "encrypt.format");

    private final Qcow2Node node;
    private final Qcow2Header h;

    Qcow2Amend(Qcow2Node node) {
        this.node = node;
        this.h = node.header();
    }

    void run(Map<String, String> options) throws IOException {
        int version = h.version;
        Boolean lazy = null;
        String dataFile = null;
        Boolean dataFileRaw = null;
        int refcountOrder = h.refcountOrder;
        for (Map.Entry<String, String> o : options.entrySet()) {
            String value = o.getValue();
            switch (o.getKey()) {
                case "compat" -> version = switch (value) {
                    case "0.10", "v2" -> 2;
                    case "1.1", "v3" -> 3;
                    default -> throw new IllegalArgumentException("Unknown compatibility level " + value);
                };
                case "lazy_refcounts" -> lazy = switch (value) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("Parameter 'lazy_refcounts' expects 'on' or 'off'");
                };
                case "refcount_bits" -> {
                    long bits;
                    try {
                        bits = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        bits = -1;
                    }
                    if (bits <= 0 || bits > 64 || Long.bitCount(bits) != 1) {
                        throw new IllegalArgumentException("Refcount width must be a power of two and may not exceed 64 bits");
                    }
                    refcountOrder = Long.numberOfTrailingZeros(bits);
                }
                case "backing_file", "backing_fmt" -> {
                    // Checked together below.
                }
                case "size" -> throw new IllegalArgumentException("Invalid parameter 'size': changing the disk size is what 'resize' does");
                case "data_file" -> {
                    // As QEMU 7.2: only renames the data file of an image that has one.
                    if (h.dataFile == null) {
                        throw new IllegalArgumentException("data-file can only be set for images that use an external data file");
                    }
                    BlockGraph.resolveRelative(node.filename(), value); // refuses only a name that is no valid path
                    dataFile = value;
                }
                case "data_file_raw" -> {
                    dataFileRaw = switch (value) {
                        case "on" -> true;
                        case "off" -> false;
                        default -> throw new IllegalArgumentException("Parameter 'data_file_raw' expects 'on' or 'off'");
                    };
                    // Turning it on would need the data file to hold every cluster at its guest offset already: QEMU refuses.
                    if (dataFileRaw && (h.autoclearFeatures & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW) == 0) {
                        throw new IllegalArgumentException("data-file-raw cannot be set on existing images");
                    }
                }
                default -> throw new IllegalArgumentException(CREATION_ONLY.contains(o.getKey())
                        ? "Invalid parameter '" + o.getKey() + "'\nThis option is only supported for image creation"
                        : "Invalid parameter '" + o.getKey() + "'");
            }
        }
        if (options.containsKey("backing_file") || options.containsKey("backing_fmt")) {
            if (!Objects.equals(options.get("backing_file"), h.backingFile) || !Objects.equals(options.get("backing_fmt"), h.backingFormat)) {
                throw new IllegalArgumentException("Cannot amend the backing file\nYou can use 'qemu-img rebase' instead.");
            }
        }
        if (version < 3 && Boolean.TRUE.equals(lazy)) {
            throw new IllegalArgumentException("Lazy refcounts only supported with compatibility level 1.1 and above (use compat=1.1 or greater)");
        }
        if (version < 3 && refcountOrder != 4) {
            throw new IllegalArgumentException(options.containsKey("refcount_bits")
                    ? "Refcount widths other than 16 bits require compatibility level 1.1 or above (use compat=1.1 or greater)"
                    : "compat=0.10 requires refcount_bits=16");
        }
        if (version < h.version) {
            checkDowngrade();
        }
        node.flushMetadata();
        if (version > h.version) {
            h.version = version;
            h.refcountOrder = 4;
            commitHeader();
        }
        if (lazy != null && lazy != ((h.compatibleFeatures & Qcow2Header.COMPAT_LAZY_REFCOUNTS) != 0)) {
            // Off: the counts are exact after the flush above, so the dirty bit may go with the feature.
            h.compatibleFeatures = lazy ? h.compatibleFeatures | Qcow2Header.COMPAT_LAZY_REFCOUNTS
                    : h.compatibleFeatures & ~Qcow2Header.COMPAT_LAZY_REFCOUNTS;
            if (!lazy) {
                h.incompatibleFeatures &= ~Qcow2Header.INCOMPAT_DIRTY;
            }
            commitHeader();
        }
        if (dataFile != null && !dataFile.equals(h.dataFile) || Boolean.FALSE.equals(dataFileRaw)
                && (h.autoclearFeatures & Qcow2Header.AUTOCLEAR_DATA_FILE_RAW) != 0) {
            String oldName = h.dataFile;
            long oldAutoclear = h.autoclearFeatures;
            h.dataFile = dataFile != null ? dataFile : h.dataFile;
            h.autoclearFeatures = Boolean.FALSE.equals(dataFileRaw) ? h.autoclearFeatures & ~Qcow2Header.AUTOCLEAR_DATA_FILE_RAW
                    : h.autoclearFeatures;
            try {
                commitHeader();
            } catch (IOException | RuntimeException e) {
                h.dataFile = oldName;
                h.autoclearFeatures = oldAutoclear;
                throw e;
            }
        }
        if (refcountOrder != h.refcountOrder) {
            rewriteRefcounts(refcountOrder);
        }
        if (version < h.version) {
            downgrade();
        }
    }

    private void checkDowngrade() throws IOException {
        if (h.dataFile != null) {
            throw new IllegalArgumentException("Cannot downgrade an image with a data file");
        }
        if (h.bitmapsExtension != null && (h.autoclearFeatures & Qcow2Header.AUTOCLEAR_BITMAPS) != 0
                && !Qcow2Bitmaps.read(h, node.fileNode(), node.filename()).isEmpty()) {
            throw new IllegalArgumentException("Cannot downgrade an image with persistent bitmaps (a v2 image cannot hold them); remove them first");
        }
        if ((h.incompatibleFeatures & ~(Qcow2Header.INCOMPAT_DIRTY | Qcow2Header.INCOMPAT_COMPRESSION)) != 0) {
            throw new IllegalArgumentException("Cannot downgrade an image with incompatible features 0x"
                    + Long.toHexString(h.incompatibleFeatures & ~Qcow2Header.INCOMPAT_DIRTY) + " set");
        }
        for (Qcow2Snapshots.Snapshot s : node.snapshots()) {
            for (long e : node.readL1(s.l1Offset(), s.l1Size())) {
                long table = e & Qcow2Node.L1_OFFSET_MASK;
                if (table != 0 && hasZeroOrCompressed(node.l2(table), false)) {
                    throw new IllegalArgumentException("Cannot downgrade: snapshot '" + s.info().name()
                            + "' holds zero clusters, which a v2 image cannot express; delete the snapshot first");
                }
            }
        }
        if (h.compressionType != Qcow2Compression.ZLIB) {
            for (long e : node.l1()) {
                long table = e & Qcow2Node.L1_OFFSET_MASK;
                if (table != 0 && hasZeroOrCompressed(node.l2(table), true)) {
                    throw new IllegalArgumentException("Cannot downgrade an image with zstd-compressed clusters (a v2 image only knows zlib)");
                }
            }
        }
    }

    private static boolean hasZeroOrCompressed(Qcow2Node.L2Table t, boolean compressed) {
        for (long word : t.words) {
            if (compressed ? (word & Qcow2Node.COMPRESSED) != 0 : (word & Qcow2Node.COMPRESSED) == 0 && (word & Qcow2Node.ZERO) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Zero clusters become real zeroes (or holes where nothing shows through), then the header says version 2. */
    private void downgrade() throws IOException {
        long cs = h.clusterSize();
        int l2Bits = h.clusterBits - 3;
        long[] l1 = node.l1();
        for (int i = 0; i < l1.length; i++) {
            long table = l1[i] & Qcow2Node.L1_OFFSET_MASK;
            if (table == 0) {
                continue;
            }
            Qcow2Node.L2Table t = node.l2(table);
            for (int j = 0; j < t.words.length; j++) {
                long word = t.words[j];
                if ((word & Qcow2Node.COMPRESSED) != 0 || (word & Qcow2Node.ZERO) == 0) {
                    continue;
                }
                long guest = (((long) i << l2Bits) + j) * cs;
                if (guest >= h.size) {
                    continue;
                }
                long n = Math.min(cs, h.size - guest);
                if (node.backing().isEmpty()) {
                    node.discard(guest, n);
                } else {
                    node.write(guest, ByteBuffer.allocate((int) n));
                }
            }
        }
        node.flushMetadata();
        node.fileNode().flush();
        h.version = 2;
        h.compatibleFeatures = 0;
        h.autoclearFeatures = 0;
        h.incompatibleFeatures = 0;
        h.compressionType = Qcow2Compression.ZLIB;
        h.bitmapsExtension = null;
        commitHeader();
    }

    /**
     * Writes refcount blocks of the new width for every cluster in use, and a table for them,
     * after the end of the image; they count themselves and everything else in use except the
     * old refcount table and blocks, which the header switch frees.
     */
    private void rewriteRefcounts(int order) throws IOException {
        Qcow2Refcounts old = node.refcounts();
        int bits = 1 << order;
        long max = bits == 64 ? Long.MAX_VALUE : (1L << bits) - 1;
        long cs = h.clusterSize();
        long perBlock = cs * 8 / bits;
        long end = old.end();
        boolean[] oldStructure = new boolean[(int) end];
        for (long b : old.table()) {
            if (b != 0 && (b >>> h.clusterBits) < end) {
                oldStructure[(int) (b >>> h.clusterBits)] = true;
            }
        }
        for (long c = 0; c < h.refcountTableClusters; c++) {
            oldStructure[(int) ((h.refcountTableOffset >>> h.clusterBits) + c)] = true;
        }
        for (long i = 0; i < end; i++) {
            long count = old.get(i);
            if (count > max) {
                throw new BlockFormatException("Cannot decrease refcount entry width to " + bits + " bits: cluster " + i
                        + " has a refcount of " + count);
            }
        }
        // The new structures go after everything: blocks, then the table; find sizes that cover themselves.
        long blocks = 1;
        long tableClusters = 1;
        while (true) {
            long covered = end + blocks + tableClusters;
            long needBlocks = (covered + perBlock - 1) / perBlock;
            long needTable = Math.max(1, (needBlocks * 8 + cs - 1) / cs);
            if (needBlocks <= blocks && needTable <= tableClusters) {
                break;
            }
            blocks = Math.max(blocks, needBlocks);
            tableClusters = Math.max(tableClusters, needTable);
        }
        if (tableClusters * cs > Qcow2Header.MAX_REFTABLE_BYTES) {
            throw new BlockFormatException("'" + node.filename() + "' would need a refcount table over 8 MiB at " + bits + " bits");
        }
        long blocksAt = end;
        long tableAt = end + blocks;
        byte[][] data = new byte[(int) blocks][(int) cs];
        for (long i = 0; i < end + blocks + tableClusters; i++) {
            long count = i >= end ? 1 : oldStructure[(int) i] ? 0 : old.get(i);
            if (count != 0) {
                RefcountCodec.set(data[(int) (i / perBlock)], bits, i % perBlock, count);
            }
        }
        BlockNode file = node.fileNode();
        ByteBuffer table = ByteBuffer.allocate((int) (tableClusters * cs));
        for (int b = 0; b < blocks; b++) {
            file.write((blocksAt + b) * cs, ByteBuffer.wrap(data[b]));
            table.putLong(b * 8, (blocksAt + b) * cs);
        }
        file.write(tableAt * cs, table);
        file.flush();
        h.refcountOrder = order;
        h.refcountTableOffset = tableAt * cs;
        h.refcountTableClusters = (int) tableClusters;
        commitHeader();
        node.forgetRefcounts();
    }

    private void commitHeader() throws IOException {
        if (h.encodedLength() > h.clusterSize()) {
            throw new BlockFormatException("the header of '" + node.filename() + "' does not fit in its first cluster");
        }
        node.fileNode().write(0, h.write());
        node.fileNode().flush();
    }
}
