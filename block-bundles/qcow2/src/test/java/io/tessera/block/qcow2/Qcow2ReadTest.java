package io.tessera.block.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.block.raw.RawDriver;
import io.tessera.block.testing.ImageAssertions;
import io.tessera.block.testing.QemuImg;
import io.tessera.core.block.BlockCheckResult;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockImageInfo;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockRepair;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images qemu-img and qemu-io create, read by the qcow2 driver: every byte must equal what
 * {@code qemu-img convert -O raw} reads, and the driver's check must find them clean.
 */
class Qcow2ReadTest {

    static final BlockGraph GRAPH = new BlockGraph(new FileDriver(), List.of(new FileDriver(), new RawDriver(), new Qcow2Driver()));

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    /** A mix qemu-io writes: data, zeroes over data, discards, partial clusters, the last bytes. */
    static final String[] MIX = {
        "write -P 0x11 0 1M", "write -P 0x22 3M 200k", "write -z 3100k 64k", "write -P 0x33 5000000 4000",
        "discard 512k 256k", "write -P 0x44 7M 1M", "write -z 7300k 300k", "write -P 0x55 8388096 512",
    };

    @ParameterizedTest
    @CsvSource({"0.10,65536,16", "1.1,512,16", "1.1,4096,1", "1.1,65536,2", "1.1,65536,4", "1.1,16384,8", "1.1,65536,32",
        "1.1,65536,64", "1.1,2M,16", "0.10,512,16"})
    void readsWhatQemuWrote(String compat, String clusterSize, int refcountBits) throws Exception {
        Path image = dir.resolve("mix.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", "-o", "compat=" + compat + ",cluster_size=" + clusterSize + ",refcount_bits=" + refcountBits,
                image.toString(), "8M");
        QemuImg.io("qcow2", image, MIX);
        ImageAssertions.assertReadsAsQemu(GRAPH, image, "qcow2", dir);
        assertClean(image);
    }

    @ParameterizedTest
    @ValueSource(strings = {"zlib", "zstd"})
    void readsCompressedClusters(String type) throws Exception {
        Path raw = dir.resolve("source.raw");
        QemuImg.img("create", "-q", "-f", "raw", raw.toString(), "8M");
        QemuImg.io("raw", raw, MIX);
        QemuImg.io("raw", raw, "write -P 0x66 2M 700k");
        Path image = dir.resolve("compressed.qcow2");
        QemuImg.img("convert", "-c", "-O", "qcow2", "-o", "compression_type=" + type + ",cluster_size=4k", raw.toString(), image.toString());
        ImageAssertions.assertReadsAsQemu(GRAPH, image, "qcow2", dir);
        BlockCheckResult check = assertClean(image);
        assertTrue(check.compressedClusters() > 0, "some clusters are compressed");
    }

    @Test
    void readsABackingChainWithARawBase() throws Exception {
        Path base = dir.resolve("base.raw");
        QemuImg.img("create", "-q", "-f", "raw", base.toString(), "6M");
        QemuImg.io("raw", base, "write -P 0xa1 0 6M");
        Path middle = dir.resolve("middle.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", "-b", "base.raw", "-F", "raw", middle.toString(), "8M");
        QemuImg.io("qcow2", middle, "write -P 0xb2 1M 1M", "write -z 4M 64k", "write -P 0xb3 5M 100k");
        Path top = dir.resolve("top.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", "-b", "middle.qcow2", "-F", "qcow2", "-o", "compat=0.10", top.toString(), "8M");
        QemuImg.io("qcow2", top, "write -P 0xc4 1536k 100k", "write -P 0xc5 7M 64k");
        ImageAssertions.assertReadsAsQemu(GRAPH, top, "qcow2", dir);
        try (BlockNode node = GRAPH.open(top.toString(), "", true)) {
            BlockImageInfo info = node.imageInfo();
            assertEquals("middle.qcow2", info.backingFilename());
            assertEquals("qcow2", info.backingFormat());
            BlockStatus inBase = node.blockStatus(0, 4096);
            assertEquals(2, inBase.depth(), "the first cluster comes from the raw base");
        }
    }

