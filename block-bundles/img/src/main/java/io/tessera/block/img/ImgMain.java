package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;

/**
 * {@code run/tessera img}: qemu-img's verbs over Tessera's block drivers, with qemu-img's
 * options, output and exit statuses (0 success, 1 failure; check and compare have their own).
 */
public final class ImgMain {

    static final String USAGE = """
            usage: tessera img COMMAND [OPTIONS]

              info [-f FMT] [--output=human|json] FILE
              create [-q] -f FMT [-o OPTIONS] [-b BACKING [-F BACKING_FMT]] FILE [SIZE]
              convert [-p] [-q] [-n] [-c] [-f FMT] [-O OUTPUT_FMT] [-o OPTIONS] [-B BACKING -F BACKING_FMT] [-S SPARSE_SIZE] [-l SNAPSHOT_PARAM] IN OUT
              convert --in-place [-p] [-q] [-f FMT] [-O qcow2|qed] FILE
              check [-q] [-f FMT] [--output=human|json] [-r leaks|all] FILE
              map [-f FMT] [--output=human|json] FILE
              compare [-q] [-s] [-f FMT] [-F FMT] FILE1 FILE2
              amend [-q] [-f FMT] -o OPTIONS FILE
              bitmap (--merge SOURCE | --add | --remove | --clear | --enable | --disable)... [-b SOURCE_FILE [-F SOURCE_FMT]]
                     [-g GRANULARITY] [-f FMT] FILE BITMAP
              snapshot [-q] [-l | -a SNAPSHOT | -c SNAPSHOT | -d SNAPSHOT] FILE
              resize [-q] [-f FMT] [--shrink] [--preallocation=off|metadata|falloc|full] FILE [+|-]SIZE
              commit [-q] [-f FMT] [-b BASE] [-d] [-p] FILE
              rebase [-q] [-f FMT] [-u] [-p] -b NEW_BACKING [-F NEW_BACKING_FMT] FILE
              measure [--output=human|json] [-O FMT] [-o OPTIONS] (--size SIZE | [-f FMT] FILE)

            Formats: %s. Sizes take the suffixes k, M, G, T (powers of 1024).
            """;

    private ImgMain() {
    }

    public static void main(String[] args) {
        ToolExit.exit(run(List.of(args), System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        BlockGraph graph = Drivers.graph();
        if (args.isEmpty() || args.get(0).equals("-h") || args.get(0).equals("--help") || args.get(0).equals("help")) {
            (args.isEmpty() ? err : out).print(USAGE.formatted(graph.formats()));
            return args.isEmpty() ? 1 : 0;
        }
        String verb = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (verb) {
                case "info" -> new InfoCommand(graph, out).run(rest);
                case "create" -> new CreateCommand(graph, out).run(rest);
                case "convert" -> new ConvertCommand(graph, out).run(rest);
                case "check" -> new CheckCommand(graph, out, err).run(rest);
                case "map" -> new MapCommand(graph, out).run(rest);
                case "compare" -> new CompareCommand(graph, out, err).run(rest);
                case "snapshot" -> new SnapshotCommand(graph, out).run(rest);
                case "bitmap" -> new BitmapCommand(graph).run(rest);
                case "amend" -> new AmendCommand(graph).run(rest);
                case "resize" -> new ResizeCommand(graph, out, err).run(rest);
                case "commit" -> new CommitCommand(graph, out).run(rest);
                case "rebase" -> new RebaseCommand(graph, out).run(rest);
                case "measure" -> new MeasureCommand(graph, out).run(rest);
                default -> {
                    err.println("tessera img: command '" + verb + "' is not known; commands: amend, bitmap, check, commit, compare, convert, create, info, map, measure, rebase, resize, snapshot");
                    yield 1;
                }
            };
        } catch (Options.UsageException | IllegalArgumentException | UnsupportedOperationException e) {
            err.println("tessera img: " + e.getMessage());
            return verb.equals("compare") ? 2 : 1;
        } catch (NoSuchFileException e) {
            // qemu-img names the file twice, once for the image and once for its file protocol.
            String reason = e.getReason() != null ? e.getReason() : "No such file or directory";
            err.println(reason.startsWith("Could not create") ? "tessera img: " + e.getFile() + ": " + reason
                    : "tessera img: Could not open '" + e.getFile() + "': Could not open '" + e.getFile() + "': " + reason);
            return verb.equals("compare") ? 2 : 1;
        } catch (IOException e) {
            err.println("tessera img: " + e.getMessage());
            return verb.equals("compare") ? 2 : 1;
        } catch (RuntimeException e) {
            // A driver bug, not the user's doing: one line naming it, not a trace.
            err.println("tessera img: internal error: " + e);
            return verb.equals("compare") ? 2 : 1;
        }
    }

    /** @return the one positional argument a verb takes, or a usage error */
    static String onlyFile(Options o, String verb) throws Options.UsageException {
        if (o.positional().size() != 1) {
            throw new Options.UsageException(verb + " takes one image file, not " + (o.positional().isEmpty() ? "none" : o.positional()));
        }
        return o.positional().get(0);
    }

    static List<String> list(String... s) {
        return Arrays.asList(s);
    }
}
