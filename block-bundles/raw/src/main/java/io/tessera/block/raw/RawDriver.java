package io.tessera.block.raw;

import io.tessera.core.block.BlockCreateRequest;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockMeasure;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.block.BlockOptions;
import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code raw} format, as QEMU's: the virtual disk is the bytes of the file node below it,
 * passed through unchanged, optionally restricted to a window of that node.
 *
 * <p>Options of {@link BlockOpenRequest#options()}:
 * <ul>
 * <li>{@code node-name}: the node's name; by default {@code #rawN}.</li>
 * <li>{@code offset}: where the disk starts in the file node, in bytes (default 0; a number,
 *     optionally with a {@code k}/{@code M}/{@code G}/{@code T} suffix); at most the file's size.</li>
 * <li>{@code size}: the disk's size in bytes, a multiple of 512; {@code offset + size} must not
 *     exceed the file's size. Without it the disk is the rest of the file and follows its size.</li>
 * </ul>
 * Probing returns 1 for anything: raw has no signature and is the format of last resort.
 */
@Component(service = BlockDriver.class, property = {RawDriver.FORMAT_PROPERTY + "=raw", RawDriver.PROTOCOL_PROPERTY + ":Boolean=false"})
public final class RawDriver implements BlockDriver {

    /** Service property naming the format (not yet a core constant). */
    static final String FORMAT_PROPERTY = "tessera.block.format";
    /** Service property telling a protocol driver (not yet a core constant). */
    static final String PROTOCOL_PROPERTY = "tessera.block.protocol";

    static final String FORMAT = "raw";
    private static final Set<String> OPTIONS = Set.of("node-name", "offset", "size");
    private static final Set<String> CREATE_OPTIONS = Set.of("size", "preallocation");
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
        return 1;
    }

    @Override
    public BlockNode open(BlockOpenRequest request) throws IOException {
        BlockNode file = request.file();
        if (file == null) {
            throw new IllegalArgumentException("the raw format needs a file node below it (opening '" + request.filename() + "')");
        }
        Map<String, String> options = request.options();
        BlockOptions.requireKnown("the raw format", options, OPTIONS);
        if (!request.readOnly() && file.isReadOnly()) {
            throw new IOException("cannot open '" + request.filename() + "' read-write: its file node '" + file.nodeName() + "' is read-only");
        }
        long offset = options.containsKey("offset") ? parseSize("offset", options.get("offset")) : 0;
        long fileSize = file.size();
        if (offset > fileSize) {
            throw new IllegalArgumentException("raw offset " + offset + " of '" + request.filename()
                    + "' is past the end of its file (" + fileSize + " bytes)");
        }
        long size = -1;
        if (options.containsKey("size")) {
            size = parseSize("size", options.get("size"));
            if (size % 512 != 0) {
                throw new IllegalArgumentException("raw size " + size + " of '" + request.filename() + "' is not a multiple of 512");
            }
            if (size > fileSize - offset) {
                throw new IllegalArgumentException("raw offset " + offset + " plus size " + size + " of '" + request.filename()
                        + "' exceed the size of its file (" + fileSize + " bytes)");
            }
        }
        String nodeName = options.getOrDefault("node-name", "#raw" + NODES.getAndIncrement());
        return new RawNode(nodeName, request.filename(), file, request.readOnly(), offset, size);
    }

    /** A raw image is its bytes: creating one sizes the empty file (sparse where the host allows, unless preallocated). */
    @Override
    public void create(BlockCreateRequest request) throws IOException {
        BlockOptions.requireKnown("raw image creation", request.options(), CREATE_OPTIONS);
        String prealloc = request.options().getOrDefault("preallocation", "off");
        switch (prealloc) {
            case "off" -> {
                if (request.size() > 0) {
                    // Through the protocol's resize, which grows the (new, empty) file as QEMU's does.
                    request.file().resize(request.size(), io.tessera.core.block.BlockPreallocation.OFF);
                }
            }
            // As qemu-img: falloc reserves the blocks (fallocate), full writes zeroes over them.
            case "falloc" -> request.file().resize(request.size(), io.tessera.core.block.BlockPreallocation.FALLOC);
            case "full" -> request.file().resize(request.size(), io.tessera.core.block.BlockPreallocation.FULL);
            default -> throw new IllegalArgumentException("preallocation must be off, falloc or full, not '" + prealloc + "'");
        }
    }

    /** A raw image is as large as its disk, allocated or not (QEMU's raw_measure). */
    @Override
    public BlockMeasure measure(long size, Map<String, String> options, BlockNode source) throws IOException {
        BlockOptions.requireKnown("raw image creation", options, CREATE_OPTIONS);
        long bytes = source != null ? source.size() : (size + 511) & ~511L;
        return new BlockMeasure(bytes, bytes, OptionalLong.empty());
    }

    static long parseSize(String key, String text) {
        return BlockOptions.parseSize(key, text);
    }
}
