package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * {@code rebase [-q] [-f FMT] [-u] -b NEW_BACKING [-F FMT] FILE}: gives an image another backing
 * file. In safe mode (the default), every range the image does not hold and where the old and
 * the new backing chains read differently (compared sector by sector) is first written into
 * the image with the old chain's bytes, so that the image reads the same afterwards; then the
 * header names the new backing file. {@code -u} changes only the header. {@code -b ""} makes
 * the image standalone. A relative new name is relative to the image's directory, as in
 * qemu-img 7.2.
 *
 * <p>Crash-safe by order: the copied ranges read the same before and after the header change,
 * and the header changes last.
 */
final class RebaseCommand {

    private static final int SECTOR = 512;

    private final BlockGraph graph;
    private final java.io.PrintStream out;

    RebaseCommand(BlockGraph graph, java.io.PrintStream out) {
        this.graph = graph;
        this.out = out;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("f", "b", "F", "t", "T", "object"), ImgMain.list("q", "u", "p", "c", "U", "image-opts"));
        String filename = ImgMain.onlyFile(o, "rebase");
        boolean unsafe = o.has("u");
        Progress progress = new Progress(out, o.has("p") && !o.has("q"));
        if (!unsafe && !o.has("b")) {
            throw new Options.UsageException("Must specify backing file (-b) or use unsafe mode (-u)");
        }
        String backing = o.get("b", "");
        String backingFormat = o.has("F") ? o.get("F", "") : null;
        if (backingFormat != null) {
            graph.formatDriver(backingFormat); // an unknown format is refused before anything changes
        }
        try (BlockNode image = graph.open(filename, o.get("f", ""), false, Map.of())) {
            if (!unsafe) {
                BlockNode newBacking = backing.isEmpty() ? null : openNewBacking(filename, backing, backingFormat);
                try {
                    requireFormat(backing, backingFormat);
                    copyDifferences(image, newBacking, progress);
                    image.flush();
                } finally {
                    if (newBacking != null) {
                        newBacking.close();
                    }
                }
            }
            requireFormat(backing, backingFormat);
            try {
                image.changeBackingFile(backing.isEmpty() ? null : backing, backing.isEmpty() ? null : backingFormat);
            } catch (UnsupportedOperationException e) {
                throw new IOException("Could not change the backing file to '" + backing + "': " + e.getMessage(), e);
            }
            image.flush();
        }
        progress.end();
        return 0;
    }

    private BlockNode openNewBacking(String image, String backing, String format) throws IOException {
        try {
            return graph.open(InfoCommand.fullBacking(image, backing), format == null ? "" : format, true, Map.of());
        } catch (IOException e) {
            throw new IOException("Could not open new backing file '" + backing + "': " + e.getMessage(), e);
        }
    }

    /** qemu-img 7.2 writes no backing file without its format (probing it later would be unsafe). */
    private static void requireFormat(String backing, String format) throws IOException {
        if (!backing.isEmpty() && format == null) {
            throw new IOException("Could not change the backing file to '" + backing + "': backing format must be specified");
        }
    }

    /**
     * Writes into {@code image} the old chain's bytes wherever the image holds nothing and the new
     * chain reads otherwise, as qemu-img 7.2: runs of differing sectors are written as data (zero
     * data too) where the old backing file reaches, and as write-zeroes past its end.
     */
    static void copyDifferences(BlockNode image, BlockNode newBacking, Progress progress) throws IOException {
        ByteBuffer old = ByteBuffer.allocateDirect(ConvertCommand.CHUNK);
        ByteBuffer fresh = ByteBuffer.allocateDirect(ConvertCommand.CHUNK);
        MemorySegment oldBytes = MemorySegment.ofBuffer(old);
        MemorySegment freshBytes = MemorySegment.ofBuffer(fresh);
        long size = image.size();
        long newSize = newBacking == null ? 0 : newBacking.size();
        long oldSize = image.backing().isPresent() ? image.backing().get().size() : 0;
        for (long at = 0; at < size; ) {
            BlockStatus s = image.blockStatus(at, Math.min(size - at, ConvertCommand.CHUNK));
            int n = (int) s.length();
            if (s.depth() == 0 && s.allocated()) {
                at += n;
                continue;
            }
            boolean pastOldEnd = at >= oldSize;
            if (!pastOldEnd) {
                n = (int) Math.min(n, oldSize - at);
            }
            // What the image reads here is the old chain's view (zeroes past its end); known zeroes need no reading.
            boolean oldZero = s.zero() && !s.data();
            boolean freshZero = knownZero(newBacking, at, n);
            if (oldZero && freshZero) {
                at += n;
                continue;
            }
            old.clear().limit(n);
            if (oldZero) {
                oldBytes.asSlice(0, n).fill((byte) 0);
            } else {
                image.read(at, old);
            }
            int filled = 0;
            if (!freshZero) {
                fresh.clear().limit((int) Math.min(n, newSize - at));
                filled = newBacking.read(at, fresh);
            }
            freshBytes.asSlice(filled, n - filled).fill((byte) 0);
            writeDiffering(image, at, old, oldBytes, freshBytes, n, pastOldEnd);
            at += n;
            progress.update(at, size);
        }
        progress.update(size, size); // ranges skipped at the end count as done
    }

    /** Whether {@code node} reads zeroes over all of {@code [at, at + n)} by its block status (zeroes past its end, or with no node). */
    private static boolean knownZero(BlockNode node, long at, int n) throws IOException {
        if (node == null) {
            return true;
        }
        long end = Math.min(at + n, node.size());
        for (long p = at; p < end; ) {
            BlockStatus s = node.blockStatus(p, end - p);
            if (!s.zero() || s.data()) {
                return false;
            }
            p = s.end();
        }
        return true;
    }

    /** Writes the runs of sectors where the two buffers differ, as write-zeroes past the old backing file's end. */
    private static void writeDiffering(BlockNode image, long at, ByteBuffer old, MemorySegment oldBytes, MemorySegment freshBytes, int n,
            boolean pastOldEnd) throws IOException {
        int runStart = -1;
        for (int sector = 0; sector < n; sector += SECTOR) {
            int end = Math.min(n, sector + SECTOR);
            boolean differs = MemorySegment.mismatch(oldBytes, sector, end, freshBytes, sector, end) >= 0;
            if (differs && runStart < 0) {
                runStart = sector;
            } else if (!differs && runStart >= 0) {
                writeOld(image, at, old, runStart, sector, pastOldEnd);
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            writeOld(image, at, old, runStart, n, pastOldEnd);
        }
    }

    private static void writeOld(BlockNode image, long at, ByteBuffer old, int from, int to, boolean pastOldEnd) throws IOException {
        if (pastOldEnd) {
            image.writeZeroes(at + from, to - from);
        } else {
            image.write(at + from, old.slice(from, to - from));
        }
    }
}
