package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code run/tessera io}: qemu-io for Tessera's drivers, for tests and debugging. Runs each
 * {@code -c} command in order, or reads commands from standard input when none is given. The
 * exit status is 1 when a command failed (a read whose pattern did not match included), as
 * qemu-io's.
 *
 * <p>Commands: {@code read [-P PATTERN] [-q] OFFSET LENGTH}, {@code write [-P PATTERN] [-z] [-c] [-q] OFFSET LENGTH},
 * {@code discard [-q] OFFSET LENGTH}, {@code map}, {@code flush}, {@code help}, {@code quit}.
 */
public final class IoMain {

    private final BlockNode node;
    private final PrintStream out;
    private final PrintStream err;

    private IoMain(BlockNode node, PrintStream out, PrintStream err) {
        this.node = node;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        ToolExit.exit(run(List.of(args), System.out, System.err, System.in));
    }

    static int run(List<String> args, PrintStream out, PrintStream err, java.io.InputStream in) {
        BlockGraph graph = Drivers.graph();
        Options o;
        try {
            o = new Options(args, ImgMain.list("f", "c", "t"), ImgMain.list("r", "U", "n"));
        } catch (Options.UsageException e) {
            err.println("tessera io: " + e.getMessage());
            return 1;
        }
        if (o.positional().size() != 1) {
            err.println("usage: tessera io [-f FMT] [-r] [-c COMMAND]... FILE");
            return 1;
        }
        String file = o.positional().get(0);
        try (BlockNode node = graph.open(file, o.get("f", ""), o.has("r"), Map.of())) {
            IoMain io = new IoMain(node, out, err);
            boolean failed = false;
            if (o.has("c")) {
                for (String command : o.all("c")) {
                    failed |= !io.execute(command);
                }
            } else {
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                while (true) {
                    out.print("tessera-io> ");
                    out.flush();
                    String line = reader.readLine();
                    if (line == null || line.trim().equals("quit") || line.trim().equals("q")) {
                        break;
                    }
                    if (!line.isBlank()) {
                        failed |= !io.execute(line);
                    }
                }
            }
            return failed ? 1 : 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("tessera io: can't open device " + file + ": " + e.getMessage());
            return 1;
        }
    }

    /** @return whether the command succeeded */
    boolean execute(String line) {
        List<String> words = new ArrayList<>(Arrays.asList(line.trim().split("\\s+")));
        String verb = words.remove(0);
        try {
            return switch (verb) {
                case "read" -> read(words);
                case "write" -> write(words);
                case "discard" -> discard(words);
                case "map" -> map();
                case "flush" -> {
                    node.flush();
                    yield true;
                }
                case "help" -> {
                    out.println("read [-P pattern] [-q] off len | write [-P pattern] [-z] [-c] [-q] off len | discard [-q] off len | map | flush | quit");
                    yield true;
                }
                default -> {
                    err.println("command \"" + verb + "\" not found");
                    yield false;
                }
            };
        } catch (Options.UsageException | IllegalArgumentException | UnsupportedOperationException e) {
            err.println(verb + ": " + e.getMessage());
            return false;
        } catch (IOException e) {
            err.println(verb + " failed: " + e.getMessage());
            return false;
        }
    }

    private long[] range(Options o, String verb) throws Options.UsageException {
        if (o.positional().size() != 2) {
            throw new Options.UsageException(verb + " takes OFFSET LENGTH");
        }
        long offset = Sizes.parse("offset", o.positional().get(0));
        long length = Sizes.parse("length", o.positional().get(1));
        if (offset + length > node.size()) {
            throw new Options.UsageException("offset " + offset + " plus length " + length + " is past the end of the disk (" + node.size() + " bytes)");
        }
        return new long[] {offset, length};
    }

    private boolean read(List<String> words) throws Options.UsageException, IOException {
        Options o = new Options(words, ImgMain.list("P"), ImgMain.list("q", "v"));
        long[] r = range(o, "read");
        long start = System.nanoTime();
        boolean ok = true;
        int pattern = o.has("P") ? (int) Long.decode(o.get("P", "0")).longValue() & 0xff : -1;
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(r[1], ConvertCommand.CHUNK));
        for (long done = 0; done < r[1]; ) {
            int n = (int) Math.min(buffer.capacity(), r[1] - done);
            buffer.clear().limit(n);
            node.read(r[0] + done, buffer);
            if (pattern >= 0 && ok) {
                for (int i = 0; i < n; i++) {
                    if ((buffer.get(i) & 0xff) != pattern) {
                        out.println("Pattern verification failed at offset " + (r[0] + done + i) + ", " + (r[1] - done - i) + " bytes");
                        ok = false;
                        break;
                    }
                }
            }
            done += n;
        }
        report(o, "read", r, start);
        return ok;
    }

    private boolean write(List<String> words) throws Options.UsageException, IOException {
        Options o = new Options(words, ImgMain.list("P"), ImgMain.list("q", "z", "c", "u"));
        long[] r = range(o, "write");
        long start = System.nanoTime();
        if (o.has("z")) {
            node.writeZeroes(r[0], r[1], o.has("u"));
        } else {
            byte pattern = (byte) (o.has("P") ? Long.decode(o.get("P", "0")).longValue() : 0xcd);
            byte[] data = new byte[(int) Math.min(r[1], ConvertCommand.CHUNK)];
            Arrays.fill(data, pattern);
            for (long done = 0; done < r[1]; ) {
                int n = (int) Math.min(data.length, r[1] - done);
                if (o.has("c")) {
                    node.writeCompressed(r[0] + done, ByteBuffer.wrap(data, 0, n));
                } else {
                    node.write(r[0] + done, ByteBuffer.wrap(data, 0, n));
                }
                done += n;
            }
        }
        report(o, "wrote", r, start);
        return true;
    }

    private boolean discard(List<String> words) throws Options.UsageException, IOException {
        Options o = new Options(words, ImgMain.list(), ImgMain.list("q"));
        long[] r = range(o, "discard");
        long start = System.nanoTime();
        node.discard(r[0], r[1]);
        report(o, "discard", r, start);
        return true;
    }

    private void report(Options o, String what, long[] r, long start) {
        if (o.has("q")) {
            return;
        }
        double seconds = Math.max((System.nanoTime() - start) / 1e9, 1e-9);
        out.println(what + " " + r[1] + "/" + r[1] + " bytes at offset " + r[0]);
        out.printf(Locale.ROOT, "%s, 1 ops; %05.2f sec (%s/sec and %.4f ops/sec)%n", Sizes.io(r[1]), seconds, Sizes.io(r[1] / seconds), 1 / seconds);
    }

    /** Which ranges this layer allocates (data or zero markers), as qemu-io's map prints them. */
    private boolean map() throws IOException {
        long at = 0;
        while (at < node.size()) {
            BlockStatus s = node.blockStatus(at, node.size() - at);
            boolean allocated = s.depth() == 0 && s.allocated();
            long length = s.length();
            while (at + length < node.size()) {
                BlockStatus next = node.blockStatus(at + length, node.size() - at - length);
                if ((next.depth() == 0 && next.allocated()) != allocated) {
                    break;
                }
                length += next.length();
            }
            out.println(Sizes.io(length) + " (0x" + Long.toHexString(length) + ") bytes " + (allocated ? "    allocated" : "not allocated")
                    + " at offset " + Sizes.io(at) + " (0x" + Long.toHexString(at) + ")");
            at += length;
        }
        return true;
    }
}
