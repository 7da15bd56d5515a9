package io.tessera.block.qcow2;

import io.tessera.core.block.BackingOpener;
import io.tessera.core.block.BlockAdoptRequest;
import io.tessera.core.block.BlockCreateRequest;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockMeasure;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.block.BlockOptions;
import io.tessera.core.block.BlockPreallocation;
import io.tessera.core.block.BlockRepair;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code qcow2} format, as QEMU 7.2 writes it: versions 2 and 3, cluster sizes 512 B to
 * 2 MiB, refcounts 1 to 64 bits wide, zero clusters, zlib and zstd compressed clusters, backing
 * chains, extended L2 entries, external data files, internal snapshots (created, applied,
 * deleted, read) and persistent dirty bitmaps (changed, and updated by writes).
 *
 * <p>Open options: {@code node-name}; {@code backing=null} opens an overlay without its backing
 * file. Writing is refused for images that carry the corrupt bit; an image left dirty by lazy
 * refcounts gets its refcounts rebuilt when opened read-write, as QEMU does. An external data
 * file must lie in the image's directory (a relative name without {@code ..}): it is written
 * through the image, so a hostile image must not point it elsewhere.
 *
 * <p>Also found by {@link java.util.ServiceLoader}, for the {@code tessera img} tool that runs
 * without OSGi.
 */
@Component(service = BlockDriver.class, property = {"tessera.block.format=qcow2", "tessera.block.protocol:Boolean=false"})
public final class Qcow2Driver implements BlockDriver {

    static final String FORMAT = "qcow2";
    private static final Set<String> OPEN_OPTIONS = Set.of("node-name", "backing");
    private static final Set<String> CREATE_OPTIONS = Set.of("size", "compat", "cluster_size", "refcount_bits", "lazy_refcounts",
            "preallocation", "backing_file", "backing_fmt", "compression_type", "extended_l2", "data_file", "data_file_raw");
    private static final AtomicInteger NODES = new AtomicInteger();

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public boolean isProtocol() {
        return false;
    }

    @Override
    public int probe(byte[] header, String filename) {
        if (header.length >= 8 && ByteBuffer.wrap(header).getInt(0) == Qcow2Header.MAGIC) {
            int version = ByteBuffer.wrap(header).getInt(4);
            return version >= 2 ? 100 : 0;
        }
        return 0;
    }

