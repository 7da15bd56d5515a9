package io.tessera.block.qcow2;

import io.tessera.block.testing.FailingNode;
import io.tessera.block.testing.QemuImg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.block.BlockSnapshotInfo;
import io.tessera.core.block.BlockSnapshots;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Internal snapshots created, applied and deleted by the driver, and by qemu-img on the same
 * images: each side lists, applies and reads (qemu-img convert -l) what the other made, and
 * qemu-img check finds every image clean after every step.
 */
class Qcow2SnapshotTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    /** The active disk as qemu-img reads it. */
    private byte[] qemuReads(Path image) throws Exception {
        Path raw = dir.resolve("view.raw");
        Files.deleteIfExists(raw);
        QemuImg.img("convert", "-f", "qcow2", "-O", "raw", image.toString(), raw.toString());
        return Files.readAllBytes(raw);
    }

    /** A snapshot as qemu-img convert -l reads it. */
    private byte[] qemuReadsSnapshot(Path image, String param) throws Exception {
        Path raw = dir.resolve("snapshot-view.raw");
        Files.deleteIfExists(raw);
        QemuImg.img("convert", "-f", "qcow2", "-O", "raw", "-l", param, image.toString(), raw.toString());
        return Files.readAllBytes(raw);
    }

    /** A snapshot as this driver reads it, loaded into a read-only node. */
    private static byte[] tesseraReadsSnapshot(Path image, String id) throws Exception {
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", true)) {
            node.internalSnapshots().orElseThrow().loadTemporarily(id);
            ByteBuffer all = ByteBuffer.allocate((int) node.size());
            node.read(0, all);
            return all.array();
        }
    }

    private static BlockSnapshots snapshots(BlockNode node) {
        return node.internalSnapshots().orElseThrow();
    }

    private static List<String> qemuNames(Path image) throws Exception {
        List<String> names = new ArrayList<>();
        for (String line : QemuImg.img("snapshot", "-l", image.toString()).split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 2 && cols[0].matches("\\d+")) {
                names.add(cols[0] + ":" + cols[1]);
            }
        }
        return names;
    }

    @ParameterizedTest
    @CsvSource({"1.1,65536,16,off", "0.10,65536,16,off", "1.1,512,16,off", "1.1,4096,4,off", "1.1,4096,64,off",
        "1.1,65536,16,on", "1.1,2M,8,off"})
    void snapshotsTakenHereAreListedReadAndAppliedByQemu(String compat, String clusterSize, String refcountBits, String compressed)
            throws Exception {
        int size = 6 << 20;
        Path image = dir.resolve("t.qcow2");
        if (compressed.equals("on")) {
            Path raw = dir.resolve("src.raw");
            QemuImg.img("create", "-q", "-f", "raw", raw.toString(), Integer.toString(size));
            QemuImg.io("raw", raw, "write -P 0x21 0 2M", "write -P 0x22 3M 512k");
            QemuImg.img("convert", "-c", "-O", "qcow2", "-o", "compat=" + compat + ",cluster_size=" + clusterSize
                    + ",refcount_bits=" + refcountBits, raw.toString(), image.toString());
        } else {
            Qcow2WriteTest.create(image, size, Map.of("compat", compat, "cluster_size", clusterSize, "refcount_bits", refcountBits));
            QemuImg.io("qcow2", image, "write -P 0x11 0 1M", "write -P 0x12 2M 300k", "write -z 2100k 64k", "write -P 0x13 5M 4000");
        }
        byte[] first = qemuReads(image);
        byte[] model = first.clone();
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            BlockSnapshotInfo s1 = snapshots(node).create("one", 1_700_000_000L, 123_456_000L);
            assertEquals("1", s1.id());
            assertEquals(size, s1.diskSize());
            // Writes after the snapshot copy what the snapshot shares.
            Qcow2WriteTest.scribble(node, model, 17, 60, true);
            assertEquals("2", snapshots(node).create("two", 1_700_000_001L, 0).id());
        }
        byte[] second = model.clone();
        Qcow2ReadTest.assertClean(image);
        assertEquals(List.of("1:one", "2:two"), qemuNames(image));
        String json = QemuImg.img("info", "--output=json", image.toString());
        assertTrue(json.contains("\"date-sec\": 1700000000") && json.contains("\"date-nsec\": 123456000"), json);
        assertArrayEquals(first, qemuReadsSnapshot(image, "snapshot.name=one"), "qemu reads snapshot one as the disk was");
        assertArrayEquals(second, qemuReadsSnapshot(image, "2"), "qemu reads snapshot two as the disk was");
        assertArrayEquals(second, qemuReads(image), "the active disk is unchanged by taking a snapshot");
        // qemu-img applies ours.
        Path copy = dir.resolve("copy.qcow2");
        Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING);
        QemuImg.img("snapshot", "-a", "one", copy.toString());
        assertArrayEquals(first, qemuReads(copy));
        QemuImg.img("check", "-q", copy.toString());
        // And this driver applies and deletes them; qemu-img finds the image clean after each step.
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            snapshots(node).apply("1");
        }
        Qcow2ReadTest.assertClean(image);
        assertArrayEquals(first, qemuReads(image), "applying snapshot one brings its contents back");
        byte[] again = first.clone();
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            Qcow2WriteTest.scribble(node, again, 23, 30, true);
        }
        Qcow2ReadTest.assertClean(image);
        assertArrayEquals(first, qemuReadsSnapshot(image, "one"), "writes after applying leave the snapshot alone");
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            snapshots(node).delete("1");
        }
        Qcow2ReadTest.assertClean(image);
        assertEquals(List.of("2:two"), qemuNames(image));
        assertArrayEquals(second, qemuReadsSnapshot(image, "two"));
        assertArrayEquals(again, qemuReads(image));
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            snapshots(node).delete("2");
            assertTrue(snapshots(node).list().isEmpty());
        }
        Qcow2ReadTest.assertClean(image);
        assertEquals(List.of(), qemuNames(image));
        assertArrayEquals(again, qemuReads(image));
    }

    @Test
    void snapshotsTakenByQemuAreAppliedReadAndDeletedHere() throws Exception {
        Path image = dir.resolve("q.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", image.toString(), "4M");
        QemuImg.io("qcow2", image, "write -P 0x31 0 1M", "write -P 0x32 3M 64k");
        QemuImg.img("snapshot", "-c", "base", image.toString());
        QemuImg.io("qcow2", image, "write -P 0x33 512k 1M", "write -z 3M 4k", "discard 0 64k");
        QemuImg.img("snapshot", "-c", "later", image.toString());
        QemuImg.io("qcow2", image, "write -P 0x34 100k 50k");
        byte[] base = qemuReadsSnapshot(image, "base");
        byte[] later = qemuReadsSnapshot(image, "later");
        byte[] active = qemuReads(image);
        assertArrayEquals(base, tesseraReadsSnapshot(image, "1"));
        assertArrayEquals(later, tesseraReadsSnapshot(image, "2"));
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            snapshots(node).apply("2");
        }
        Qcow2ReadTest.assertClean(image);
        assertArrayEquals(later, qemuReads(image));
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            snapshots(node).delete("1");
            snapshots(node).apply("2");
        }
        Qcow2ReadTest.assertClean(image);
        assertArrayEquals(later, qemuReads(image));
        assertEquals(List.of("2:later"), qemuNames(image));
        // qemu-img goes on with the image: a new snapshot gets the next id after ours.
        QemuImg.img("snapshot", "-c", "third", image.toString());
        assertEquals(List.of("2:later", "3:third"), qemuNames(image));
        assertTrue(active.length > 0);
    }

    @Test
    void aSnapshotOfAnotherSizeBringsItsSizeBack() throws Exception {
        Path image = dir.resolve("sized.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", image.toString(), "4M");
        QemuImg.io("qcow2", image, "write -P 0x41 0 4M");
        QemuImg.img("snapshot", "-c", "small", image.toString());
        QemuImg.img("resize", "-q", image.toString(), "3G");
        QemuImg.io("qcow2", image, "write -P 0x42 2G 1M");
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            snapshots(node).apply("1");
            assertEquals(4 << 20, node.size());
        }
        Qcow2ReadTest.assertClean(image);
        byte[] expected = new byte[4 << 20];
        Arrays.fill(expected, (byte) 0x41);
        assertArrayEquals(expected, qemuReads(image));
    }

    @Test
    void refusesWhatQemuRefuses() throws Exception {
        Path image = dir.resolve("narrow.qcow2");
        Qcow2WriteTest.create(image, 1 << 20, Map.of("refcount_bits", "1"));
        QemuImg.io("qcow2", image, "write -P 0x51 0 64k");
        byte[] before = Files.readAllBytes(image);
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            BlockFormatException e = assertThrows(BlockFormatException.class, () -> snapshots(node).create("s", 0, 0));
            assertTrue(e.getMessage().contains("1-bit refcounts"), e.getMessage());
            assertThrows(NoSuchElementException.class, () -> snapshots(node).apply("7"));
            assertThrows(NoSuchElementException.class, () -> snapshots(node).delete("7"));
        }
        assertArrayEquals(before, Files.readAllBytes(image), "a refused snapshot changes nothing");
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", true)) {
            assertThrows(java.io.IOException.class, () -> snapshots(node).create("s", 0, 0));
        }
    }

    /** What a killed snapshot step may leave: leaks, or (as QEMU leaves it) "copied" flags out of step with a count. */
    private static void assertRepairable(Path image, String when) throws Exception {
        QemuImg.Result check = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "check", image.toString()));
        if (check.status() == 2) {
            for (String line : check.err().split("\n")) {
                assertTrue(!line.startsWith("ERROR") || line.startsWith("ERROR OFLAG_COPIED"),
                        "after a crash " + when + " qemu-img check finds more than flags to repair: " + check.err());
            }
            QemuImg.Result repair = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "check", "-r", "all", image.toString()));
            assertTrue(repair.status() == 0, "qemu-img check -r all repairs it: " + repair.out() + repair.err());
        } else {
            assertTrue(check.status() == 0 || check.status() == 3, "after a crash " + when + " qemu-img check says: " + check.out() + check.err());
        }
    }

    /** The driver is killed after every number of writes while creating, applying and deleting snapshots. */
    @Test
    void aSnapshotStepKilledAtAnyPointLosesNothing() throws Exception {
        Path pristine = dir.resolve("pristine.qcow2");
        Qcow2WriteTest.create(pristine, 2 << 20, Map.of("cluster_size", "4096"));
        QemuImg.io("qcow2", pristine, "write -P 0x61 0 1M", "write -P 0x62 1536k 64k");
        QemuImg.img("snapshot", "-c", "old", pristine.toString());
        QemuImg.io("qcow2", pristine, "write -P 0x63 256k 256k");
        byte[] oldContents = qemuReadsSnapshot(pristine, "old");
        byte[] active = qemuReads(pristine);
        for (String step : List.of("create", "apply", "delete")) {
            int points = 0;
            for (int stopAfter = 0; ; stopAfter++) {
                Path image = dir.resolve("crash.qcow2");
                Files.copy(pristine, image, StandardCopyOption.REPLACE_EXISTING);
                FailingNode file = new FailingNode(new FileDriver().open(new BlockOpenRequest(image.toString(), null, false, Map.of())), stopAfter);
                BlockNode node = new Qcow2Driver().open(new BlockOpenRequest(image.toString(), file, false, Map.of()));
                boolean crashed = false;
                try {
                    switch (step) {
                        case "create" -> snapshots(node).create("new", 1, 2);
                        case "apply" -> snapshots(node).apply("1");
                        default -> snapshots(node).delete("1");
                    }
                    node.close();
                } catch (FailingNode.Killed e) {
                    crashed = true;
                    file.abandon();
                }
                String when = "in " + step + " after " + stopAfter + " writes";
                assertRepairable(image, when);
                List<String> names = qemuNames(image);
                byte[] now = qemuReads(image);
                switch (step) {
                    case "create" -> {
                        assertArrayEquals(active, now, "the active disk " + when);
                        assertTrue(names.equals(List.of("1:old")) || names.equals(List.of("1:old", "2:new")), names + " " + when);
                        assertArrayEquals(oldContents, qemuReadsSnapshot(image, "old"), when);
                        if (names.size() == 2) {
                            assertArrayEquals(active, qemuReadsSnapshot(image, "new"), when);
                        }
                    }
                    case "apply" -> {
                        assertTrue(Arrays.equals(active, now) || Arrays.equals(oldContents, now), "the active disk is old or new " + when);
                        assertArrayEquals(oldContents, qemuReadsSnapshot(image, "old"), when);
                    }
                    default -> {
                        assertArrayEquals(active, now, "the active disk " + when);
                        if (!names.isEmpty()) {
                            assertEquals(List.of("1:old"), names, when);
                            assertArrayEquals(oldContents, qemuReadsSnapshot(image, "old"), when);
                        }
                    }
                }
                if (!crashed) {
                    QemuImg.img("check", "-q", image.toString());
                    break;
                }
                points++;
            }
            assertTrue(points > 5, step + " was killed at " + points + " points");
        }
    }
}
