package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code convert}: copies an image into a new one of any format. Ranges the source reports as
 * zero are skipped (or zeroed with {@code -n}); data is read in large chunks and, with
 * {@code -S}, blocks of that size that hold only zeroes are skipped too, so the target stays
 * sparse. {@code -c} stores the target's clusters compressed; {@code -l} reads an internal
 * snapshot of the source instead of its active disk.
 */
final class ConvertCommand {

    /** Bytes read and written per request: large enough to keep syscalls rare. */
    static final int CHUNK = 4 << 20;
    private static final MemorySegment ZEROES = MemorySegment.ofArray(new byte[CHUNK]);

    private final BlockGraph graph;
    private final PrintStream out;

    ConvertCommand(BlockGraph graph, PrintStream out) {
        this.graph = graph;
        this.out = out;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("f", "O", "o", "S", "t", "T", "m", "l"), ImgMain.list("p", "q", "n", "c", "U", "W"));
        if (o.positional().size() != 2) {
            throw new Options.UsageException("convert takes one source and one target file");
        }
        String source = o.positional().get(0);
        String target = o.positional().get(1);
        String format = o.get("O", "raw");
        long sparse = Sizes.parse("-S", o.get("S", "4k"));
        if (sparse != 0 && (sparse < 512 || sparse % 512 != 0 || sparse > CHUNK)) {
            throw new Options.UsageException("-S must be 0 or a multiple of 512 up to " + CHUNK + ", not " + sparse);
        }
        boolean existing = o.has("n");
        boolean compress = o.has("c");
        boolean progress = o.has("p") && !o.has("q");
        try (BlockNode in = graph.open(source, o.get("f", ""), true, Map.of())) {
            if (o.has("l")) {
                SnapshotCommand.loadForConvert(in, o.get("l", ""));
            }
            long size = in.size();
            if (!existing) {
                CreateCommand.create(graph, target, format, (size + 511) & ~511L, o.keyValues("o"));
            } else if (!o.keyValues("o").isEmpty()) {
                throw new Options.UsageException("-o cannot be used with -n (the target exists)");
            }
            try (BlockNode outNode = graph.open(target, format, false, cacheOptions(o.get("t", "unsafe")))) {
                if (outNode.size() < size) {
                    throw new IOException("the target '" + target + "' (" + outNode.size() + " bytes) is smaller than the source (" + size + " bytes)");
                }
                long cluster = Math.max(outNode.imageInfo().clusterSize(), 512);
                if (compress && CHUNK % cluster != 0) {
                    throw new Options.UsageException("-c needs a cluster size that divides " + CHUNK);
                }
                copy(in, outNode, size, sparse, existing, compress, cluster, progress);
                outNode.flush();
            }
        }
        if (progress) {
            out.print("    (100.00/100%)\n");
        }
        return 0;
    }

    /** qemu-img's -t for the target: 'unsafe', its default for convert, never flushes (a failed convert is redone, not recovered). */
    static Map<String, String> cacheOptions(String mode) throws Options.UsageException {
        return switch (mode) {
            case "unsafe" -> Map.of("file.cache.no-flush", "on");
            case "writeback", "writethrough" -> Map.of();
            default -> throw new Options.UsageException("-t must be unsafe, writeback or writethrough, not '" + mode + "'");
        };
    }

    private void copy(BlockNode in, BlockNode target, long size, long sparse, boolean existing, boolean compress, long cluster, boolean progress)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
        MemorySegment segment = MemorySegment.ofBuffer(buffer);
        long at = 0;
        int shown = -1;
        while (at < size) {
            BlockStatus s = in.blockStatus(at, Math.min(size - at, CHUNK - (at % CHUNK)));
            long n = s.length();
            if (compress) {
                // Compressed clusters are written whole: extents are rounded to the target's clusters.
                boolean zero = s.zero() && !s.data() && n >= cluster;
                n = zero ? n / cluster * cluster : Math.min(size - at, Math.min(CHUNK, (n + cluster - 1) / cluster * cluster));
                if (!zero) {
                    buffer.clear().limit((int) n);
                    in.read(at, buffer);
                    buffer.flip();
                    writeCompressed(target, at, buffer, segment, cluster);
                }
            } else if (s.zero() && !s.data()) {
                if (existing) {
                    target.writeZeroes(at, n);
                }
            } else {
                buffer.clear().limit((int) n);
                in.read(at, buffer);
                buffer.flip();
                writeSparse(target, at, buffer, segment, sparse, existing);
            }
            at += n;
            if (progress) {
                int percent = (int) (at * 10000 / Math.max(size, 1));
                if (percent != shown) {
                    shown = percent;
                    out.printf(Locale.ROOT, "    (%.2f/100%%)\r", percent / 100.0);
                    out.flush();
                }
            }
        }
    }

    /** Writes the chunk, leaving out (or with -n zeroing) the {@code sparse}-sized blocks that hold only zeroes. */
    private static void writeSparse(BlockNode target, long at, ByteBuffer chunk, MemorySegment segment, long sparse, boolean existing)
            throws IOException {
        int length = chunk.remaining();
        if (sparse == 0) {
            target.write(at, chunk);
            return;
        }
        int runStart = -1;
        for (int block = 0; block < length; block += (int) sparse) {
            int end = (int) Math.min(length, block + sparse);
            boolean zero = isZero(segment, block, end);
            if (!zero && runStart < 0) {
                runStart = block;
            } else if (zero) {
                if (runStart >= 0) {
                    target.write(at + runStart, chunk.slice(runStart, block - runStart));
                    runStart = -1;
                }
                if (existing) {
                    target.writeZeroes(at + block, end - block);
                }
            }
        }
        if (runStart >= 0) {
            target.write(at + runStart, chunk.slice(runStart, length - runStart));
        }
    }

    private static void writeCompressed(BlockNode target, long at, ByteBuffer chunk, MemorySegment segment, long cluster) throws IOException {
        int length = chunk.remaining();
        for (int c = 0; c < length; c += (int) cluster) {
            int end = (int) Math.min(length, c + cluster);
            if (!isZero(segment, c, end)) {
                target.writeCompressed(at + c, chunk.slice(c, end - c));
            }
        }
    }

    /** @return {@value #CHUNK} zero bytes to compare with */
    static MemorySegment zeroes() {
        return ZEROES;
    }

    static boolean isZero(MemorySegment segment, long from, long to) {
        return MemorySegment.mismatch(segment, from, to, ZEROES, 0, to - from) < 0;
    }
}
