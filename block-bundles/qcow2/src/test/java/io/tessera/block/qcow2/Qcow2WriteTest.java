package io.tessera.block.qcow2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.block.testing.FailingNode;
import io.tessera.block.testing.QemuImg;
import io.tessera.core.block.BlockCreateRequest;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Images the qcow2 driver creates and writes: qemu-img check must accept them and qemu-img must
 * read exactly what a plain byte array given the same writes holds.
 */
class Qcow2WriteTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    static void create(Path image, long size, Map<String, String> options) throws Exception {
        Files.deleteIfExists(image);
        Files.createFile(image);
        try (BlockNode file = new FileDriver().open(new BlockOpenRequest(image.toString(), null, false, Map.of()))) {
            new Qcow2Driver().create(new BlockCreateRequest(image.toString(), file, size, options, null));
        }
    }

    /**
     * Random writes, zeroes and discards of random sizes, mirrored in {@code model}. A discard
     * reads as zeroes or the old data, except on a version 2 overlay, where (as in QEMU) it
     * shows the backing file again.
     */
    static void scribble(BlockNode node, byte[] model, long seed, int operations, boolean discardShowsNoBacking) throws Exception {
        Random random = new Random(seed);
        int size = model.length;
        for (int i = 0; i < operations; i++) {
            int kind = random.nextInt(10);
            int length = random.nextInt(4) == 0 ? random.nextInt(size / 4) + 1 : random.nextInt(70_000) + 1;
            int at = random.nextInt(size - Math.min(length, size - 1));
            length = Math.min(length, size - at);
            if (kind < 7) {
                byte[] data = new byte[length];
                random.nextBytes(data);
                node.write(at, ByteBuffer.wrap(data));
                System.arraycopy(data, 0, model, at, length);
            } else if (kind < 9) {
                node.writeZeroes(at, length);
                Arrays.fill(model, at, at + length, (byte) 0);
            } else {
                node.discard(at, length);
                // Discard may drop whole clusters only; what it keeps is still the old data, so read it back into the model.
                ByteBuffer back = ByteBuffer.allocate(length);
                node.read(at, back);
                for (int j = 0; j < length; j++) {
                    byte b = back.get(j);
                    if (discardShowsNoBacking) {
                        assertTrue(b == 0 || b == model[at + j], "discarded bytes read as old data or zeroes");
                    }
                    model[at + j] = b;
                }
            }
            if (random.nextInt(8) == 0) {
                node.flush();
            }
        }
    }

    static void assertQemuReads(Path image, byte[] model, Path dir) throws Exception {
        QemuImg.img("check", "-q", image.toString());
        Path raw = dir.resolve("qemu-view.raw");
        QemuImg.img("convert", "-f", "qcow2", "-O", "raw", image.toString(), raw.toString());
        assertArrayEquals(model, Files.readAllBytes(raw), "qemu-img reads what was written");
    }

    @ParameterizedTest
    @CsvSource({"1.1,65536,16,off,off", "0.10,65536,16,off,off", "1.1,512,16,off,off", "1.1,4096,1,off,off", "1.1,4096,64,off,off",
        "1.1,2M,8,off,off", "1.1,65536,16,on,off", "1.1,65536,16,off,metadata", "1.1,16384,4,off,full", "0.10,4096,16,off,falloc"})
    void writesImagesQemuAccepts(String compat, String clusterSize, String refcountBits, String lazy, String prealloc) throws Exception {
        Path image = dir.resolve("w.qcow2");
        int size = 6 << 20;
        create(image, size, Map.of("compat", compat, "cluster_size", clusterSize, "refcount_bits", refcountBits,
                "lazy_refcounts", lazy, "preallocation", prealloc));
        QemuImg.img("check", "-q", image.toString());
        byte[] model = new byte[size];
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            scribble(node, model, clusterSize.hashCode() * 31L + refcountBits.hashCode(), 150, true);
        }
        assertQemuReads(image, model, dir);
        Qcow2ReadTest.assertClean(image);
    }

    @Test
    void growsTheRefcountTableOfASmallClusterImage() throws Exception {
        Path image = dir.resolve("grow.qcow2");
        int size = 24 << 20;
        create(image, size, Map.of("cluster_size", "512", "refcount_bits", "64"));
        byte[] model = new byte[size];
        new Random(5).nextBytes(model);
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            node.write(0, ByteBuffer.wrap(model));
        }
        assertQemuReads(image, model, dir);
    }

    @Test
    void copiesOnWriteWhatSnapshotsAndCompressionShare() throws Exception {
        Path raw = dir.resolve("src.raw");
        QemuImg.img("create", "-q", "-f", "raw", raw.toString(), "4M");
        QemuImg.io("raw", raw, "write -P 0x21 0 2M", "write -P 0x22 3M 512k");
        Path image = dir.resolve("shared.qcow2");
        QemuImg.img("convert", "-c", "-O", "qcow2", raw.toString(), image.toString());
        QemuImg.io("qcow2", image, "write -P 0x23 1M 64k");
        QemuImg.img("snapshot", "-c", "before", image.toString());
        Path reference = dir.resolve("snap.raw");
        QemuImg.img("convert", "-O", "raw", image.toString(), reference.toString());
        byte[] model = Files.readAllBytes(reference);
        byte[] before = model.clone();
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            scribble(node, model, 77, 80, true);
        }
        assertQemuReads(image, model, dir);
        // The snapshot still holds the old contents.
        Path old = dir.resolve("old.raw");
        QemuImg.img("convert", "-O", "raw", "-l", "snapshot.name=before", image.toString(), old.toString());
        assertArrayEquals(before, Files.readAllBytes(old));
    }

    @Test
    void writesAnOverlayOverItsBackingFile() throws Exception {
        Path base = dir.resolve("base.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", base.toString(), "4M");
        QemuImg.io("qcow2", base, "write -P 0x31 0 4M");
        for (String compat : List.of("1.1", "0.10")) {
            Path top = dir.resolve("top-" + compat + ".qcow2");
            create(top, 4 << 20, Map.of("backing_file", "base.qcow2", "backing_fmt", "qcow2", "compat", compat));
            byte[] model = new byte[4 << 20];
            Arrays.fill(model, (byte) 0x31);
            try (BlockNode node = Qcow2ReadTest.GRAPH.open(top.toString(), "qcow2", false)) {
                // Discards on a v2 overlay show the backing data again: the model follows what the node reads.
                scribble(node, model, 99, 60, compat.equals("1.1"));
            }
            assertQemuReads(top, model, dir);
        }
    }

    /** The protocol node dies after a number of writes, as a killed process stops writing. */
    @Test
    void aWriterKilledAtAnyPointLeavesAnImageQemuAcceptsWithOldOrNewData() throws Exception {
        int size = 2 << 20;
        int cluster = 4096;
        Path pristine = dir.resolve("pristine.qcow2");
        create(pristine, size, Map.of("cluster_size", Integer.toString(cluster)));
        QemuImg.io("qcow2", pristine, "write -P 0x40 0 1M");
        QemuImg.img("snapshot", "-c", "s", pristine.toString());
        int total = Integer.MAX_VALUE;
        int points = 0;
        for (int stopAfter = 0; stopAfter < total; stopAfter += Math.max(1, stopAfter / 8)) {
            Path image = dir.resolve("crash.qcow2");
            Files.copy(pristine, image, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            // Every content each cluster has held: after the crash it must hold one of them.
            Map<Integer, List<byte[]>> history = new HashMap<>();
            byte[] model = new byte[size];
            Arrays.fill(model, 0, 1 << 20, (byte) 0x40);
            for (int c = 0; c < size / cluster; c++) {
                history.computeIfAbsent(c, k -> new java.util.ArrayList<>()).add(Arrays.copyOfRange(model, c * cluster, (c + 1) * cluster));
            }
            FailingNode file = new FailingNode(new FileDriver().open(new BlockOpenRequest(image.toString(), null, false, Map.of())), stopAfter);
            BlockNode node = new Qcow2Driver().open(new BlockOpenRequest(image.toString(), file, false, Map.of()));
            boolean crashed = false;
            Random random = new Random(3);
            try {
                for (int i = 0; i < 40; i++) {
                    int at = random.nextInt(size / cluster - 8) * cluster + (random.nextBoolean() ? 0 : random.nextInt(cluster));
                    int length = random.nextInt(6 * cluster) + 1;
                    byte[] data = new byte[length];
                    Arrays.fill(data, (byte) (i + 1));
                    if (i % 5 == 4) {
                        Arrays.fill(model, at, at + length, (byte) 0);
                    } else {
                        System.arraycopy(data, 0, model, at, length);
                    }
                    // The new contents count before the operation runs: killed midway, it may have changed some clusters.
                    for (int c = at / cluster; c <= (at + length - 1) / cluster; c++) {
                        history.get(c).add(Arrays.copyOfRange(model, c * cluster, (c + 1) * cluster));
                    }
                    if (i % 5 == 4) {
                        node.writeZeroes(at, length);
                    } else {
                        node.write(at, ByteBuffer.wrap(data));
                    }
                    if (i % 7 == 6) {
                        node.flush();
                    }
                }
                node.close();
            } catch (FailingNode.Killed e) {
                crashed = true;
                file.abandon();
            }
            if (!crashed) {
                total = stopAfter;
                QemuImg.img("check", "-q", image.toString());
                assertQemuReads(image, model, dir);
                break;
            }
            points++;
            QemuImg.Result check = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "check", image.toString()));
            assertTrue(check.status() == 0 || check.status() == 3, "after a crash at write " + stopAfter + " qemu-img check says: " + check.out());
            Path raw = dir.resolve("crash.raw");
            QemuImg.img("convert", "-f", "qcow2", "-O", "raw", image.toString(), raw.toString());
            byte[] after = Files.readAllBytes(raw);
            for (int c = 0; c < size / cluster; c++) {
                byte[] now = Arrays.copyOfRange(after, c * cluster, (c + 1) * cluster);
                assertTrue(history.get(c).stream().anyMatch(h -> Arrays.equals(h, now)),
                        "cluster " + c + " after a crash at write " + stopAfter + " holds data it never held");
            }
        }
        assertTrue(points > 10, "the writer was killed at " + points + " points");
        assertTrue(total != Integer.MAX_VALUE, "a run without a crash completed");
    }
}
