package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockPreallocation;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code resize [-q] [-f FMT] [--shrink] [--preallocation=MODE] FILE [+|-]SIZE}: a new virtual
 * size, absolute or relative, with qemu-img's checks and messages. The size is the last
 * argument and is taken before the options are parsed, so that {@code -1G} is a size, as in
 * qemu-img.
 */
final class ResizeCommand {

    private final BlockGraph graph;
    private final PrintStream out;
    private final PrintStream err;

    ResizeCommand(BlockGraph graph, PrintStream out, PrintStream err) {
        this.graph = graph;
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        if (args.size() < 2) {
            throw new Options.UsageException("Not enough arguments: resize takes FILE [+|-]SIZE");
        }
        String sizeArg = args.get(args.size() - 1);
        Options o = new Options(args.subList(0, args.size() - 1), ImgMain.list("f", "preallocation", "object"),
                ImgMain.list("q", "shrink", "image-opts", "U"));
        String filename = ImgMain.onlyFile(o, "resize");
        BlockPreallocation preallocation = BlockPreallocation.parse(o.get("preallocation", "off"));
        int relative = sizeArg.startsWith("+") ? 1 : sizeArg.startsWith("-") ? -1 : 0;
        long amount = parseSize(relative != 0 ? sizeArg.substring(1) : sizeArg);
        try (BlockNode node = graph.open(filename, o.get("f", ""), false, Map.of())) {
            long current = node.size();
            long total = relative == 0 ? amount : current + relative * amount;
            if (total <= 0 || relative > 0 && total < current) {
                throw new IllegalArgumentException("New image size must be positive");
            }
            if (total < current && !o.has("shrink")) {
                err.println("tessera img: Use the --shrink option to perform a shrink operation.");
                err.println("tessera img: warning: Shrinking an image will delete all data beyond the shrunken image's end. "
                        + "Before performing such an operation, make sure there is no important data there.");
                return 1;
            }
            if (total < current && preallocation != BlockPreallocation.OFF) {
                throw new IllegalArgumentException("Preallocation can only be used for growing images");
            }
            node.resize(total, preallocation);
            node.flush();
        }
        if (!o.has("q")) {
            out.println("Image resized.");
        }
        return 0;
    }

    private static long parseSize(String text) {
        try {
            return Sizes.parse("size", text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Parameter 'size' expects a non-negative number below 2^63 "
                    + "(optional suffix k, M, G, T, P or E), not '" + text + "'");
        }
    }
}
