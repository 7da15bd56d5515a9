package io.tessera.block.vmdk;

import io.tessera.core.block.BlockCreateRequest;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.block.BlockOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code vmdk} format, as QEMU 7.2 and VMware write it: a text descriptor (a file of its own,
 * or embedded in a sparse extent) listing RW/RDONLY/NOACCESS extents of type SPARSE, FLAT, ZERO
 * or VMFS; hosted sparse extents with grain directories, zeroed-grain entries and compressed,
 * marker-framed grains (streamOptimized, with the grain directory at the front as QEMU writes it
 * or in a footer as VMware does); ESX sparse (COWD) extents of vmfsSparse disks; delta disks over
 * a parent named by {@code parentFileNameHint}, whose CID must still be the delta's parentCID.
 *
 * <p>Extent files must lie in the descriptor's directory or below it: a name with {@code ..}
 * or an absolute path is refused, so an image cannot make Tessera read arbitrary host files.
 *
 * <p>Open options: {@code node-name}; {@code backing=null} opens a delta disk without its parent.
 * Writing opens the extent files read-write through
 * {@link io.tessera.core.block.BackingOpener#openDataFile}; a stream-optimized image takes each
 * grain once, deflated and appended, as in QEMU.
 *
 * <p>Also found by {@link java.util.ServiceLoader}, for the {@code tessera img} tool that runs
 * without OSGi.
 */
@Component(service = BlockDriver.class, property = {"tessera.block.format=vmdk", "tessera.block.protocol:Boolean=false"})
public final class VmdkDriver implements BlockDriver {

    static final String FORMAT = "vmdk";
    private static final Set<String> OPEN_OPTIONS = Set.of("node-name", "backing");
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
        if (SparseHeader.hasMagic(header) || SparseHeader.hasCowdMagic(header)) {
            return 100;
        }
        return VmdkDescriptor.looksLikeDescriptor(header) ? 100 : 0;
    }

    @Override
    public BlockNode open(BlockOpenRequest request) throws IOException {
        BlockNode file = request.file();
        if (file == null) {
            throw new IllegalArgumentException("the vmdk format needs a file node below it (opening '" + request.filename() + "')");
        }
        BlockOptions.requireKnown("the vmdk format", request.options(), OPEN_OPTIONS);
        String name = request.filename();
        long fileSize = file.size();
        ByteBuffer first = ByteBuffer.allocate((int) Math.min(fileSize, SparseHeader.SIZE));
        file.read(0, first);
        List<BlockNode> opened = new ArrayList<>();
        try {
            VmdkDescriptor descriptor;
            long descriptorAt = 0;
            List<Extent> extents = new ArrayList<>();
            if (SparseHeader.hasMagic(first.array())) {
                // A monolithic sparse or stream-optimized image: the file is the only extent.
                SparseHeader header = readSparseHeader(file, name);
                descriptor = embeddedDescriptor(file, header, name);
                descriptorAt = header.descriptorOffset * 512;
                if (descriptor == null) {
                    descriptorAt = -1;
                    descriptor = new VmdkDescriptor(java.util.Map.of(), List.of());
                }
                extents.add(SparseExtent.open(name, header.capacity, VmdkDescriptor.Access.RW, file, header));
            } else if (SparseHeader.hasCowdMagic(first.array())) {
                // QEMU opens such a file only when text at byte 512 happens to hold a CID; real COWD headers keep names there.
                throw new BlockFormatException("'" + name + "' is an ESX sparse extent (COWD magic) without a descriptor of its own;"
                        + " open the vmfsSparse descriptor that names it in a VMFSSPARSE (or SPARSE) extent line");
            } else {
                if (fileSize > VmdkDescriptor.MAX_BYTES) {
                    throw new BlockFormatException("'" + name + "' is neither a sparse extent (no KDMV magic) nor a descriptor of at most "
                            + VmdkDescriptor.MAX_BYTES + " bytes (it has " + fileSize + ")");
                }
                ByteBuffer text = ByteBuffer.allocate((int) fileSize);
                file.read(0, text);
                descriptor = VmdkDescriptor.parse(new String(text.array(), 0, text.position(), StandardCharsets.UTF_8), name);
                for (VmdkDescriptor.Extent line : descriptor.extents()) {
                    extents.add(openExtent(request, line, opened));
                }
            }
            if (!request.readOnly()) {
                checkWritable(name, extents);
            }
            BlockNode backing = null;
            String parent = descriptor.parentFileNameHint();
            if (parent != null && !"null".equals(request.options().get("backing"))) {
                if (request.backingOpener() == null) {
                    throw new BlockFormatException("'" + name + "' is a delta disk of '" + parent + "', and no way to open it was given");
                }
                backing = request.backingOpener().open(resolve(name, parent, false), FORMAT);
                opened.add(backing);
            }
            String nodeName = request.options().getOrDefault("node-name", "#vmdk-" + NODES.getAndIncrement());
            return new VmdkNode(nodeName, name, file, extents, backing, request.readOnly(), descriptor, descriptorAt);
        } catch (IOException | RuntimeException e) {
            for (BlockNode n : opened) {
                try {
                    n.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    private static void checkWritable(String name, List<Extent> extents) throws IOException {
        for (Extent e : extents) {
            if (e.access == VmdkDescriptor.Access.RW && e.file() != null && e.file().isReadOnly()) {
                throw new BlockFormatException("cannot open '" + name + "' read-write: its extent '" + e.name + "' is read-only");
            }
        }
    }

    /** Opens one extent line of a separate descriptor; the extent's file goes into {@code opened}. */
    private static Extent openExtent(BlockOpenRequest request, VmdkDescriptor.Extent line, List<BlockNode> opened) throws IOException {
        String name = request.filename();
        VmdkDescriptor.Access access = line.access();
        if (line.type() == VmdkDescriptor.Type.ZERO) {
            return new ZeroExtent("ZERO", line.sectors() * 512, access);
        }
        if (request.backingOpener() == null) {
            throw new BlockFormatException("'" + name + "' keeps its data in extent file '" + line.file() + "', and no way to open it was given");
        }
        String path = resolve(name, line.file(), true);
        BlockNode extentFile;
        if (request.readOnly() || access != VmdkDescriptor.Access.RW) {
            extentFile = request.backingOpener().open(path, "raw");
        } else {
            try {
                extentFile = request.backingOpener().openDataFile(path, false, false);
            } catch (UnsupportedOperationException e) {
                throw new BlockFormatException("writing '" + name + "' needs its extent file '" + line.file()
                        + "' opened read-write, and no way to open it so was given; open the image read-only");
            }
        }
        opened.add(extentFile);
        return switch (line.type()) {
            case FLAT, VMFS -> new FlatExtent(line.file(), line.sectors() * 512, access, extentFile, line.startSector() * 512);
            case SPARSE, VMFSSPARSE -> {
                ByteBuffer magic = ByteBuffer.allocate((int) Math.min(4, extentFile.size()));
                extentFile.read(0, magic);
                if (!SparseHeader.hasMagic(magic.array()) && !SparseHeader.hasCowdMagic(magic.array())) {
                    throw new BlockFormatException("sparse extent '" + line.file() + "' of '" + name + "' starts with neither the KDMV magic"
                            + " (hosted sparse) nor the COWD magic (ESX sparse)");
                }
                yield SparseExtent.open(line.file(), line.sectors(), access, extentFile, readSparseHeader(extentFile, line.file()));
            }
            case ZERO -> throw new AssertionError("handled above");
        };
    }

    /** Reads and validates a sparse extent's header; for a stream with its grain directory at the end, the footer's. */
    static SparseHeader readSparseHeader(BlockNode file, String name) throws IOException {
        long fileSize = file.size();
        if (fileSize < SparseHeader.SIZE) {
            throw new BlockFormatException("'" + name + "' is cut off inside its sparse extent header (" + fileSize + " of 512 bytes)");
        }
        ByteBuffer sector = ByteBuffer.allocate(SparseHeader.SIZE);
        file.read(0, sector);
        boolean cowd = SparseHeader.hasCowdMagic(sector.array());
        SparseHeader header = cowd ? SparseHeader.decodeCowd(sector.flip()) : SparseHeader.decode(sector.flip());
        if (!cowd && header.gdOffset == SparseHeader.GD_AT_END) {
            header = footer(file, name, fileSize);
        }
        header.validate(fileSize, name);
        return header;
    }

    /** VMware's stream layout: footer marker, footer (a header copy with the real gdOffset), end-of-stream marker. */
    private static SparseHeader footer(BlockNode file, String name, long fileSize) throws IOException {
        if (fileSize < 4 * SparseHeader.SIZE) {
            throw new BlockFormatException("'" + name + "' puts its grain directory in a footer, but is too short to hold one");
        }
        ByteBuffer tail = ByteBuffer.allocate(3 * SparseHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        file.read(fileSize / 512 * 512 - 3 * SparseHeader.SIZE, tail);
        tail.flip();
        int footerType = tail.getInt(12);
        int eosType = tail.getInt(2 * SparseHeader.SIZE + 12);
        if (footerType != StreamMarkers.FOOTER || eosType != StreamMarkers.END_OF_STREAM
                || !SparseHeader.hasMagic(java.util.Arrays.copyOfRange(tail.array(), SparseHeader.SIZE, SparseHeader.SIZE + 4))) {
            throw new BlockFormatException("'" + name + "' puts its grain directory in a footer, but its last three sectors are not"
                    + " a footer marker, a footer with the KDMV magic and an end-of-stream marker");
        }
        SparseHeader footer = SparseHeader.decode(tail.slice(SparseHeader.SIZE, SparseHeader.SIZE));
        if (footer.gdOffset == SparseHeader.GD_AT_END) {
            throw new BlockFormatException("the footer of '" + name + "' does not give the grain directory's place either");
        }
        return footer;
    }

    private static VmdkDescriptor embeddedDescriptor(BlockNode file, SparseHeader header, String name) throws IOException {
        if (header.descriptorOffset == 0 || header.descriptorSize == 0) {
            return null;
        }
        if (header.descriptorSize > VmdkDescriptor.MAX_BYTES / 512 || header.descriptorOffset > file.size() / 512
                || header.descriptorOffset * 512 + header.descriptorSize * 512 > file.size()) {
            throw new BlockFormatException("the embedded descriptor of '" + name + "' (sector " + Long.toUnsignedString(header.descriptorOffset)
                    + ", " + Long.toUnsignedString(header.descriptorSize) + " sectors) lies outside the file or is larger than "
                    + VmdkDescriptor.MAX_BYTES + " bytes");
        }
        ByteBuffer text = ByteBuffer.allocate((int) header.descriptorSize * 512);
        file.read(header.descriptorOffset * 512, text);
        int end = 0;
        while (end < text.position() && text.get(end) != 0) {
            end++;
        }
        return VmdkDescriptor.parse(new String(text.array(), 0, end, StandardCharsets.UTF_8), name);
    }

    /**
     * Resolves an extent or parent file name against the image's directory.
     *
     * @param confine whether the name must stay inside that directory (extent files: no {@code ..},
     *        no absolute path), unlike a parent disk, which may live anywhere as in QEMU
     */
    static String resolve(String image, String name, boolean confine) throws BlockFormatException {
        if (confine) {
            return BlockGraph.resolveConfined(image, name, "extent file");
        }
        try {
            if (name.contains("://") || Path.of(name).isAbsolute()) {
                return name;
            }
            Path base = Path.of(image.startsWith("file:") ? image.substring(5) : image).toAbsolutePath().getParent();
            return base == null ? name : base.resolve(name).normalize().toString();
        } catch (InvalidPathException e) {
            throw new BlockFormatException("'" + image + "' names an invalid file '" + name + "': " + e.getReason());
        }
    }

    @Override
    public void create(BlockCreateRequest request) throws IOException {
        VmdkCreator.create(request);
    }
}
