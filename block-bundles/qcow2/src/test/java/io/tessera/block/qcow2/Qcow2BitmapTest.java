package io.tessera.block.qcow2;

import io.tessera.block.testing.FailingNode;
import io.tessera.block.testing.QemuImg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.core.block.BlockDirtyBitmaps;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistent dirty bitmaps: the bits qemu-io's writes leave are read back exactly; the same
 * writes through this driver leave the same bits; changes made here are what qemu-img info
 * lists and qemu-img check accepts; a writer killed before its close leaves the bitmaps in use,
 * as QEMU does.
 */
class Qcow2BitmapTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    private static BlockDirtyBitmaps bitmaps(BlockNode node) {
        return node.dirtyBitmaps().orElseThrow();
    }

    private static BitSet bits(Path image, String name) throws Exception {
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", true)) {
            return bitmaps(node).bits(name);
        }
    }

    private static BitSet range(int from, int to) {
        BitSet b = new BitSet();
        b.set(from, to);
        return b;
    }

    private static final String[] WRITES = {
        "write -P 1 0 64k", "write -P 2 1M 100k", "write -z 3M 8k", "discard 5M 128k", "write -P 3 7340032 512",
    };

    @Test
    void readsTheBitsQemuWrote() throws Exception {
        Path image = dir.resolve("q.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", image.toString(), "8M");
        QemuImg.img("bitmap", "--add", image.toString(), "coarse");
        QemuImg.img("bitmap", "--add", "-g", "1k", image.toString(), "fine");
        QemuImg.io("qcow2", image, "write -P 1 0 64k", "write -P 1 1M 100k");
        BitSet coarse = range(0, 1);
        coarse.set(16, 18);
        assertEquals(coarse, bits(image, "coarse"));
        BitSet fine = range(0, 64);
        fine.set(1024, 1124);
        assertEquals(fine, bits(image, "fine"));
    }

    @Test
    void writesHereSetTheBitsQemuWouldSet() throws Exception {
        Path ours = dir.resolve("ours.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4k", ours.toString(), "8M");
        QemuImg.img("bitmap", "--add", ours.toString(), "a");
        QemuImg.img("bitmap", "--add", "-g", "512", ours.toString(), "b");
        QemuImg.img("bitmap", "--add", "--disable", ours.toString(), "off");
        Path theirs = dir.resolve("theirs.qcow2");
        Files.copy(ours, theirs);
        QemuImg.io("qcow2", theirs, WRITES);
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(ours.toString(), "qcow2", false)) {
            node.write(0, ByteBuffer.allocate(64 << 10));
            node.write(1 << 20, ByteBuffer.allocate(100 << 10));
            node.writeZeroes(3 << 20, 8 << 10);
            node.discard(5 << 20, 128 << 10);
            node.write(7340032, ByteBuffer.allocate(512));
        }
        Qcow2ReadTest.assertClean(ours);
        for (String name : List.of("a", "b", "off")) {
            assertEquals(bits(theirs, name), bits(ours, name), "bitmap " + name);
        }
        assertTrue(bits(ours, "a").cardinality() > 3);
        assertEquals(QemuImg.img("info", "--output=json", theirs.toString()).replaceAll("(?s).*\"bitmaps\"", "").replaceAll("(?s)\"refcount-bits.*", ""),
                QemuImg.img("info", "--output=json", ours.toString()).replaceAll("(?s).*\"bitmaps\"", "").replaceAll("(?s)\"refcount-bits.*", ""));
    }

    @Test
    void aWriterKilledBeforeItsCloseLeavesTheBitmapsInUse() throws Exception {
        Path image = dir.resolve("k.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", image.toString(), "4M");
        QemuImg.img("bitmap", "--add", image.toString(), "tracked");
        QemuImg.img("bitmap", "--add", "--disable", image.toString(), "kept");
        FileNodeKiller killer = new FileNodeKiller(image);
        killer.node.write(0, ByteBuffer.allocate(4096));
        killer.node.flush();
        killer.kill();
        String info = QemuImg.img("info", "--output=json", image.toString());
        assertTrue(info.replaceAll("\\s", "").contains("\"flags\":[\"in-use\",\"auto\"],\"name\":\"tracked\""), info);
        assertTrue(info.replaceAll("\\s", "").contains("\"flags\":[],\"name\":\"kept\""), info);
        QemuImg.Result check = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "check", image.toString()));
        assertTrue(check.status() == 0 || check.status() == 3, check.out() + check.err());
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            assertThrows(java.io.IOException.class, () -> bitmaps(node).bits("tracked"), "an inconsistent bitmap is not read");
            bitmaps(node).remove("tracked");
            assertEquals(List.of("kept"), bitmaps(node).list().stream().map(BlockDirtyBitmaps.Info::name).toList());
        }
        Qcow2ReadTest.assertClean(image);
    }

    /** Opens an image over a protocol node that can be dropped without the driver's close, as a killed process drops it. */
    private static final class FileNodeKiller {
        final FailingNode file;
        final BlockNode node;

        FileNodeKiller(Path image) throws Exception {
            file = new FailingNode(new FileDriver().open(new BlockOpenRequest(image.toString(), null, false, Map.of())), Integer.MAX_VALUE);
            node = new Qcow2Driver().open(new BlockOpenRequest(image.toString(), file, false, Map.of()));
        }

        void kill() throws Exception {
            file.abandon();
        }
    }

    @Test
    void changesHereAreWhatQemuImgLists() throws Exception {
        Path image = dir.resolve("c.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=512", image.toString(), "16M");
        QemuImg.io("qcow2", image, "write -P 5 0 1M");
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            bitmaps(node).add("x", 65536, true);
            bitmaps(node).add("y", 512, false);
            assertThrows(IllegalArgumentException.class, () -> bitmaps(node).add("x", 65536, true));
            assertThrows(IllegalArgumentException.class, () -> bitmaps(node).add("z", 3000, true));
            assertThrows(NoSuchElementException.class, () -> bitmaps(node).remove("nope"));
            node.write(1 << 20, ByteBuffer.allocate(70_000));
            BitSet source = new BitSet();
            source.set(3);
            bitmaps(node).merge("y", 1 << 20, source);
        }
        Qcow2ReadTest.assertClean(image);
        String json = QemuImg.img("info", "--output=json", image.toString()).replaceAll("\\s", "");
        assertTrue(json.contains("\"bitmaps\":[{\"flags\":[\"auto\"],\"name\":\"x\",\"granularity\":65536},{\"flags\":[],\"name\":\"y\",\"granularity\":512}]"), json);
        assertEquals(range(16, 18), bits(image, "x"), "the write after adding x");
        assertEquals(range(3 * 2048, 4 * 2048), bits(image, "y"), "the merged range, in y's granularity");
        // qemu-img goes on with what this driver stored.
        QemuImg.img("bitmap", "--merge", "y", image.toString(), "x");
        BitSet both = range(16, 18);
        both.set(48, 64);
        assertEquals(both, bits(image, "x"));
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            bitmaps(node).clear("x");
            bitmaps(node).setEnabled("x", false);
            bitmaps(node).remove("y");
        }
        Qcow2ReadTest.assertClean(image);
        json = QemuImg.img("info", "--output=json", image.toString()).replaceAll("\\s", "");
        assertTrue(json.contains("\"bitmaps\":[{\"flags\":[],\"name\":\"x\",\"granularity\":65536}]"), json);
        assertEquals(new BitSet(), bits(image, "x"));
        try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", false)) {
            bitmaps(node).remove("x");
        }
        Qcow2ReadTest.assertClean(image);
        assertEquals(0, Files.readAllBytes(image)[95] & 1, "no bitmaps: the autoclear bit goes, as QEMU clears it");
        Path copy = dir.resolve("copy.qcow2");
        Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING);
        QemuImg.img("bitmap", "--add", copy.toString(), "again");
    }

    /** Bitmap changes and the store at close, killed after every number of writes: the image stays one qemu-img accepts. */
    @Test
    void aBitmapChangeKilledAtAnyPointLeavesTheOldBitmapsOrTheNew() throws Exception {
        Path pristine = dir.resolve("pristine.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4k", pristine.toString(), "4M");
        QemuImg.img("bitmap", "--add", pristine.toString(), "a");
        QemuImg.img("bitmap", "--add", "--disable", pristine.toString(), "b");
        QemuImg.io("qcow2", pristine, "write -P 1 0 1M");
        List<List<String>> states = List.of(List.of("a", "b"), List.of("a", "b", "new"), List.of("a", "new"));
        int points = 0;
        for (int stopAfter = 0; ; stopAfter++) {
            Path image = dir.resolve("crash.qcow2");
            Files.copy(pristine, image, StandardCopyOption.REPLACE_EXISTING);
            FailingNode file = new FailingNode(new FileDriver().open(new BlockOpenRequest(image.toString(), null, false, Map.of())), stopAfter);
            boolean crashed = false;
            try {
                BlockNode node = new Qcow2Driver().open(new BlockOpenRequest(image.toString(), file, false, Map.of()));
                bitmaps(node).add("new", 4096, true);
                node.write(2 << 20, ByteBuffer.allocate(8192));
                bitmaps(node).remove("b");
                node.close();
            } catch (FailingNode.Killed e) {
                crashed = true;
                file.abandon();
            }
            QemuImg.Result check = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "check", image.toString()));
            assertTrue(check.status() == 0 || check.status() == 3, "killed after " + stopAfter + " writes: " + check.out() + check.err());
            List<String> names;
            try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", true)) {
                names = bitmaps(node).list().stream().map(BlockDirtyBitmaps.Info::name).toList();
            }
            assertTrue(states.contains(names), "killed after " + stopAfter + " writes: bitmaps " + names);
            if (!crashed) {
                Qcow2ReadTest.assertClean(image);
                assertEquals(range(512, 514), bits(image, "new"));
                break;
            }
            points++;
        }
        assertTrue(points > 5, "killed at " + points + " points");
    }
}