    @Test
    void refusesABackingLoop() throws Exception {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", a.toString(), "1M");
        QemuImg.img("create", "-q", "-f", "qcow2", "-b", "a.qcow2", "-F", "qcow2", b.toString(), "1M");
        QemuImg.img("rebase", "-u", "-f", "qcow2", "-b", "b.qcow2", "-F", "qcow2", a.toString());
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> GRAPH.open(b.toString(), "qcow2", true));
        assertTrue(e.getMessage().contains("loops"), e.getMessage());
    }

    @Test
    void readsSubclustersOverABackingFile() throws Exception {
        Path base = dir.resolve("base.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", base.toString(), "4M");
        QemuImg.io("qcow2", base, "write -P 0x71 0 4M");
        Path top = dir.resolve("ext.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", "-o", "extended_l2=on,cluster_size=64k", "-b", "base.qcow2", "-F", "qcow2", top.toString());
        QemuImg.io("qcow2", top, "write -P 0x72 4096 2048", "write -z 10k 6k", "write -P 0x73 100k 3k", "write -P 0x74 1M 64k",
                "discard 1M 2k");
        ImageAssertions.assertReadsAsQemu(GRAPH, top, "qcow2", dir);
        assertClean(top);
    }

    @Test
    void readsAnExternalDataFile() throws Exception {
        Path image = dir.resolve("meta.qcow2");
        Path data = dir.resolve("meta.data");
        QemuImg.run("sh", "-c", "cd '" + dir + "' && qemu-img create -q -f qcow2 -o data_file=meta.data meta.qcow2 4M"
                + " && qemu-io -f qcow2 -c 'write -P 0x81 64k 200k' -c 'write -P 0x82 3M 4k' meta.qcow2"
                + " && qemu-img convert -f qcow2 -O raw meta.qcow2 reference-ext.raw");
        assertTrue(Files.exists(data));
        byte[] expected = Files.readAllBytes(dir.resolve("reference-ext.raw"));
        try (BlockNode node = GRAPH.open(image.toString(), "qcow2", true)) {
            ByteBuffer all = ByteBuffer.allocate(expected.length);
            node.read(0, all);
            assertArrayEquals(expected, all.array());
            assertEquals("meta.data", node.imageInfo().formatSpecific().get("data-file"));
        }
    }

    @Test
    void listsSnapshotsAndReadsTheActiveState() throws Exception {
        Path image = dir.resolve("snap.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", image.toString(), "4M");
        QemuImg.io("qcow2", image, "write -P 1 0 1M");
        QemuImg.img("snapshot", "-c", "first", image.toString());
        QemuImg.io("qcow2", image, "write -P 2 512k 1M");
        QemuImg.img("snapshot", "-c", "second", image.toString());
        QemuImg.io("qcow2", image, "write -P 3 0 64k");
        ImageAssertions.assertReadsAsQemu(GRAPH, image, "qcow2", dir);
        try (BlockNode node = GRAPH.open(image.toString(), "qcow2", true)) {
            var snapshots = node.imageInfo().snapshots();
            assertEquals(List.of("first", "second"), snapshots.stream().map(s -> s.name()).toList());
            assertEquals(List.of("1", "2"), snapshots.stream().map(s -> s.id()).toList());
        }
        assertClean(image);
    }

    @Test
    void keepsBitmapsCountedInTheCheck() throws Exception {
        Path image = dir.resolve("bitmap.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", image.toString(), "4M");
        QemuImg.img("bitmap", "--add", image.toString(), "b0");
        QemuImg.io("qcow2", image, "write -P 9 0 128k");
        QemuImg.img("bitmap", "--add", "-g", "128k", image.toString(), "b1");
        assertClean(image);
        try (BlockNode node = GRAPH.open(image.toString(), "qcow2", true)) {
            assertFalse(((List<?>) node.imageInfo().formatSpecific().get("bitmaps")).isEmpty());
        }
        // A write by this driver updates the enabled bitmap and keeps them consistent (Qcow2BitmapTest has the details).
        try (BlockNode node = GRAPH.open(image.toString(), "qcow2", false)) {
            node.write(0, ByteBuffer.wrap(new byte[4096]));
        }
        assertEquals(1, Files.readAllBytes(image)[95] & 1, "autoclear bit 0 (bitmaps consistent) stays set");
        assertClean(image);
        // An old writer that does not know bitmaps clears the bit: QEMU then ignores them and their clusters are leaks,
        // which both checks report and the repair frees.
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(image, java.nio.file.StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(new byte[] {0}), 95);
        }
        QemuImg.Result theirs = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "check", image.toString()));
        assertEquals(3, theirs.status(), theirs.out() + theirs.err());
        try (BlockNode node = GRAPH.open(image.toString(), "qcow2", false)) {
            assertTrue(theirs.out().contains("leaked clusters"), theirs.out());
            BlockCheckResult ours = node.check(BlockRepair.LEAKS).orElseThrow();
            assertEquals(0, ours.corruptions(), ours.messages()::toString);
            assertTrue(ours.leaksFixed() > 0, "the bitmap clusters were leaks");
        }
        QemuImg.img("check", "-q", image.toString());
    }

    /** The driver's check finds what qemu-img check finds: nothing. */
    static BlockCheckResult assertClean(Path image) throws Exception {
        QemuImg.img("check", "-q", image.toString());
        try (BlockNode node = GRAPH.open(image.toString(), "qcow2", true)) {
            BlockCheckResult r = node.check(BlockRepair.NONE).orElseThrow();
            assertEquals(0, r.corruptions(), () -> "corruptions: " + r.messages());
            assertEquals(0, r.leaks(), () -> "leaks: " + r.messages());
            return r;
        }
    }
}
