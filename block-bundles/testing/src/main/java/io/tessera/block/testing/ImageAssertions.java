package io.tessera.block.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockStatus;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the format drivers' read tests check of an image against qemu-img. */
public final class ImageAssertions {

    private ImageAssertions() {
    }

    /**
     * Opens {@code image} by probing, and checks that it probes as {@code format}, has the size
     * and every byte that {@code qemu-img convert -O raw} gives, and that its block status
     * covers the disk without gaps, with ranges it calls zero reading as zeroes.
     *
     * @param dir where the reference raw image is written
     */
    public static void assertReadsAsQemu(BlockGraph graph, Path image, String format, Path dir) throws Exception {
        Path reference = dir.resolve("reference-" + image.getFileName() + ".raw");
        QemuImg.img("convert", "-f", format, "-O", "raw", image.toString(), reference.toString());
        byte[] expected = Files.readAllBytes(reference);
        try (BlockNode node = graph.open(image.toString(), "", true)) {
            assertEquals(format, node.format(), "probed format");
            assertEquals(expected.length, node.size(), "virtual size");
            ByteBuffer actual = ByteBuffer.allocate(expected.length);
            // Odd-sized reads cross cluster, grain and extent boundaries.
            int step = 777_777;
            for (int at = 0; at < expected.length; at += step) {
                ByteBuffer part = actual.slice(at, Math.min(step, expected.length - at));
                assertEquals(part.remaining(), node.read(at, part));
            }
            assertArrayEquals(expected, actual.array(), "contents of " + image.getFileName());
            long at = 0;
            while (at < node.size()) {
                BlockStatus s = node.blockStatus(at, node.size() - at);
                assertEquals(at, s.offset());
                if (s.zero()) {
                    for (long i = s.offset(); i < s.end(); i++) {
                        assertEquals(0, expected[(int) i], "byte " + i + " in a zero extent");
                    }
                }
                at = s.end();
            }
        }
    }
}
