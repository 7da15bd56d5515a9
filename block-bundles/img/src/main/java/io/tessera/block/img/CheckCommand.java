package io.tessera.block.img;

import io.tessera.core.block.BlockCheckResult;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockRepair;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code check}: the format's consistency check, printed as qemu-img prints it. Exit status 0
 * clean, 2 errors left, 3 only leaks left, 63 when the format has no check, 1 when the check
 * could not run.
 */
final class CheckCommand {

    private final BlockGraph graph;
    private final PrintStream out;
    private final PrintStream err;

    CheckCommand(BlockGraph graph, PrintStream out, PrintStream err) {
        this.graph = graph;
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("f", "output", "r", "T"), ImgMain.list("q", "U"));
        String file = ImgMain.onlyFile(o, "check");
        String output = o.get("output", "human");
        if (!output.equals("human") && !output.equals("json")) {
            throw new Options.UsageException("--output must be human or json, not '" + output + "'");
        }
        BlockRepair repair = switch (o.get("r", "")) {
            case "" -> BlockRepair.NONE;
            case "leaks" -> BlockRepair.LEAKS;
            case "all" -> BlockRepair.ALL;
            default -> throw new Options.UsageException("-r must be leaks or all, not '" + o.get("r", "") + "'");
        };
        boolean quiet = o.has("q");
        try (BlockNode node = graph.open(file, o.get("f", ""), repair == BlockRepair.NONE, Map.of())) {
            Optional<BlockCheckResult> checked = node.check(repair);
            if (checked.isEmpty()) {
                err.println("tessera img: This image format does not support checks");
                return 63;
            }
            BlockCheckResult r = checked.get();
            if (output.equals("json")) {
                out.println(Json.write(json(file, node.format(), r)));
            } else if (!quiet) {
                human(r);
            } else {
                r.messages().forEach(err::println);
            }
            if (r.corruptions() > 0) {
                return 2;
            }
            return r.leaks() > 0 ? 3 : 0;
        }
    }

    private static Map<String, Object> json(String file, String format, BlockCheckResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (r.imageEndOffset() >= 0) {
            m.put("image-end-offset", r.imageEndOffset());
        }
        // qemu-img prints its dictionary in hash order: compressed-clusters, corruptions and
        // fragmented-clusters fall where they do here (seen with qemu-img 7.2).
        putIfNonZero(m, "compressed-clusters", r.compressedClusters());
        m.put("total-clusters", r.totalClusters());
        putIfNonZero(m, "corruptions", r.corruptions());
        m.put("check-errors", r.checkErrors());
        putIfNonZero(m, "leaks", r.leaks());
        putIfNonZero(m, "leaks-fixed", r.leaksFixed());
        putIfNonZero(m, "corruptions-fixed", r.corruptionsFixed());
        putIfNonZero(m, "allocated-clusters", r.allocatedClusters());
        m.put("filename", file);
        m.put("format", format);
        putIfNonZero(m, "fragmented-clusters", r.fragmentedClusters());
        return m;
    }

    private static void putIfNonZero(Map<String, Object> m, String key, long value) {
        if (value > 0) {
            m.put(key, value);
        }
    }

    private void human(BlockCheckResult r) {
        r.messages().forEach(err::println);
        if (r.corruptions() == 0 && r.leaks() == 0 && r.checkErrors() == 0) {
            if (r.corruptionsFixed() + r.leaksFixed() > 0) {
                out.println("The following inconsistencies were found and repaired:\n");
                out.println("    " + r.leaksFixed() + " leaked clusters");
                out.println("    " + r.corruptionsFixed() + " corruptions\n");
                out.println("Double checking the fixed image now...");
            }
            out.println("No errors were found on the image.");
        }
        if (r.corruptions() > 0) {
            out.println("\n" + r.corruptions() + " errors were found on the image.");
            out.println("Data may be corrupted, or further writes to the image may corrupt it.");
        }
        if (r.leaks() > 0) {
            out.println("\n" + r.leaks() + " leaked clusters were found on the image.");
            out.println("This means waste of disk space, but no harm to data.");
        }
        if (r.totalClusters() > 0 && r.allocatedClusters() > 0) {
            double total = r.totalClusters();
            out.printf(Locale.ROOT, "%d/%d = %.2f%% allocated, %.2f%% fragmented, %.2f%% compressed clusters%n", r.allocatedClusters(),
                    r.totalClusters(), r.allocatedClusters() * 100 / total,
                    r.allocatedClusters() == 0 ? 0.0 : r.fragmentedClusters() * 100.0 / r.allocatedClusters(),
                    r.allocatedClusters() == 0 ? 0.0 : r.compressedClusters() * 100.0 / r.allocatedClusters());
        }
        if (r.imageEndOffset() >= 0) {
            out.println("Image end offset: " + r.imageEndOffset());
        }
    }
}
