package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockPreallocation;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * {@code commit [-q] [-f FMT] [-b BASE] [-d] [-p] FILE}: writes what the image and the layers above
 * {@code BASE} (its backing file by default) hold into {@code BASE}, as qemu-img 7.2's commit
 * job does: data ranges are copied, zeroed ranges are zeroed in the base, a base smaller than
 * the image grows to its size. Then the image is emptied so that it reads as the base below it,
 * unless {@code -d}; {@code -b} implies {@code -d} because the layers between are left stale.
 * Formats that cannot be emptied (QED, vmdk) keep their data, as in qemu-img. {@code -p} shows
 * the progress line over the disk's bytes (see {@link Progress}).
 *
 * <p>Crash-safe by order: the base's writes are durable before the image is emptied, and while
 * they are under way the image still holds every range over the base.
 */
final class CommitCommand {

    private final BlockGraph graph;
    private final PrintStream out;

    CommitCommand(BlockGraph graph, PrintStream out) {
        this.graph = graph;
        this.out = out;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("f", "b", "t", "r", "object"), ImgMain.list("q", "d", "p", "image-opts"));
        String filename = ImgMain.onlyFile(o, "commit");
        boolean drop = o.has("d") || o.has("b");
        Progress progress = new Progress(out, o.has("p") && !o.has("q"));
        try (BlockNode top = graph.open(filename, o.get("f", ""), drop, Map.of())) {
            BackingChain chain = new BackingChain(top, filename);
            if (chain.layers().size() < 2) {
                throw new IllegalArgumentException("Image does not have a backing file");
            }
            BackingChain.Layer base = o.has("b") ? chain.find(o.get("b", "")).orElseThrow(() -> new IllegalArgumentException(
                    "Did not find '" + o.get("b", "") + "' in the backing chain of '" + filename + "'")) : chain.layers().get(1);
            try (BlockNode target = graph.open(base.filename(), base.node().format(), false, Map.of())) {
                if (target.size() < top.size()) {
                    target.resize(top.size(), BlockPreallocation.OFF);
                }
                copyAbove(top, base.depth(), target, progress);
                target.flush();
            }
            if (!drop) {
                try {
                    top.makeEmpty();
                } catch (UnsupportedOperationException e) {
                    // qemu-img ignores ENOTSUP here: the image keeps its data, which reads the same as the base's now.
                }
            }
        }
        progress.end();
        if (!o.has("q")) {
            out.println("Image committed.");
        }
        return 0;
    }

    /** Copies every range that a layer above {@code baseDepth} holds (data, or zeroes) from {@code top} into {@code base}. */
    static void copyAbove(BlockNode top, int baseDepth, BlockNode base, Progress progress) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(ConvertCommand.CHUNK);
        long size = top.size();
        for (long at = 0; at < size; ) {
            BlockStatus s = top.blockStatus(at, Math.min(size - at, ConvertCommand.CHUNK));
            long n = s.length();
            if (s.depth() < baseDepth) {
                if (s.zero() && !s.data()) {
                    base.writeZeroes(at, n);
                } else {
                    buffer.clear().limit((int) n);
                    top.read(at, buffer);
                    buffer.flip();
                    base.write(at, buffer);
                }
            }
            at += n;
            progress.update(at, size);
        }
    }
}
