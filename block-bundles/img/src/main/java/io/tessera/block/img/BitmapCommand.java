package io.tessera.block.img;

import io.tessera.core.block.BlockDirtyBitmaps;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * {@code bitmap (--merge SOURCE | --add | --remove | --clear | --enable | --disable)...
 * [-b SOURCE_FILE [-F SOURCE_FMT]] [-g GRANULARITY] [-f FMT] FILE BITMAP}: qemu-img 7.2's
 * persistent bitmap verbs, applied in the order given ({@code --add --disable} adds a disabled
 * bitmap), with its checks and messages.
 */
final class BitmapCommand {

    private static final List<String> ACTIONS = List.of("add", "remove", "clear", "enable", "disable", "merge");

    private final BlockGraph graph;

    BitmapCommand(BlockGraph graph) {
        this.graph = graph;
    }

    private record Action(String verb, String source) {
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        List<Action> actions = new ArrayList<>();
        List<String> positional = new ArrayList<>();
        String format = "";
        String granularity = null;
        String sourceFile = null;
        String sourceFormat = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--") && ACTIONS.contains(a.substring(2).split("=", 2)[0])) {
                String verb = a.substring(2).split("=", 2)[0];
                String source = null;
                if (verb.equals("merge")) {
                    source = a.contains("=") ? a.substring(a.indexOf('=') + 1) : value(args, ++i, a);
                }
                actions.add(new Action(verb, source));
            } else if (a.equals("-f") || a.equals("-g") || a.equals("-b") || a.equals("-F")) {
                String v = value(args, ++i, a);
                switch (a) {
                    case "-f" -> format = v;
                    case "-g" -> granularity = v;
                    case "-b" -> sourceFile = v;
                    default -> sourceFormat = v;
                }
            } else if (a.startsWith("-") && a.length() > 1) {
                throw new Options.UsageException("unrecognized option '" + a + "'");
            } else {
                positional.add(a);
            }
        }
        if (actions.isEmpty()) {
            throw new Options.UsageException("Need at least one of --add, --remove, --clear, --enable, --disable, or --merge");
        }
        if (granularity != null && actions.stream().noneMatch(x -> x.verb.equals("add"))) {
            throw new Options.UsageException("granularity only supported with --add");
        }
        if (sourceFile != null && actions.stream().noneMatch(x -> x.verb.equals("merge"))) {
            throw new Options.UsageException("Merge bitmap source file only supported with --merge");
        }
        if (sourceFormat != null && sourceFile == null) {
            throw new Options.UsageException("-F only supported with -b");
        }
        if (positional.size() != 2) {
            throw new Options.UsageException("Expecting filename and bitmap name");
        }
        long bytesPerBit = granularity == null ? 0 : Sizes.parse("granularity", granularity);
        String name = positional.get(1);
        try (BlockNode node = graph.open(positional.get(0), format, false, Map.of())) {
            for (Action action : actions) {
                try {
                    BlockDirtyBitmaps bitmaps = node.dirtyBitmaps().orElseThrow(() -> new UnsupportedOperationException(
                            "Can't store persistent bitmaps to " + node.nodeName() + ": Operation not supported"));
                    switch (action.verb) {
                        case "add" -> bitmaps.add(name, bytesPerBit != 0 ? bytesPerBit : defaultGranularity(node), true);
                        case "remove" -> bitmaps.remove(name);
                        case "clear" -> bitmaps.clear(name);
                        case "enable" -> bitmaps.setEnabled(name, true);
                        case "disable" -> bitmaps.setEnabled(name, false);
                        default -> merge(bitmaps, name, action.source, sourceFile, sourceFormat);
                    }
                } catch (IOException | NoSuchElementException | IllegalArgumentException | UnsupportedOperationException e) {
                    throw new IOException("Operation " + action.verb + " on bitmap " + name + " failed: " + e.getMessage(), e);
                }
            }
        }
        return 0;
    }

    private static String value(List<String> args, int i, String option) throws Options.UsageException {
        if (i >= args.size()) {
            throw new Options.UsageException("option '" + option + "' requires an argument");
        }
        return args.get(i);
    }

    /** QEMU's default: the cluster size, kept within 4 KiB and 64 KiB. */
    private static long defaultGranularity(BlockNode node) throws IOException {
        long cluster = node.imageInfo().clusterSize();
        return cluster <= 0 ? 65536 : Math.min(65536, Math.max(4096, cluster));
    }

    private void merge(BlockDirtyBitmaps bitmaps, String target, String source, String sourceFile, String sourceFormat)
            throws IOException {
        if (sourceFile == null) {
            bitmaps.merge(target, granularityOf(bitmaps, source), bitmaps.bits(source));
            return;
        }
        try (BlockNode other = graph.open(sourceFile, sourceFormat == null ? "" : sourceFormat, true, Map.of())) {
            BlockDirtyBitmaps from = other.dirtyBitmaps().orElseThrow(() -> new NoSuchElementException("Dirty bitmap '" + source + "' not found"));
            bitmaps.merge(target, granularityOf(from, source), from.bits(source));
        }
    }

    private static long granularityOf(BlockDirtyBitmaps bitmaps, String name) throws IOException {
        Optional<BlockDirtyBitmaps.Info> info = bitmaps.list().stream().filter(b -> b.name().equals(name)).findFirst();
        return info.orElseThrow(() -> new NoSuchElementException("Dirty bitmap '" + name + "' not found")).granularity();
    }
}
