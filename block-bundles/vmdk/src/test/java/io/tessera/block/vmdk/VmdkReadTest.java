package io.tessera.block.vmdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.block.raw.RawDriver;
import io.tessera.block.testing.ImageAssertions;
import io.tessera.block.testing.QemuImg;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockStatus;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images qemu-img and qemu-io create, read by the vmdk driver: every byte must equal what
 * {@code qemu-img convert -O raw} reads, and block status must agree with the data.
 */
class VmdkReadTest {

    static final BlockGraph GRAPH = new BlockGraph(new FileDriver(), List.of(new FileDriver(), new RawDriver(), new VmdkDriver()));

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    /** A mix qemu-io writes: data, zeroes over data, partial grains, the last bytes. */
    static final String[] MIX = {
        "write -P 0x11 0 1M", "write -P 0x22 3M 200k", "write -z 3100k 64k", "write -P 0x33 5000000 4000",
        "write -P 0x44 7M 1M", "write -z 7300k 300k", "write -P 0x55 8388096 512",
    };

    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat", "streamOptimized"})
    void readsEverySubformatQemuWrites(String subformat) throws Exception {
        Path image = dir.resolve("mix.vmdk");
        if (subformat.equals("streamOptimized")) {
            // qemu-io cannot rewrite a stream-optimized image; convert a written one instead.
            Path source = dir.resolve("source.vmdk");
            QemuImg.img("create", "-q", "-f", "vmdk", source.toString(), "9M");
            QemuImg.io("vmdk", source, MIX);
            QemuImg.img("convert", "-f", "vmdk", "-O", "vmdk", "-o", "subformat=streamOptimized", source.toString(), image.toString());
        } else {
            QemuImg.img("create", "-q", "-f", "vmdk", "-o", "subformat=" + subformat, image.toString(), "9M");
            QemuImg.io("vmdk", image, MIX);
        }
        ImageAssertions.assertReadsAsQemu(GRAPH, image, "vmdk", dir);
    }

    @Test
    void readsZeroedGrainEntriesAndARandomStream() throws Exception {
        Path image = dir.resolve("zeroed.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", "-o", "zeroed_grain=on", image.toString(), "8M");
        QemuImg.io("vmdk", image, "write -P 0x77 0 2M", "write -z 512k 1M", "write -z 4M 64k");
        ImageAssertions.assertReadsAsQemu(GRAPH, image, "vmdk", dir);
        Path random = dir.resolve("random.raw");
        byte[] noise = new byte[3 << 20];
        new java.util.Random(6).nextBytes(noise);
        Files.write(random, noise);
        Path stream = dir.resolve("random-stream.vmdk");
        // Random grains do not shrink: the stream stores them larger than they are.
        QemuImg.img("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", random.toString(), stream.toString());
        ImageAssertions.assertReadsAsQemu(GRAPH, stream, "vmdk", dir);
    }

    /**
     * VMware's stream layout, which qemu-img does not write: the header's gdOffset says "at the
     * end", and a footer (marker, header copy with the real gdOffset, end-of-stream marker) ends
     * the file. Made from a qemu-img stream by moving its gdOffset into such a footer.
     */
    @Test
    void readsAStreamWhoseDirectoryIsInTheFooter() throws Exception {
        Path source = dir.resolve("source.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", source.toString(), "4M");
        QemuImg.io("vmdk", source, "write -P 0x61 0 100k", "write -P 0x62 3M 64k");
        Path stream = dir.resolve("vmware.vmdk");
        QemuImg.img("convert", "-f", "vmdk", "-O", "vmdk", "-o", "subformat=streamOptimized", source.toString(), stream.toString());
        byte[] header = java.util.Arrays.copyOf(Files.readAllBytes(stream), 512);
        ByteBuffer tail = ByteBuffer.allocate(3 * 512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        tail.putLong(0, 1).putInt(12, StreamMarkers.FOOTER).put(512, header).putInt(2 * 512 + 12, StreamMarkers.END_OF_STREAM);
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(stream, java.nio.file.StandardOpenOption.WRITE)) {
            long end = (c.size() + 511) / 512 * 512;
            c.write(tail.clear(), end);
            c.write(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, -1L), 56);
        }
        Path reference = dir.resolve("expected.raw");
        QemuImg.img("convert", "-f", "vmdk", "-O", "raw", source.toString(), reference.toString());
        byte[] expected = Files.readAllBytes(reference);
        try (BlockNode node = GRAPH.open(stream.toString(), "vmdk", true)) {
            ByteBuffer actual = ByteBuffer.allocate(expected.length);
            node.read(0, actual);
            assertArrayEquals(expected, actual.array());
        }
        // And QEMU reads the same from it, so the made-up layout is the real one.
        ImageAssertions.assertReadsAsQemu(GRAPH, stream, "vmdk", dir);
    }

    /** Data in extent files of their own is mapped to those files, with offsets within them, as qemu-img map shows it. */
    @Test
    void mapsDataToTheExtentFileHoldingIt() throws Exception {
        Path image = dir.resolve("split.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse", image.toString(), "5G");
        QemuImg.io("vmdk", image, "write -P 1 2047M 2M", "write -P 2 4G 64k");
        String expected = QemuImg.img("map", "-f", "vmdk", image.toString());
        try (BlockNode node = GRAPH.open(image.toString(), "vmdk", true)) {
            StringBuilder actual = new StringBuilder(String.format("%-16s%-16s%-16s%s%n", "Offset", "Length", "Mapped to", "File"));
            for (long at = 0; at < node.size(); ) {
                BlockStatus s = node.blockStatus(at, node.size() - at);
                if (s.data()) {
                    actual.append(String.format("%-16s%-16s%-16s%s%n", "0x" + Long.toHexString(s.offset()), "0x" + Long.toHexString(s.length()),
                            "0x" + Long.toHexString(s.hostOffset()), node.dataFilename(s.offset()).orElseThrow()));
                }
                at = s.end();
            }
            assertEquals(expected, actual.toString());
        }
    }

    @Test
    void readsTheParentThroughADeltaDisk() throws Exception {
        Path base = dir.resolve("base.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", base.toString(), "8M");
        QemuImg.io("vmdk", base, "write -P 0xaa 0 8M");
        Path overlay = dir.resolve("overlay.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", overlay.toString());
        QemuImg.io("vmdk", overlay, "write -P 0xbb 100k 70k", "write -z 5M 64k");
        ImageAssertions.assertReadsAsQemu(GRAPH, overlay, "vmdk", dir);
        try (BlockNode node = GRAPH.open(overlay.toString(), "vmdk", true)) {
            assertTrue(node.backing().isPresent(), "the parent is the backing node");
            assertEquals(1, node.blockStatus(0, 4096).depth(), "an unwritten grain comes from the parent");
            assertEquals("base.vmdk", node.imageInfo().backingFilename());
        }
    }
}
