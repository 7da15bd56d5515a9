package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code map}: the image's extents, which layer of the chain holds each and where, as qemu-img map prints them. */
final class MapCommand {

    private final BlockGraph graph;
    private final PrintStream out;

    MapCommand(BlockGraph graph, PrintStream out) {
        this.graph = graph;
        this.out = out;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("f", "output", "s", "l"), ImgMain.list("U"));
        String file = ImgMain.onlyFile(o, "map");
        String output = o.get("output", "human");
        if (!output.equals("human") && !output.equals("json")) {
            throw new Options.UsageException("--output must be human or json, not '" + output + "'");
        }
        try (BlockNode node = graph.open(file, o.get("f", ""), true, Map.of())) {
            List<String> layers = layerNames(file, node);
            int last = layers.size() - 1;
            List<String> lines = new ArrayList<>();
            if (output.equals("human")) {
                out.printf("%-16s%-16s%-16s%s%n", "Offset", "Length", "Mapped to", "File");
            }
            long at = 0;
            BlockStatus pending = null;
            while (at < node.size()) {
                BlockStatus s = node.blockStatus(at, node.size() - at);
                if (pending != null && mergeable(pending, s) && sameFile(node, pending, s)) {
                    pending = new BlockStatus(pending.offset(), pending.length() + s.length(), pending.data(), pending.zero(), pending.depth(),
                            pending.hostOffset(), pending.allocated());
                } else {
                    if (pending != null) {
                        emit(pending, output, lines, fileAt(node, pending, layers), last);
                    }
                    pending = s;
                }
                at = s.end();
            }
            if (pending != null) {
                emit(pending, output, lines, fileAt(node, pending, layers), last);
            }
            if (output.equals("json")) {
                out.println("[" + String.join(",\n", lines) + "]");
            }
        }
        return 0;
    }

    private static boolean mergeable(BlockStatus a, BlockStatus b) {
        boolean sameHost = a.hasHostOffset() ? b.hasHostOffset() && b.hostOffset() == a.hostOffset() + a.length() : !b.hasHostOffset();
        return a.data() == b.data() && a.zero() == b.zero() && a.depth() == b.depth() && a.allocated() == b.allocated() && sameHost;
    }

    /** The layer at a status's depth, whose data it describes. */
    private static BlockNode layer(BlockNode node, int depth) {
        BlockNode layer = node;
        for (int i = 0; i < depth && layer.backing().isPresent(); i++) {
            layer = layer.backing().get();
        }
        return layer;
    }

    /** The layer names, with the status's layer replaced by the file holding its data where the format keeps several (vmdk extents). */
    private static List<String> fileAt(BlockNode node, BlockStatus s, List<String> layers) throws IOException {
        if (!s.data() || !s.hasHostOffset() || s.depth() >= layers.size()) {
            return layers;
        }
        java.util.Optional<String> file = layer(node, s.depth()).dataFilename(s.offset());
        if (file.isEmpty()) {
            return layers;
        }
        List<String> named = new ArrayList<>(layers);
        named.set(s.depth(), file.get());
        return named;
    }

    private static boolean sameFile(BlockNode node, BlockStatus a, BlockStatus b) throws IOException {
        if (!a.data() || !a.hasHostOffset() || a.depth() != b.depth()) {
            return true;
        }
        BlockNode layer = layer(node, a.depth());
        return layer.dataFilename(a.offset()).equals(layer.dataFilename(b.offset()));
    }

    private void emit(BlockStatus s, String output, List<String> lines, List<String> layers, int last) {
        // A range no layer holds is printed with the depth of the layer where the search stopped, as qemu-img does.
        boolean present = s.allocated();
        int depth = Math.min(present ? s.depth() : s.depth() - 1, last);
        if (output.equals("json")) {
            lines.add("{ \"start\": " + s.offset() + ", \"length\": " + s.length() + ", \"depth\": " + depth + ", \"present\": " + present
                    + ", \"zero\": " + s.zero() + ", \"data\": " + s.data() + (s.hasHostOffset() && present ? ", \"offset\": " + s.hostOffset() : "") + "}");
        } else if (s.data() && s.hasHostOffset() && present) {
            out.printf("%-16s%-16s%-16s%s%n", hex(s.offset()), hex(s.length()), hex(s.hostOffset()), layers.get(depth));
        }
    }

    /** C's {@code %#x}: no prefix for zero. */
    private static String hex(long value) {
        return value == 0 ? "0" : "0x" + Long.toHexString(value);
    }

    /** The file name of each layer of the chain, top first. */
    static List<String> layerNames(String file, BlockNode node) throws IOException {
        List<String> names = new ArrayList<>();
        String name = file;
        BlockNode layer = node;
        while (layer != null) {
            names.add(name);
            String backing = layer.imageInfo().backingFilename();
            BlockNode next = layer.backing().orElse(null);
            if (next != null && backing != null) {
                name = InfoCommand.fullBacking(name, backing);
            }
            layer = next;
        }
        return names;
    }
}
