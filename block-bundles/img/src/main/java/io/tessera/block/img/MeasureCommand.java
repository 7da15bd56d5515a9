package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockMeasure;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code measure [--output=human|json] [-O FMT] [-o OPTIONS] (--size SIZE | [-f FMT] FILE)}: the
 * file size an image of the output format needs, for a disk size or for an image's contents,
 * as the output format's driver computes it (qemu-img's numbers for raw and qcow2).
 */
final class MeasureCommand {

    private final BlockGraph graph;
    private final PrintStream out;

    MeasureCommand(BlockGraph graph, PrintStream out) {
        this.graph = graph;
        this.out = out;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("f", "O", "o", "l", "output", "size", "object"), ImgMain.list("U", "image-opts"));
        String output = o.get("output", "human");
        if (!output.equals("human") && !output.equals("json")) {
            throw new Options.UsageException("--output must be human or json, not '" + output + "'");
        }
        if (o.has("size") && !o.positional().isEmpty()) {
            throw new Options.UsageException("--size N cannot be used together with a filename.");
        }
        if (!o.has("size") && o.positional().size() != 1) {
            throw new Options.UsageException("Either --size N or one filename must be specified.");
        }
        String format = o.get("O", "raw");
        var driver = graph.formatDriver(format);
        Map<String, String> options = o.keyValues("o");
        BlockMeasure m;
        if (o.has("size")) {
            long size;
            try {
                size = Sizes.parse("--size", o.get("size", ""));
            } catch (IllegalArgumentException e) {
                throw new Options.UsageException("Invalid image size specified: '" + o.get("size", "")
                        + "'. You may use k, M, G, T, P or E suffixes for kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
            }
            m = measure(driver, format, size, options, null);
        } else {
            try (BlockNode source = graph.open(o.positional().get(0), o.get("f", ""), true, Map.of())) {
                m = measure(driver, format, source.size(), options, source);
            }
        }
        if (output.equals("json")) {
            // qemu-img's order: bitmaps (when the formats can hold them), required, fully-allocated.
            Map<String, Object> json = new LinkedHashMap<>();
            m.bitmaps().ifPresent(b -> json.put("bitmaps", b));
            json.put("required", m.required());
            json.put("fully-allocated", m.fullyAllocated());
            out.println(Json.write(json));
        } else {
            out.println("required size: " + m.required());
            out.println("fully allocated size: " + m.fullyAllocated());
            m.bitmaps().ifPresent(b -> out.println("bitmaps size: " + b));
        }
        return 0;
    }

    private static BlockMeasure measure(io.tessera.core.block.BlockDriver driver, String format, long size, Map<String, String> options,
            BlockNode source) throws IOException {
        try {
            return driver.measure(size, options, source);
        } catch (UnsupportedOperationException e) {
            throw new UnsupportedOperationException("Block driver '" + format + "' does not support size measurement", e);
        }
    }
}
