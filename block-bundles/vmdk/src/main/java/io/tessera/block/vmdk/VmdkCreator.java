package io.tessera.block.vmdk;

import io.tessera.core.block.BlockCreateRequest;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes new VMDK images as {@code qemu-img create -f vmdk} does: a monolithic sparse or
 * stream-optimized extent
 * with its descriptor embedded after the header, then the redundant grain directory and its
 * tables, then the primary directory and tables, all tables allocated up front so that a write
 * only ever appends a grain and fills in one entry of each copy.
 */
final class VmdkCreator {

    private static final Set<String> OPTIONS = Set.of("size", "subformat", "adapter_type", "hwversion", "compat6", "zeroed_grain",
            "backing_file", "backing_fmt", "toolsversion");
    /** What qemu-img writes as ddb.toolsVersion when no toolsversion is given. */
    private static final String DEFAULT_TOOLS_VERSION = "2147483647";
    private static final long GRAIN_SECTORS = 128;
    private static final int GTES_PER_GT = 512;
    private static final long DESCRIPTOR_SECTORS = 20;
    /** The largest extent of the twoGbMaxExtent subformats, in sectors. */
    private static final long SPLIT_SECTORS = 4L << 20;
    private static final java.util.List<String> SUBFORMATS = java.util.List.of("monolithicSparse", "monolithicFlat",
            "twoGbMaxExtentSparse", "twoGbMaxExtentFlat", "streamOptimized");

    private VmdkCreator() {
    }

