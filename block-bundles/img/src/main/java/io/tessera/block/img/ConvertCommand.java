package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
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
        Options o = new Options(args, ImgMain.list("f", "O", "o", "S", "t", "T", "m", "B", "F", "l"),
                ImgMain.list("p", "q", "n", "c", "U", "W", "in-place"));
        if (o.has("in-place")) {
            return inPlace(o);
        }
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
        Progress progress = new Progress(out, o.has("p") && !o.has("q"));
        Map<String, String> createOptions = new java.util.LinkedHashMap<>(o.keyValues("o"));
        // -B: the target gets a backing file and only what the source holds above its own backing chain.
        boolean targetHasBacking = o.has("B") || createOptions.containsKey("backing_file");
        if (o.has("F") && !targetHasBacking) {
            throw new Options.UsageException("Backing format cannot be used without backing file");
        }
        if (o.has("B")) {
            if (!o.has("F") && !createOptions.containsKey("backing_fmt")) {
                throw new Options.UsageException("Use of backing file requires explicit backing format");
            }
            createOptions.put("backing_file", o.get("B", ""));
            if (o.has("F")) {
                createOptions.put("backing_fmt", o.get("F", ""));
            }
        }
        try (BlockNode in = graph.open(source, o.get("f", ""), true, Map.of())) {
            if (o.has("l")) {
                SnapshotCommand.loadForConvert(in, o.get("l", ""));
            }
            long size = in.size();
            if (!existing) {
                CreateCommand.create(graph, target, format, (size + 511) & ~511L, createOptions);
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
                copy(in, outNode, size, sparse, existing || targetHasBacking, compress, cluster, progress, targetHasBacking);
                outNode.flush();
            }
        }
        progress.end();
        return 0;
    }

    /** {@code --in-place [-f FMT] [-O FMT] FILE}: only the formats' metadata is rewritten (see {@link InPlaceConversion}). */
    private int inPlace(Options o) throws Options.UsageException, IOException {
        if (o.positional().size() != 1) {
            throw new Options.UsageException("convert --in-place takes one image file, not " + o.positional());
        }
        for (String other : List.of("n", "c", "o", "S", "B", "F", "l")) {
            if (o.has(other)) {
                throw new Options.UsageException("-" + other + " cannot be used with --in-place (only -f, -O, -p and -q can)");
            }
        }
        Progress progress = new Progress(out, o.has("p") && !o.has("q"));
        new InPlaceConversion(graph, file -> file).convert(o.positional().get(0), o.get("f", ""), o.get("O", ""));
        progress.end();
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

    /**
     * Copies the source's ranges in order: a reader thread ({@link ReadAhead}) finds each range's
     * kind and reads the data ones ahead, while this thread writes, so that reading the source
     * and writing the target overlap as qemu-img's parallel requests make them overlap.
     *
     * @param zeroTarget whether zero ranges must be written as zeroes (the target exists, or has a backing file that would show through)
     * @param skipBacking whether ranges the source takes from its backing chain are left to the target's backing file
     */
    private void copy(BlockNode in, BlockNode target, long size, long sparse, boolean zeroTarget, boolean compress, long cluster, Progress progress,
            boolean skipBacking) throws IOException {
        boolean existing = zeroTarget;
        // Past the end of the target's backing file its unallocated clusters read as zeroes already (qemu-img's post_backing_zero).
        long targetBackingSize = target.backing().isPresent() ? target.backing().get().size() : -1;
        ReadAhead.Planner planner = at -> plan(in, at, size, skipBacking, targetBackingSize, compress, cluster, sparse);
        try (ReadAhead pieces = new ReadAhead(in, size, CHUNK, planner)) {
            for (ReadAhead.Piece p = pieces.next(); p != null; p = pieces.next()) {
                switch (p.kind()) {
                    case SKIP -> { }
                    case ZERO -> {
                        if (existing) {
                            target.writeZeroes(p.at(), p.length());
                        }
                    }
                    case DATA -> writeSparse(target, p, sparse, existing);
                    case COMPRESS -> writeCompressed(target, p, cluster, existing);
                }
                pieces.done(p);
                progress.update(p.end(), size);
            }
        }
        progress.update(size, size); // ranges skipped at the end count as done
    }

    /** What the copy does with the source's range at {@code at}: its length and kind, from the source's block status. */
    private static ReadAhead.Piece plan(BlockNode in, long at, long size, boolean skipBacking, long targetBackingSize, boolean compress,
            long cluster, long sparse) throws IOException {
        BlockStatus s = in.blockStatus(at, Math.min(size - at, CHUNK - (at % CHUNK)));
        long n = s.length();
        if (skipBacking && at < targetBackingSize && at + n > targetBackingSize) {
            n = targetBackingSize - at;
        }
        if (skipBacking && (inSourceBacking(s) || s.zero() && !s.data() && targetBackingSize >= 0 && at >= targetBackingSize)) {
            // qemu-img convert -B: the target's backing file is taken to hold what the source's backing chain holds.
            return ReadAhead.Piece.of(at, n, ReadAhead.Kind.SKIP);
        }
        if (compress) {
            // Compressed clusters are written whole: extents are rounded to the target's clusters.
            boolean zero = s.zero() && !s.data() && n >= cluster;
            n = zero ? n / cluster * cluster : Math.min(size - at, Math.min(CHUNK, (n + cluster - 1) / cluster * cluster));
            return zero ? ReadAhead.Piece.of(at, n, ReadAhead.Kind.ZERO) : ReadAhead.Piece.scanned(at, n, ReadAhead.Kind.COMPRESS, cluster);
        }
        return s.zero() && !s.data() ? ReadAhead.Piece.of(at, n, ReadAhead.Kind.ZERO) : ReadAhead.Piece.scanned(at, n, ReadAhead.Kind.DATA, sparse);
    }

    /**
     * Whether a range comes from below the source's top layer, as QEMU's block status above the
     * source's backing file tells: zeroes past the end of that backing file (depth 1, not
     * allocated) belong to the top layer.
     */
    static boolean inSourceBacking(BlockStatus s) {
        return s.depth() >= 1 && (s.allocated() || s.depth() > 1);
    }

    /** Writes the range, leaving out (or with -n zeroing) the {@code sparse}-sized blocks the reader found to hold only zeroes. */
    private static void writeSparse(BlockNode target, ReadAhead.Piece piece, long sparse, boolean existing) throws IOException {
        ByteBuffer chunk = piece.data();
        long at = piece.at();
        int length = chunk.remaining();
        if (sparse == 0) {
            target.write(at, chunk);
            return;
        }
        // Runs of data blocks are written, runs of zero blocks left out (or with -n zeroed in one request, so whole clusters become zero clusters).
        int runStart = 0;
        boolean runZero = false;
        int index = 0;
        for (int block = 0; block < length; block += (int) sparse, index++) {
            boolean zero = piece.zeroBlock(index);
            if (block > runStart && zero != runZero) {
                flushRun(target, at, chunk, runStart, block, runZero, existing);
                runStart = block;
            }
            runZero = zero;
        }
        flushRun(target, at, chunk, runStart, length, runZero, existing);
    }

    private static void flushRun(BlockNode target, long at, ByteBuffer chunk, int from, int to, boolean zero, boolean existing) throws IOException {
        if (to <= from) {
            return;
        }
        if (!zero) {
            target.write(at + from, chunk.slice(from, to - from));
        } else if (existing) {
            target.writeZeroes(at + from, to - from);
        }
    }

    /** Writes each cluster compressed; clusters of zeroes are left out, or zeroed when the target has something below them. */
    private static void writeCompressed(BlockNode target, ReadAhead.Piece piece, long cluster, boolean existing) throws IOException {
        ByteBuffer chunk = piece.data();
        long at = piece.at();
        int length = chunk.remaining();
        int index = 0;
        for (int c = 0; c < length; c += (int) cluster, index++) {
            int end = (int) Math.min(length, c + cluster);
            if (!piece.zeroBlock(index)) {
                target.writeCompressed(at + c, chunk.slice(c, end - c));
            } else if (existing) {
                target.writeZeroes(at + c, end - c);
            }
        }
    }

    static boolean isZero(MemorySegment segment, long from, long to) {
        return firstNonZero(segment, from, to) < 0;
    }

    /** Bytes compared with zeroes at a time: the same 64 KiB of zeroes stay in the CPU's cache. */
    private static final int ZERO_STEP = 64 << 10;

    /**
     * @return the offset (from {@code from}) of the first byte in {@code [from, to)} that is not
     *     zero, or -1. Compared in steps of {@value #ZERO_STEP} bytes against the start of the
     *     zero array: comparing a 4 MiB range against all 4 MiB of it streamed twice the memory
     *     (1 GiB took 0.6-3 s that way, against 0.1-0.5 s in 4 KiB steps, on this machine).
     */
    static long firstNonZero(MemorySegment segment, long from, long to) {
        for (long at = from; at < to; at += ZERO_STEP) {
            long n = Math.min(ZERO_STEP, to - at);
            long diff = MemorySegment.mismatch(segment, at, at + n, ZEROES, 0, n);
            if (diff >= 0) {
                return at - from + diff;
            }
        }
        return -1;
    }
}
