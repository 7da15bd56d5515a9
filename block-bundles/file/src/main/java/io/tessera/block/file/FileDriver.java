package io.tessera.block.file;

import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.block.BlockOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code file} protocol, as QEMU's {@code file} block driver: a host file (or anything the
 * JDK opens as a {@link FileChannel}) read and written with positional I/O.
 *
 * <p>Options of {@link BlockOpenRequest#options()}:
 * <ul>
 * <li>{@code node-name}: the node's name; by default {@code #fileN}, unique in this driver.</li>
 * <li>{@code cache.direct}: only {@code off}/{@code false} (the default) is accepted; O_DIRECT
 *     needs aligned buffers the callers do not promise.</li>
 * <li>{@code cache.no-flush}: {@code on}/{@code true} makes {@link BlockNode#flush()} do nothing
 *     (QEMU's {@code cache=unsafe}); default off.</li>
 * <li>{@code create}: {@code on} creates the file, or empties it if it exists, before opening it
 *     read-write (for the extra files an image format makes, such as VMDK extents); default off.</li>
 * <li>{@code nocow} and {@code extent_size_hint}: QEMU's file creation options, only with
 *     {@code create=on}: {@code nocow=on} sets the no-copy-on-write flag (btrfs), and the extent
 *     size hint (1 MiB by default, 0 for none, below 4 GiB) is set where the file system has one
 *     (XFS); a file system that refuses either leaves the file as it is ({@link CreationAttributes}).</li>
 * <li>{@code exclusive}: {@code on} takes the byte-range locks QEMU uses for its image locking
 *     (bytes 100-163 and 200-263 of the file) exclusively for as long as the node is open, and
 *     fails if any other process (a running QEMU, qemu-img, qemu-io) holds one of them; meanwhile
 *     QEMU cannot open the image. For tools that rewrite an image's format in place. Needs a
 *     read-write node; default off.</li>
 * </ul>
 * Any other option is refused with an {@link IllegalArgumentException} naming it.
 *
 * <p>The filename may carry QEMU's {@code file:} prefix. Probing gives 1 to any plain path and
 * 100 to a {@code file:} name, and 0 to other URL-like names ({@code nbd://...}).
 *
 * <p>What Java's {@code FileChannel} cannot do is done through the FFM API on Linux, as QEMU's
 * file protocol does it: discard and write-zeroes with unmap punch holes, write-zeroes zeroes a
 * range with {@code FALLOC_FL_ZERO_RANGE}, {@code preallocation=falloc} calls
 * {@code posix_fallocate} ({@link FileSpace}); where the host refuses, discard is a no-op hint
 * (which the {@link BlockNode#discard} contract allows) and zeroes are written. There is no
 * image locking (QEMU's {@code locking=}) but the {@code exclusive} option. Block status finds
 * the holes of sparse files with Linux's {@code SEEK_DATA}/{@code SEEK_HOLE} through the FFM API
 * (elsewhere every range reports as data).
 */
@Component(service = BlockDriver.class, property = {FileDriver.FORMAT_PROPERTY + "=file", FileDriver.PROTOCOL_PROPERTY + ":Boolean=true"})
public final class FileDriver implements BlockDriver {

    /** Service property naming the format (not yet a core constant). */
    static final String FORMAT_PROPERTY = "tessera.block.format";
    /** Service property telling a protocol driver (not yet a core constant). */
    static final String PROTOCOL_PROPERTY = "tessera.block.protocol";

    static final String FORMAT = "file";
    private static final String PREFIX = "file:";
    private static final Set<String> OPTIONS = Set.of("node-name", "cache.direct", "cache.no-flush", "create", "exclusive",
            CreationAttributes.NOCOW, CreationAttributes.EXTENT_SIZE_HINT);
    private static final System.Logger LOG = System.getLogger(FileDriver.class.getName());
    /** Where QEMU's file driver locks a byte per permission it holds, and per permission it does not share. */
    private static final long[] QEMU_LOCK_BYTES = {100, 200};
    private static final long QEMU_LOCK_LENGTH = 64;
    private static final AtomicInteger NODES = new AtomicInteger();

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public boolean isProtocol() {
        return true;
    }

    @Override
    public int probe(byte[] header, String filename) {
        if (filename == null) {
            return 0;
        }
        if (filename.startsWith(PREFIX)) {
            return 100;
        }
        // A URL scheme (nbd://, http:) is another protocol's; a Windows drive letter is not a scheme.
        int colon = filename.indexOf(':');
        int slash = filename.indexOf('/');
        boolean scheme = colon > 1 && (slash < 0 || colon < slash) && filename.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*");
        return scheme ? 0 : 1;
    }

    @Override
    public BlockNode open(BlockOpenRequest request) throws IOException {
        Map<String, String> options = request.options();
        BlockOptions.requireKnown("the file driver", options, OPTIONS);
        if (bool(options, "cache.direct")) {
            throw new IllegalArgumentException("cache.direct=on is not supported by the file driver (no O_DIRECT in Java for unaligned buffers)");
        }
        boolean noFlush = bool(options, "cache.no-flush");
        String filename = request.filename();
        String pathName = filename.startsWith(PREFIX) ? filename.substring(PREFIX.length()) : filename;
        if (pathName.isEmpty()) {
            throw new IllegalArgumentException("the file driver needs a filename");
        }
        Path path;
        try {
            path = Path.of(pathName);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + pathName + "' is not a valid file name: " + e.getReason(), e);
        }
        if (Files.isDirectory(path)) {
            // qemu-img's words; a directory is no image.
            throw new IOException("Could not open '" + pathName + "': 'file' driver requires '" + pathName + "' to be a regular file");
        }
        boolean create = bool(options, "create");
        if (create && request.readOnly()) {
            throw new IllegalArgumentException("create=on needs a read-write node ('" + pathName + "')");
        }
        CreationAttributes attributes = CreationAttributes.of(options);
        if (!create && (options.containsKey(CreationAttributes.NOCOW) || options.containsKey(CreationAttributes.EXTENT_SIZE_HINT))) {
            throw new IllegalArgumentException("nocow and extent_size_hint apply when a file is created (create=on), not to '" + pathName + "'");
        }
        boolean exclusive = bool(options, "exclusive");
        if (exclusive && request.readOnly()) {
            throw new IllegalArgumentException("exclusive=on needs a read-write node ('" + pathName + "')");
        }
        Set<OpenOption> openOptions = request.readOnly()
                ? Set.of(StandardOpenOption.READ)
                : create ? Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)
                : Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel channel;
        try {
            channel = FileChannel.open(path, openOptions);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(pathName, null, create ? "Could not create '" + pathName + "': No such file or directory"
                    : "No such file or directory");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(pathName, null, "cannot open image " + (request.readOnly() ? "for reading" : "read-write")
                    + ": permission denied" + (request.readOnly() ? "" : " (open it read-only?)"));
        } catch (IOException e) {
            throw new IOException("cannot open image '" + pathName + "': " + e.getMessage(), e);
        } catch (UnsupportedOperationException e) {
            throw new IOException("cannot open image '" + pathName + "': " + e.getMessage(), e);
        }
        String nodeName = options.getOrDefault("node-name", "#file" + NODES.getAndIncrement());
        if (create) {
            attributes.applyTo(pathName).ifPresent(why -> LOG.log(System.Logger.Level.WARNING, "Failed to set extent size hint: " + why));
        }
        try {
            if (exclusive) {
                lockExclusively(channel, pathName);
            }
            return new FileNode(nodeName, pathName, channel, request.readOnly(), noFlush);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Takes QEMU's lock bytes exclusively; the locks go with the channel when it closes. */
    private static void lockExclusively(FileChannel channel, String pathName) throws IOException {
        for (long start : QEMU_LOCK_BYTES) {
            FileLock lock;
            try {
                lock = channel.tryLock(start, QEMU_LOCK_LENGTH, false);
            } catch (OverlappingFileLockException e) {
                lock = null; // held through another channel of this process
            }
            if (lock == null) {
                throw new IOException("'" + pathName + "' is in use: another process (a running QEMU, qemu-img or qemu-io?) holds"
                        + " a lock on it; close it first");
            }
        }
    }

    private static boolean bool(Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null) {
            return false;
        }
        return switch (value) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException("option " + key + " must be on or off, not '" + value + "'");
        };
    }
}
