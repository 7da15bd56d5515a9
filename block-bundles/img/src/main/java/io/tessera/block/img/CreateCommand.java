package io.tessera.block.img;

import io.tessera.core.block.BlockCreateRequest;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code create}: a new image of a format, as qemu-img creates it (a size from the backing file when none is given). */
final class CreateCommand {

    private final BlockGraph graph;
    private final PrintStream out;

    CreateCommand(BlockGraph graph, PrintStream out) {
        this.graph = graph;
        this.out = out;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("f", "o", "b", "F"), ImgMain.list("q", "u"));
        List<String> pos = o.positional();
        if (pos.isEmpty() || pos.size() > 2) {
            throw new Options.UsageException("create takes FILE [SIZE]");
        }
        String format = o.get("f", "raw");
        Map<String, String> options = new LinkedHashMap<>(o.keyValues("o"));
        if (o.has("b")) {
            options.put("backing_file", o.get("b", ""));
        }
        if (o.has("F")) {
            options.put("backing_fmt", o.get("F", ""));
        }
        long size = -1;
        if (pos.size() == 2) {
            size = Sizes.parse("size", pos.get(1));
        } else if (options.containsKey("size")) {
            size = Sizes.parse("size", options.get("size"));
        }
        if (options.containsKey("backing_file")) {
            long backingSize = checkBacking(pos.get(0), options, o.has("u"));
            size = size < 0 ? backingSize : size;
        }
        if (size < 0) {
            throw new Options.UsageException("create needs a SIZE (or a backing file to take it from)");
        }
        options.remove("size");
        if (!o.has("q")) {
            // qemu-img shows the size as given, before rounding it up to whole sectors.
            Map<String, String> shown = new LinkedHashMap<>(options);
            shown.put("size", Long.toString(size));
            FormattingLine.of(pos.get(0), format, shown).ifPresent(out::println);
        }
        size = (size + 511) & ~511L;
        create(graph, pos.get(0), format, size, options);
        return 0;
    }

    /**
     * Checks the backing file as qemu-img 7.2 does before it creates anything: its format must be
     * given (a probed one is named in the refusal), and unless {@code unsafe} (-u) it must open.
     *
     * @return the backing file's size, or -1 where it was not opened
     */
    private long checkBacking(String filename, Map<String, String> options, boolean unsafe) throws IOException {
        String name = options.get("backing_file");
        String format = options.get("backing_fmt");
        if (format == null && unsafe) {
            throw new IOException(filename + ": Backing file specified without backing format");
        }
        if (unsafe) {
            return -1;
        }
        String backing = InfoCommand.fullBacking(filename, name);
        try (BlockNode node = graph.open(backing, format == null ? "" : format, true)) {
            if (format == null) {
                throw new IOException(filename + ": Backing file specified without backing format\nDetected format of " + node.format() + ".");
            }
            return node.size();
        } catch (IOException e) {
            if (format == null && e.getMessage().startsWith(filename + ": Backing file specified")) {
                throw e;
            }
            String reason = e instanceof java.nio.file.NoSuchFileException ? "No such file or directory" : e.getMessage();
            throw new IOException(filename + ": Could not open '" + name + "': " + reason + "\nCould not open backing image.", e);
        }
    }

    /** The file protocol's creation options, which qemu-img takes beside every format's. */
    static final List<String> PROTOCOL_OPTIONS = List.of("nocow", "extent_size_hint");

    /** Creates (or truncates) the file and writes an empty image of the format into it. */
    static void create(BlockGraph graph, String filename, String format, long size, Map<String, String> options) throws IOException {
        BlockDriver driver = graph.formatDriver(format);
        boolean existed = Files.exists(Path.of(filename));
        Map<String, String> fileOptions = new LinkedHashMap<>();
        fileOptions.put("create", "on");
        Map<String, String> formatOptions = new LinkedHashMap<>(options);
        for (String name : PROTOCOL_OPTIONS) {
            String value = formatOptions.remove(name);
            if (value != null) {
                fileOptions.put(name, value);
            }
        }
        BlockNode created;
        try {
            created = graph.protocol().open(new BlockOpenRequest(filename, null, false, fileOptions));
        } catch (IllegalArgumentException e) {
            // qemu-img names the file a refused creation option was for.
            throw new IllegalArgumentException(filename + ": " + e.getMessage(), e);
        }
        try (BlockNode file = created) {
            // A format may read its backing file (vmdk records the parent's content id) or make data files (vmdk extents).
            driver.create(new BlockCreateRequest(filename, file, size, formatOptions, graph.opener()));
        } catch (IOException | RuntimeException e) {
            // qemu-img refuses bad options before it makes a file: leave no empty file behind either.
            // (A creation option the file protocol refused made no file at all.)
            if (!existed && Files.exists(Path.of(filename)) && Files.size(Path.of(filename)) == 0) {
                Files.deleteIfExists(Path.of(filename));
            }
            throw e;
        }
    }
}
