package io.tessera.block.raw;

import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(OPTIONS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the raw format does not know option(s) " + unknown + "; it knows " + new TreeSet<>(OPTIONS));
        }
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

    static long parseSize(String key, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 't' -> unit = 1L << 40;
                case 'b' -> unit = 1;
                default -> unit = 0;
            }
            if (unit != 0) {
                t = t.substring(0, t.length() - 1);
            } else {
                unit = 1;
            }
        }
        try {
            long value = Long.parseLong(t);
            if (value < 0) {
                throw new IllegalArgumentException("option " + key + " must not be negative: '" + text + "'");
            }
            return Math.multiplyExact(value, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("option " + key + " must be a size in bytes (like 4096 or 1M), not '" + text + "'", e);
        }
    }
}
