package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code compare}: whether two images read the same. Exit status 0 identical, 1 different, 2
 * on an error. Without {@code -s} the larger image may differ in size when its extra part reads
 * as zeroes, as with qemu-img.
 */
final class CompareCommand {

    /**
     * Bytes read from each image per step: 1 MiB, so that the two buffers are still in the CPU's
     * cache when they are compared right after the reads.
     */
    private static final int CHUNK = 1 << 20;

    private final BlockGraph graph;
    private final PrintStream out;
    private final PrintStream err;

    CompareCommand(BlockGraph graph, PrintStream out, PrintStream err) {
        this.graph = graph;
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("f", "F", "T"), ImgMain.list("q", "s", "p", "U"));
        if (o.positional().size() != 2) {
            throw new Options.UsageException("compare takes two image files");
        }
        boolean quiet = o.has("q");
        try (BlockNode a = graph.open(o.positional().get(0), o.get("f", ""), true, Map.of());
                BlockNode b = graph.open(o.positional().get(1), o.get("F", o.get("f", "")), true, Map.of());
                ExecutorService helper = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("compare-read").factory())) {
            long common = Math.min(a.size(), b.size());
            if (a.size() != b.size()) {
                if (o.has("s")) {
                    if (!quiet) {
                        out.println("Strict mode: Image size mismatch!");
                    }
                    return 1;
                }
                if (!quiet) {
                    err.println("Warning: Image size mismatch!");
                }
            }
            ByteBuffer x = ByteBuffer.allocateDirect(CHUNK);
            ByteBuffer y = ByteBuffer.allocateDirect(CHUNK);
            MemorySegment xs = MemorySegment.ofBuffer(x);
            MemorySegment ys = MemorySegment.ofBuffer(y);
            for (long at = 0; at < common; ) {
                // Ranges both images know to read as zeroes need no reading, as in qemu-img.
                BlockStatus sa = a.blockStatus(at, common - at);
                BlockStatus sb = b.blockStatus(at, common - at);
                long same = Math.min(sa.length(), sb.length());
                if (sa.zero() && sb.zero()) {
                    at += same;
                    continue;
                }
                int n = (int) Math.min(CHUNK, same);
                long diff;
                if (sa.zero() || sb.zero()) {
                    // One side is known to be zero: only the other needs reading, its two halves at the same time.
                    BlockNode data = sa.zero() ? b : a;
                    int half = n / 2 & ~511;
                    long from = at;
                    Future<Integer> second = helper.submit(() -> data.read(from + half, x.duplicate().clear().position(half).limit(n)));
                    data.read(at, x.clear().limit(half));
                    join(second);
                    x.clear().limit(n);
                    diff = ConvertCommand.firstNonZero(xs, 0, n);
                } else {
                    x.clear().limit(n);
                    y.clear().limit(n);
                    // The two images are read at the same time, the second on the helper thread.
                    long from = at;
                    Future<Integer> other = helper.submit(() -> b.read(from, y));
                    a.read(at, x);
                    join(other);
                    diff = MemorySegment.mismatch(xs, 0, n, ys, 0, n);
                }
                if (diff >= 0) {
                    return mismatch(quiet, at + (diff & ~511L));
                }
                at += n;
            }
            BlockNode longer = a.size() > b.size() ? a : b;
            for (long at = common; at < longer.size(); at += CHUNK) {
                int n = (int) Math.min(CHUNK, longer.size() - at);
                x.clear().limit(n);
                longer.read(at, x);
                long diff = ConvertCommand.firstNonZero(xs, 0, n);
                if (diff >= 0) {
                    return mismatch(quiet, at + (diff & ~511L));
                }
            }
        }
        if (!quiet) {
            out.println("Images are identical.");
        }
        return 0;
    }

    /** Waits for the helper's read; its failure is the command's, as if read here. */
    private static void join(Future<Integer> read) throws IOException {
        try {
            read.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while comparing");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error error -> throw error;
                default -> throw new IOException(e.getCause().getMessage(), e.getCause());
            }
        }
    }

    private int mismatch(boolean quiet, long offset) {
        if (!quiet) {
            out.println("Content mismatch at offset " + offset + "!");
        }
        return 1;
    }
}
