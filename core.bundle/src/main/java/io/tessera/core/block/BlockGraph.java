package io.tessera.core.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Opens images as QEMU's {@code -drive file=...,format=...} does: the protocol node, then the
 * format node on it, the format named or else probed (the highest {@link BlockDriver#probe}
 * score among format drivers over the first {@value #PROBE_BYTES} bytes, raw when none
 * scores), and through the {@link BackingOpener} it hands to format drivers, their backing
 * chains. A chain that names a file already in it, or is deeper than
 * {@value #MAX_CHAIN_DEPTH}, is refused.
 *
 * <p>Immutable and thread-safe; the drivers are copied when it is made.
 */
public final class BlockGraph {

    /** How many leading bytes of an image the format probes see. */
    public static final int PROBE_BYTES = 2048;
    /** The prefix of options that go to the protocol node, as {@code file.cache.no-flush}. */
    public static final String FILE_PREFIX = "file.";
    /** The deepest backing chain opened (QEMU has no limit but its stack; a loop must end). */
    public static final int MAX_CHAIN_DEPTH = 256;

    private final BlockDriver protocol;
    private final List<BlockDriver> drivers;

    /**
     * @param protocol the protocol driver images are read through (usually {@code file})
     * @param drivers every installed driver, format drivers among them
     */
    public BlockGraph(BlockDriver protocol, Collection<BlockDriver> drivers) {
        this.protocol = protocol;
        this.drivers = List.copyOf(drivers);
    }

    /** @return the drivers this graph chooses among, in the order given */
    public List<BlockDriver> drivers() {
        return drivers;
    }

    /** @return the protocol driver images are opened with */
    public BlockDriver protocol() {
        return protocol;
    }

    /**
     * Opens an image and its backing chain.
     *
     * @param filename the image
     * @param format the format's name, or empty (or {@code null}) to probe
     * @param readOnly whether to open read-only (backing files are always read-only)
     * @param options options for the format driver, and with the prefix {@value #FILE_PREFIX}
     *        for the protocol node below it
     * @return the format node, owning its file node and backing chain
     * @throws IOException if the image or a backing file cannot be opened or is malformed
     * @throws IllegalArgumentException if the format is unknown
     */
    public BlockNode open(String filename, String format, boolean readOnly, Map<String, String> options) throws IOException {
        return open(filename, format, readOnly, options, List.of());
    }

    /**
     * Opens an image and its backing chain with no driver options.
     *
     * @param filename the image
     * @param format the format's name, or empty (or {@code null}) to probe
     * @param readOnly whether to open read-only
     * @return the format node
     * @throws IOException if the image cannot be opened or is malformed
     */
    public BlockNode open(String filename, String format, boolean readOnly) throws IOException {
        return open(filename, format, readOnly, Map.of());
    }

    /**
     * The format driver of a name.
     *
     * @param format a format's name such as {@code qcow2}
     * @return its driver
     * @throws IllegalArgumentException naming the installed formats if none has that name
     */
    public BlockDriver formatDriver(String format) {
        return drivers.stream().filter(d -> !d.isProtocol() && d.format().equals(format)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown format '" + format + "'; installed formats: " + formats()));
    }

    /**
     * Picks the format of an open protocol node from its first bytes.
     *
     * @param file the protocol node
     * @param filename its name, for drivers that look at an extension
     * @return the best-scoring format driver, raw when none scores
     * @throws IOException if the header cannot be read
     */
    public BlockDriver probe(BlockNode file, String filename) throws IOException {
        ByteBuffer header = ByteBuffer.allocate((int) Math.min(PROBE_BYTES, file.size()));
        file.read(0, header);
        byte[] bytes = Arrays.copyOf(header.array(), header.position());
        BlockDriver best = null;
        int bestScore = 0;
        for (BlockDriver driver : drivers) {
            if (driver.isProtocol()) {
                continue;
            }
            int score;
            try {
                score = driver.probe(bytes.clone(), filename);
            } catch (RuntimeException e) {
                score = 0; // a probe must not throw; a broken driver is not chosen
            }
            if (score > bestScore) {
                best = driver;
                bestScore = score;
            }
        }
        return best != null ? best : formatDriver("raw");
    }

    /** @return the installed format names, sorted and comma-separated */
    public String formats() {
        String list = drivers.stream().filter(d -> !d.isProtocol()).map(BlockDriver::format).sorted().collect(Collectors.joining(", "));
        return list.isEmpty() ? "none" : list;
    }

    private BlockNode open(String filename, String format, boolean readOnly, Map<String, String> options, List<String> above)
            throws IOException {
        String identity = identity(filename);
        if (above.contains(identity)) {
            throw new BlockFormatException("backing chain loops: '" + filename + "' is its own backing file (chain: "
                    + String.join(" -> ", above) + " -> " + identity + ")");
        }
        if (above.size() >= MAX_CHAIN_DEPTH) {
            throw new BlockFormatException("backing chain deeper than " + MAX_CHAIN_DEPTH + " images at '" + filename + "'");
        }
        List<String> chain = new ArrayList<>(above);
        chain.add(identity);
        List<String> frozen = List.copyOf(chain);
        // As in QEMU's -blockdev, options named file.X belong to the protocol node below.
        Map<String, String> fileOptions = new LinkedHashMap<>();
        Map<String, String> formatOptions = new LinkedHashMap<>();
        options.forEach((key, value) -> (key.startsWith(FILE_PREFIX) ? fileOptions : formatOptions)
                .put(key.startsWith(FILE_PREFIX) ? key.substring(FILE_PREFIX.length()) : key, value));
        BlockNode file = protocol.open(new BlockOpenRequest(filename, null, readOnly, fileOptions));
        try {
            BlockDriver driver = format == null || format.isEmpty() ? probe(file, filename) : formatDriver(format);
            BackingOpener backing = opener(frozen);
            return driver.open(new BlockOpenRequest(filename, file, readOnly, formatOptions, backing));
        } catch (IOException | RuntimeException e) {
            try {
                file.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * Resolves a backing (or data) file name an image stores, as QEMU does: relative names are
     * relative to the image's directory; absolute names and URLs stay as they are.
     *
     * @param image the image's file name
     * @param name the name stored in it
     * @return the name to open
     * @throws BlockFormatException if the name is not a valid path
     */
    public static String resolveRelative(String image, String name) throws BlockFormatException {
        try {
            if (name.contains("://") || Path.of(name).isAbsolute()) {
                return name;
            }
            Path base = Path.of(image.startsWith("file:") ? image.substring(5) : image).getParent();
            return base == null ? name : base.resolve(name).toString();
        } catch (InvalidPathException e) {
            throw new BlockFormatException("'" + image + "' names an invalid file '" + name + "': " + e.getReason());
        }
    }

    /**
     * Resolves a file that belongs to an image (a VMDK extent) against
     * the image's directory, refusing a name that could reach outside it: an absolute path, a
     * {@code ..} step, a URL, a backslash or a NUL byte. Unlike a backing file, such a file is
     * written through the image, so a hostile image must not be able to point it anywhere.
     *
     * @param image the image's name
     * @param name the file name the image records
     * @param what what the file is, for the message ("extent file", "external data file")
     * @return the resolved name
     * @throws BlockFormatException if the name leaves the image's directory or is not a valid path
     * @since 1.4
     */
    public static String resolveConfined(String image, String name, String what) throws BlockFormatException {
        try {
            Path relative = Path.of(name);
            if (name.isEmpty() || relative.isAbsolute() || name.contains("://") || relative.normalize().startsWith("..")
                    || name.contains("\\") || name.indexOf(0) >= 0) {
                throw new BlockFormatException("'" + image + "' names " + what + " '" + name + "' outside its own directory;"
                        + " it must be a relative name without '..'");
            }
            Path base = Path.of(image.startsWith("file:") ? image.substring(5) : image).toAbsolutePath().getParent();
            return base == null ? name : base.resolve(relative).normalize().toString();
        } catch (InvalidPathException e) {
            throw new BlockFormatException("'" + image + "' names an invalid file '" + name + "': " + e.getReason());
        }
    }

    /**
     * Closes nodes a node owns after its own final step failed or not, keeping the first failure
     * and adding the others to it as suppressed.
     *
     * @param failure the failure so far, or {@code null}
     * @param nodes the nodes to close; {@code null} entries are skipped
     * @throws IOException the first failure, if any
     */
    public static void closeAll(IOException failure, BlockNode... nodes) throws IOException {
        for (BlockNode n : nodes) {
            if (n == null) {
                continue;
            }
            try {
                n.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * The opener handed to format drivers opening or creating an image: backing files join the
     * chain (and are refused if they loop), data files are plain protocol nodes; creating one
     * needs a protocol that takes the option {@code create=on}, as the file protocol does.
     *
     * @return an opener for an image opened or created outside any chain
     * @since 1.2
     */
    public BackingOpener opener() {
        return opener(List.of());
    }

    private BackingOpener opener(List<String> chain) {
        return new BackingOpener() {
            @Override
            public BlockNode open(String backingName, String backingFormat) throws IOException {
                return BlockGraph.this.open(backingName, backingFormat, true, Map.of(), chain);
            }

            @Override
            public BlockNode openDataFile(String filename, boolean readOnly, boolean create) throws IOException {
                return protocol.open(new BlockOpenRequest(filename, null, readOnly, create ? Map.of("create", "on") : Map.of()));
            }
        };
    }

    /** The name a file is known by in a chain: its real path when it has one, so links and ../ cannot hide a loop. */
    private static String identity(String filename) {
        try {
            Path path = Path.of(filename.startsWith("file:") ? filename.substring(5) : filename);
            return Files.exists(path) ? path.toRealPath().toString() : path.toAbsolutePath().normalize().toString();
        } catch (InvalidPathException | IOException | SecurityException e) {
            return filename;
        }
    }
}