    @Override
    public BlockNode open(BlockOpenRequest request) throws IOException {
        BlockNode file = request.file();
        if (file == null) {
            throw new IllegalArgumentException("the qcow2 format needs a file node below it (opening '" + request.filename() + "')");
        }
        BlockOptions.requireKnown("the qcow2 format", request.options(), OPEN_OPTIONS);
        String name = request.filename();
        long fileSize = file.size();
        ByteBuffer start = ByteBuffer.allocate((int) Math.min(fileSize, 24));
        file.read(0, start);
        start.flip();
        int clusterBits = start.remaining() >= 24 ? start.getInt(20) : 16;
        int clusterLength = clusterBits >= 9 && clusterBits <= 21 ? 1 << clusterBits : 1 << 16;
        ByteBuffer cluster0 = ByteBuffer.allocate((int) Math.min(fileSize, clusterLength));
        file.read(0, cluster0);
        cluster0.flip();
        Qcow2Header header = Qcow2Header.parse(cluster0, fileSize, name);
        boolean readOnly = request.readOnly();
        if (!readOnly) {
            if ((header.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0) {
                throw new BlockFormatException("'" + name + "' is marked corrupt; open it read-only, or repair it with check -r all");
            }
        }
        long[] tableBytes = new long[1];
        List<Qcow2Snapshots.Snapshot> snapshots = Qcow2Snapshots.read(file, header, name, tableBytes);
        BlockNode backing = null;
        BlockNode dataFile = file;
        try {
            if (header.dataFile != null) {
                dataFile = openDataFile(request, header.dataFile, readOnly, false);
            }
            if (header.backingFile != null && !"null".equals(request.options().get("backing"))) {
                backing = opener(request, "backing file").open(BlockGraph.resolveRelative(name, header.backingFile),
                        header.backingFormat == null ? "" : header.backingFormat);
            }
            String nodeName = request.options().getOrDefault("node-name", "#qcow2-" + NODES.getAndIncrement());
            Qcow2Node node = new Qcow2Node(nodeName, name, file, dataFile, backing, header, readOnly, snapshots, tableBytes[0]);
            if (!readOnly && (header.incompatibleFeatures & Qcow2Header.INCOMPAT_DIRTY) != 0) {
                // Lazy refcounts left stale by a crash: rebuild them from the tables before any write.
                node.check(BlockRepair.ALL);
                header.incompatibleFeatures &= ~Qcow2Header.INCOMPAT_DIRTY;
                node.writeIncompatibleFeatures();
            }
            return node;
        } catch (IOException | RuntimeException e) {
            for (BlockNode n : new BlockNode[] {backing, dataFile != file ? dataFile : null}) {
                if (n != null) {
                    try {
                        n.close();
                    } catch (IOException closing) {
                        e.addSuppressed(closing);
                    }
                }
            }
            throw e;
        }
    }

    /**
     * Opens (or creates) the external data file an image names. The name is resolved as a backing
     * file's is (relative to the image's directory, absolute as it is): qemu-img writes absolute
     * names when given one, and QEMU opens them, so Tessera does too.
     */
    private static BlockNode openDataFile(BlockOpenRequest request, String dataName, boolean readOnly, boolean create) throws IOException {
        String path = BlockGraph.resolveRelative(request.filename(), dataName);
        if (!create && !java.nio.file.Files.exists(java.nio.file.Path.of(path))) {
            throw new BlockFormatException("'" + request.filename() + "' keeps its data in external data file '" + dataName
                    + "', which does not exist (looked for " + path + ")");
        }
        try {
            return opener(request, "external data file").openDataFile(path, readOnly, create);
        } catch (UnsupportedOperationException e) {
            // A backing-only opener (an in-place conversion) still reads the data file as a raw image.
            if (!readOnly) {
                throw e;
            }
            return opener(request, "external data file").open(path, "raw");
        }
    }

    private static BackingOpener opener(BlockOpenRequest request, String what) throws BlockFormatException {
        if (request.backingOpener() == null) {
            throw new BlockFormatException("'" + request.filename() + "' needs its " + what + ", and no way to open it was given");
        }
        return request.backingOpener();
    }

    /** Takes over an image of another format in place (see {@link Qcow2Adopter} for the crash-safe order). */
    @Override
    public void adoptLayout(BlockAdoptRequest request) throws IOException {
        new Qcow2Adopter(request).adopt();
    }

    @Override
    public void create(BlockCreateRequest request) throws IOException {
        Map<String, String> o = request.options();
        BlockOptions.requireKnown("qcow2 image creation", o, CREATE_OPTIONS);
        Qcow2Header h = new Qcow2Header();
        String compat = o.getOrDefault("compat", "1.1");
        h.version = switch (compat) {
            case "0.10", "v2" -> 2;
            case "1.1", "v3" -> 3;
            default -> throw new IllegalArgumentException("compat must be 0.10 (v2) or 1.1 (v3), not '" + compat + "'");
        };
        long clusterSize = sizeOption(o, "cluster_size", 65536);
        if (Long.bitCount(clusterSize) != 1 || clusterSize < 512 || clusterSize > (2 << 20)) {
            throw new IllegalArgumentException("cluster_size must be a power of two from 512 to 2M, not " + clusterSize);
        }
        h.clusterBits = Long.numberOfTrailingZeros(clusterSize);
        long refcountBits = sizeOption(o, "refcount_bits", 16);
        if (Long.bitCount(refcountBits) != 1 || refcountBits > 64) {
            throw new IllegalArgumentException("refcount_bits must be 1, 2, 4, 8, 16, 32 or 64, not " + refcountBits);
        }
        if (h.version == 2 && refcountBits != 16) {
            throw new IllegalArgumentException("refcount_bits other than 16 needs compat=1.1");
        }
        h.refcountOrder = Long.numberOfTrailingZeros(refcountBits);
        if (bool(o, "lazy_refcounts")) {
            if (h.version == 2) {
                throw new IllegalArgumentException("lazy_refcounts=on needs compat=1.1");
            }
            h.compatibleFeatures |= Qcow2Header.COMPAT_LAZY_REFCOUNTS;
        }
        if (bool(o, "extended_l2")) {
            if (h.version == 2 || clusterSize < 16384) {
                throw new IllegalArgumentException("extended_l2=on needs compat=1.1 and cluster_size of at least 16k");
            }
            h.incompatibleFeatures |= Qcow2Header.INCOMPAT_EXTL2;
        }
        String compression = o.getOrDefault("compression_type", "zlib");
        switch (compression) {
            case "zlib" -> h.compressionType = Qcow2Compression.ZLIB;
            case "zstd" -> {
                if (h.version == 2) {
                    throw new IllegalArgumentException("compression_type=zstd needs compat=1.1");
                }
                h.compressionType = Qcow2Compression.ZSTD;
                h.incompatibleFeatures |= Qcow2Header.INCOMPAT_COMPRESSION;
            }
            default -> throw new IllegalArgumentException("compression_type must be zlib or zstd, not '" + compression + "'");
        }
        String prealloc = o.getOrDefault("preallocation", "off");
        if (!List.of("off", "metadata", "falloc", "full").contains(prealloc)) {
            throw new IllegalArgumentException("preallocation must be off, metadata, falloc or full, not '" + prealloc + "'");
        }
        if (prealloc.equals("full") || prealloc.equals("falloc") || prealloc.equals("metadata")) {
            if (o.containsKey("backing_file")) {
                throw new IllegalArgumentException("preallocation and a backing file cannot be combined");
            }
        }
        h.backingFile = o.get("backing_file");
        h.backingFormat = o.get("backing_fmt");
        if (h.backingFormat != null && h.backingFile == null) {
            throw new IllegalArgumentException("backing_fmt needs backing_file");
        }
        h.dataFile = o.get("data_file");
        boolean dataFileRaw = bool(o, "data_file_raw");
        if (h.dataFile != null) {
            if (h.version == 2) {
                throw new IllegalArgumentException("External data files are only supported with compatibility level 1.1 and above"
                        + " (use version=v3 or greater)");
            }
            if (h.dataFile.isEmpty()) {
                throw new IllegalArgumentException("data_file must name a file");
            }
            h.incompatibleFeatures |= Qcow2Header.INCOMPAT_DATA_FILE;
        }
        if (dataFileRaw) {
            if (h.dataFile == null) {
                throw new IllegalArgumentException("data-file-raw requires data-file");
            }
            if (h.backingFile != null) {
                throw new IllegalArgumentException("Backing file and data-file-raw cannot be used at the same time");
            }
            h.autoclearFeatures |= Qcow2Header.AUTOCLEAR_DATA_FILE_RAW;
            if (prealloc.equals("off")) {
                // Every guest cluster must be mapped to its place in the raw data file from the start (QEMU).
                prealloc = "metadata";
            }
        }
        h.size = request.size();
        int l2Bits = h.clusterBits - (h.extendedL2() ? 4 : 3);
        long l1Entries = (h.size + (clusterSize << l2Bits) - 1) / (clusterSize << l2Bits);
        if (l1Entries * 8 > Qcow2Header.MAX_L1_BYTES) {
            throw new IllegalArgumentException("a " + h.size + "-byte disk needs an L1 table over 32 MiB with " + clusterSize
                    + "-byte clusters; choose a larger cluster_size");
        }
        long l1Clusters = Math.max(1, (l1Entries * 8 + clusterSize - 1) / clusterSize);
        long[] refcountSize = Qcow2Refcounts.selfCountingSize(1 + l1Clusters, clusterSize, refcountBits);
        long blocks = refcountSize[0];
        long tableClusters = refcountSize[1];
        h.refcountTableOffset = clusterSize;
        h.refcountTableClusters = (int) tableClusters;
        long blocksOffset = clusterSize * (1 + tableClusters);
        h.l1TableOffset = blocksOffset + blocks * clusterSize;
        h.l1Size = (int) l1Entries;
        ByteBuffer headerCluster = h.write();
        if (h.encodedLength() > clusterSize) {
            throw new IllegalArgumentException("the header, its extensions and the backing file name do not fit in one " + clusterSize + "-byte cluster");
        }
        long total = 1 + tableClusters + blocks + l1Clusters;
        BlockNode file = request.file();
        BlockNode dataFile = file;
        if (h.dataFile != null) {
            // Created (emptied) and sized first, as qemu-img does: the data file is a disk-sized raw file from the start.
            if (request.backingOpener() == null) {
                throw new IllegalArgumentException("creating '" + request.filename() + "' with an external data file needs a way to create that file");
            }
            dataFile = request.backingOpener().openDataFile(
                    BlockGraph.resolveRelative(request.filename(), h.dataFile), false, true);
        }
        try {
            writeNewImage(request, h, dataFile, prealloc, total, tableClusters, blocks, blocksOffset, l1Clusters, headerCluster);
        } finally {
            if (dataFile != file) {
                dataFile.close();
            }
        }
    }

    private static void writeNewImage(BlockCreateRequest request, Qcow2Header h, BlockNode dataFile, String prealloc, long total,
            long tableClusters, long blocks, long blocksOffset, long l1Clusters, ByteBuffer headerCluster) throws IOException {
        BlockNode file = request.file();
        long clusterSize = h.clusterSize();
        long refcountBits = 1L << h.refcountOrder;
        if (dataFile != file) {
            dataFile.resize(h.size, BlockPreallocation.OFF);
            dataFile.flush();
        }
        ByteBuffer table = ByteBuffer.allocate((int) (tableClusters * clusterSize));
        for (long b = 0; b < blocks; b++) {
            table.putLong(blocksOffset + b * clusterSize);
        }
        table.clear();
        ByteBuffer counts = ByteBuffer.allocate((int) (blocks * clusterSize));
        for (long i = 0; i < total; i++) {
            RefcountCodec.set(counts.array(), (int) refcountBits, i, 1);
        }
        // As qemu-img: the L1 table's entries written out as zeroes; the file ends there, not at its cluster's end.
        file.write(h.l1TableOffset, ByteBuffer.allocate((int) ((long) h.l1Size * 8)));
        file.write(blocksOffset, counts);
        file.write(h.refcountTableOffset, table);
        file.flush();
        file.write(0, headerCluster);
        file.flush();
        if (!prealloc.equals("off")) {
            Qcow2Node node = new Qcow2Node("#create", request.filename(), file, dataFile, null, h, false, List.of(), 0);
            node.preallocate(BlockPreallocation.parse(prealloc));
            dataFile.flush();
            node.flushMetadata();
            file.flush();
        }
    }

    static long sizeOption(Map<String, String> o, String key, long fallback) {
        String v = o.get(key);
        if (v == null) {
            return fallback;
        }
        return io.tessera.core.block.BlockOptions.parseSize(key, v);
    }

    static boolean bool(Map<String, String> o, String key) {
        String v = o.get(key);
        if (v == null) {
            return false;
        }
        return switch (v) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException(key + " must be on or off, not '" + v + "'");
        };
    }

    @Override
    public BlockMeasure measure(long size, Map<String, String> options, BlockNode source) throws IOException {
        return Qcow2Measure.measure(size, options, source);
    }
}