    static void create(BlockCreateRequest request) throws IOException {
        Map<String, String> o = request.options();
        BlockOptions.requireKnown("vmdk image creation", o, OPTIONS);
        String subformat = o.getOrDefault("subformat", "monolithicSparse");
        if (!SUBFORMATS.contains(subformat)) {
            throw new IllegalArgumentException("subformat must be one of " + String.join(", ", SUBFORMATS) + ", not '" + subformat + "'");
        }
        boolean stream = subformat.equals("streamOptimized");
        String adapter = o.getOrDefault("adapter_type", "ide");
        if (!Set.of("ide", "lsilogic", "buslogic", "legacyESX").contains(adapter)) {
            throw new IllegalArgumentException("adapter_type must be ide, lsilogic, buslogic or legacyESX, not '" + adapter + "'");
        }
        boolean compat6 = bool(o, "compat6");
        if (compat6 && o.containsKey("hwversion")) {
            throw new IllegalArgumentException("compat6 and hwversion cannot be combined");
        }
        String hwVersion = o.getOrDefault("hwversion", compat6 ? "6" : "4");
        if (!hwVersion.matches("[0-9]{1,3}")) {
            throw new IllegalArgumentException("hwversion must be a number, not '" + hwVersion + "'");
        }
        String toolsVersion = o.getOrDefault("toolsversion", DEFAULT_TOOLS_VERSION);
        if (toolsVersion.isEmpty() || toolsVersion.chars().anyMatch(c -> c < ' ' || c == '"' || c > '~')) {
            throw new IllegalArgumentException("toolsversion must be printable text without quotes, not '" + toolsVersion + "'");
        }
        if (o.containsKey("backing_fmt") && !"vmdk".equals(o.get("backing_fmt"))) {
            throw new IllegalArgumentException("a vmdk image's backing file must be vmdk, not '" + o.get("backing_fmt") + "'");
        }
        long size = request.size();
        if (size % 512 != 0) {
            size = (size + 511) / 512 * 512;
        }
        long capacity = size / 512;
        if (capacity > SparseHeader.MAX_CAPACITY_SECTORS && (subformat.equals("monolithicSparse") || stream)) {
            throw new IllegalArgumentException("a " + subformat + " image holds at most 2 TiB, not " + size + " bytes");
        }
        String parent = o.get("backing_file");
        long parentCid = VmdkDescriptor.NO_PARENT_CID;
        if (parent != null) {
            if (request.backingOpener() == null) {
                throw new IllegalArgumentException("creating a delta disk needs a way to open its parent '" + parent + "'");
            }
            try (BlockNode p = request.backingOpener().open(VmdkDriver.resolve(request.filename(), parent, false), VmdkDriver.FORMAT)) {
                parentCid = ((Number) p.imageInfo().formatSpecific().get("cid")).longValue();
            }
        }

        boolean zeroedGrain = bool(o, "zeroed_grain");
        long cid = ThreadLocalRandom.current().nextInt() & 0xffffffffL;
        String base = java.nio.file.Path.of(request.filename()).getFileName().toString();
        // As qemu-img: extent files are named after the descriptor's name split at its last dot (x.img: x-flat.img, x-s001.img).
        int dot = base.lastIndexOf('.');
        String stem = dot < 0 ? base : base.substring(0, dot);
        String suffix = dot < 0 ? "" : base.substring(dot);
        StringBuilder extentLines = new StringBuilder();
        switch (subformat) {
            case "monolithicSparse", "streamOptimized" -> {
                extentLines.append("RW ").append(capacity).append(" SPARSE \"").append(base).append("\"\n");
                String text = descriptor(subformat, cid, parentCid, parent, capacity, extentLines, adapter, hwVersion, toolsVersion);
                writeSparseExtent(request.file(), capacity, zeroedGrain, stream, text);
            }
            default -> {
                boolean flat = subformat.endsWith("Flat");
                boolean split = subformat.startsWith("twoGb");
                long pieces = split ? Math.max(1, (capacity + SPLIT_SECTORS - 1) / SPLIT_SECTORS) : 1;
                for (long i = 0; i < pieces; i++) {
                    long sectors = split ? Math.min(SPLIT_SECTORS, capacity - i * SPLIT_SECTORS) : capacity;
                    String name = split ? String.format("%s-%s%03d%s", stem, flat ? "f" : "s", i + 1, suffix) : stem + "-flat" + suffix;
                    if (request.backingOpener() == null) {
                        throw new IllegalArgumentException("creating a " + subformat + " image needs a way to create its extent files");
                    }
                    try (BlockNode extent = request.backingOpener().openDataFile(VmdkDriver.resolve(request.filename(), name, true), false, true)) {
                        if (flat) {
                            if (sectors > 0) {
                                // Sparse where the host allows, its first block written, as qemu-img's truncate of a new file.
                                extent.resize(sectors * 512, io.tessera.core.block.BlockPreallocation.OFF);
                            }
                        } else {
                            writeSparseExtent(extent, sectors, zeroedGrain, false, null);
                        }
                    }
                    extentLines.append("RW ").append(sectors).append(flat ? " FLAT \"" : " SPARSE \"").append(name).append(flat ? "\" 0\n" : "\"\n");
                }
                byte[] text = descriptor(subformat, cid, parentCid, parent, capacity, extentLines, adapter, hwVersion, toolsVersion).getBytes(StandardCharsets.UTF_8);
                request.file().write(0, ByteBuffer.wrap(text));
                request.file().flush();
            }
        }
    }

    /**
     * Writes the header, the embedded descriptor (or room for one), both grain directories and
     * (as a hole) all grain tables of an empty sparse extent of {@code capacity} sectors.
     */
    private static void writeSparseExtent(BlockNode file, long capacity, boolean zeroedGrain, boolean stream, String descriptor)
            throws IOException {
        SparseHeader h = new SparseHeader();
        h.version = stream ? 3 : zeroedGrain ? 2 : 1;
        h.flags = SparseHeader.FLAG_NEWLINE_TEST | SparseHeader.FLAG_REDUNDANT_GT | (zeroedGrain ? SparseHeader.FLAG_ZEROED_GRAIN_GTE : 0);
        if (stream) {
            // As qemu-img: the directory and tables stay at the front, grains are appended deflated behind grain headers.
            h.flags |= SparseHeader.FLAG_COMPRESSED | SparseHeader.FLAG_MARKERS;
            h.compressAlgorithm = SparseHeader.COMPRESS_DEFLATE;
        }
        h.capacity = capacity;
        h.grainSize = GRAIN_SECTORS;
        h.gtesPerGt = GTES_PER_GT;
        h.descriptorOffset = 1;
        h.descriptorSize = DESCRIPTOR_SECTORS;
        long tables = h.directoryEntries();
        long directorySectors = (tables * 4 + 511) / 512;
        long tableSectors = GTES_PER_GT * 4 / 512;
        h.rgdOffset = h.descriptorOffset + h.descriptorSize;
        h.gdOffset = h.rgdOffset + directorySectors + tables * tableSectors;
        long end = h.gdOffset + directorySectors + tables * tableSectors;
        h.overhead = (end + GRAIN_SECTORS - 1) / GRAIN_SECTORS * GRAIN_SECTORS;
        byte[] text = descriptor == null ? new byte[0] : descriptor.getBytes(StandardCharsets.UTF_8);
        if (text.length > DESCRIPTOR_SECTORS * 512) {
            throw new IllegalArgumentException("the descriptor (with the parent file name) does not fit its " + DESCRIPTOR_SECTORS + " sectors");
        }
        // As qemu-img: the file grown to the first grain (the empty grain tables a hole), then the header, the
        // descriptor's text and both grain directories written; so the new extent takes the blocks qemu-img's does.
        file.resize(h.overhead * 512, io.tessera.core.block.BlockPreallocation.OFF);
        ByteBuffer redundant = ByteBuffer.allocate(Math.toIntExact(directorySectors * 512)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer directory = ByteBuffer.allocate(Math.toIntExact(directorySectors * 512)).order(ByteOrder.LITTLE_ENDIAN);
        for (long t = 0; t < tables; t++) {
            redundant.putInt((int) (t * 4), (int) (h.rgdOffset + directorySectors + t * tableSectors));
            directory.putInt((int) (t * 4), (int) (h.gdOffset + directorySectors + t * tableSectors));
        }
        file.write(0, h.encode().limit(SparseHeader.SIZE));
        if (text.length > 0) {
            file.write(h.descriptorOffset * 512, ByteBuffer.wrap(text));
        }
        file.write(h.rgdOffset * 512, redundant);
        file.write(h.gdOffset * 512, directory);
        file.flush();
    }

    private static String descriptor(String createType, long cid, long parentCid, String parent, long capacity, CharSequence extents,
            String adapter, String hw, String toolsVersion) {
        int heads = adapter.equals("ide") ? 16 : 255;
        long cylinders = Math.min(capacity / (heads * 63), 16383);
        StringBuilder s = new StringBuilder();
        s.append("# Disk DescriptorFile\nversion=1\n");
        // Without leading zeroes, as QEMU writes them.
        s.append(String.format("CID=%x\nparentCID=%x\n", cid, parentCid));
        s.append("createType=\"").append(createType).append("\"\n");
        if (parent != null) {
            s.append("parentFileNameHint=\"").append(parent).append("\"\n");
        }
        s.append("\n# Extent description\n");
        s.append(extents);
        s.append("\n# The Disk Data Base\n#DDB\n\n");
        s.append("ddb.virtualHWVersion = \"").append(hw).append("\"\n");
        s.append("ddb.geometry.cylinders = \"").append(cylinders).append("\"\n");
        s.append("ddb.geometry.heads = \"").append(heads).append("\"\n");
        s.append("ddb.geometry.sectors = \"").append(63).append("\"\n");
        s.append("ddb.adapterType = \"").append(adapter).append("\"\n");
        s.append("ddb.toolsVersion = \"").append(toolsVersion).append("\"\n");
        return s.toString();
    }

    private static boolean bool(Map<String, String> o, String key) {
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
}
