package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.img.ImgToolTest.Run;
import io.tessera.block.testing.FailingProtocol;
import io.tessera.block.testing.QemuImg;
import io.tessera.core.block.BlockDirtyBitmaps;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * tessera img resize of qcow2 images with persistent bitmaps beside qemu-img resize on copies:
 * the same statuses and messages, the same bitmaps listed, the same bits in them afterwards
 * (kept where both sizes overlap, clean in a grown range, gone past a shrunk end), bitmaps
 * QEMU then opens read-write and keeps updating; and a resize killed after every write.
 */
class ImgBitmapResizeTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void installed() {
        Qemu.assumeInstalled();
    }

    private void qemu(String... command) throws Exception {
        Run r = Qemu.run(dir, command);
        assertEquals(0, r.status(), String.join(" ", command) + ": " + r.err());
    }

    /**
     * A 4 MiB image with an enabled bitmap, a disabled one holding bits, one with 128 KiB
     * granularity and one with 512-byte granularity (on 512-byte clusters its table has several
     * entries, so resizing changes the table's size), each with bits near both ends.
     */
    private Path imageWithBitmaps(String name) throws Exception {
        Path image = dir.resolve(name);
        qemu("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=512", image.toString(), "4M");
        qemu("qemu-img", "bitmap", "--add", image.toString(), "enabled");
        qemu("qemu-img", "bitmap", "--add", image.toString(), "disabled");
        qemu("qemu-img", "bitmap", "--add", "-g", "128k", image.toString(), "coarse");
        qemu("qemu-img", "bitmap", "--add", "-g", "512", image.toString(), "fine");
        qemu("qemu-io", "-c", "write -P 1 0 64k", "-c", "write -P 2 1500k 4k", "-c", "write -P 3 4000k 96k", image.toString());
        qemu("qemu-img", "bitmap", "--disable", image.toString(), "disabled");
        return image;
    }

    /** Every bitmap's bits, as Tessera reads them. */
    private static Map<String, BitSet> bits(Path image) throws Exception {
        Map<String, BitSet> all = new LinkedHashMap<>();
        try (BlockNode node = Drivers.graph().open(image.toString(), "qcow2", true)) {
            BlockDirtyBitmaps bitmaps = node.dirtyBitmaps().orElseThrow();
            for (BlockDirtyBitmaps.Info info : bitmaps.list()) {
                all.put(info.name() + (info.enabled() ? "" : " (disabled)") + (info.inUse() ? " (in use)" : ""),
                        info.inUse() ? null : bitmaps.bits(info.name()));
            }
        }
        return all;
    }

    private String info(Path image) throws Exception {
        return Qemu.run(dir, "qemu-img", "info", "--output=json", image.toString()).out()
                .replaceAll("\"(actual-size|filename)\": [^,]+,", "");
    }

    @ParameterizedTest
    @CsvSource({"10M,", "4100k,", "1M,--shrink", "3999k,--shrink", "64M,"})
    void resizesBitmapsAsQemuImg(String size, String shrink) throws Exception {
        Path theirs = imageWithBitmaps("theirs.qcow2");
        Path ours = dir.resolve("ours.qcow2");
        Files.copy(theirs, ours);
        if (shrink == null) {
            Qemu.sideBySide(dir, ours, theirs, "resize", "FILE", size);
        } else {
            Qemu.sideBySide(dir, ours, theirs, "resize", shrink, "FILE", size);
        }
        assertEquals(bits(theirs), bits(ours), "the bits after resize " + size);
        assertEquals(info(theirs), info(ours));
        qemu("qemu-img", "check", ours.toString());
        // QEMU takes the resized bitmaps up again and keeps them up to date, on both alike.
        for (Path image : List.of(ours, theirs)) {
            qemu("qemu-io", "-c", "write -P 9 700k 1k", "-c", "write -P 9 " + (QemuImg.img("info", image.toString()).contains("64 MiB") ? "60M" : "900k")
                    + " 512", image.toString());
        }
        assertEquals(bits(theirs), bits(ours), "the bits after writing to the resized images");
    }

    @Test
    void refusesABitmapLeftInUseAsQemuImg() throws Exception {
        Path theirs = imageWithBitmaps("theirs.qcow2");
        // A writer that dies with the enabled bitmaps loaded leaves them in use: inconsistent.
        Qemu.run(dir, "qemu-io", "-c", "write 1M 4k", "-c", "abort", theirs.toString());
        Path ours = dir.resolve("ours.qcow2");
        Files.copy(theirs, ours);
        Run run = Qemu.sideBySide(dir, ours, theirs, "resize", "FILE", "8M");
        assertEquals(1, run.status());
        assertTrue(run.err().contains("Bitmap 'enabled' is inconsistent"), run.err());
        assertEquals(Files.size(theirs), Files.size(ours));
        assertTrue(info(ours).contains("\"virtual-size\": 4194304"), "the size stays");
    }

    /**
     * tessera img resize dies after every number of writes: qemu-img check accepts the image,
     * QEMU opens it read-write and writes to it, and each bitmap either has the bits of the
     * range both sizes share unchanged or is marked in use (inconsistent: what QEMU itself
     * leaves when it dies while holding the bitmaps; a table of the wrong size it would refuse).
     */
    @ParameterizedTest
    @CsvSource({"64M,", "1M,--shrink"})
    void aResizeKilledAtAnyWriteKeepsTheBitmapsUsable(String size, String shrink) throws Exception {
        Path pristine = imageWithBitmaps("pristine.qcow2");
        Map<String, BitSet> before = bits(pristine);
        long kept = Math.min(4L << 20, io.tessera.core.block.BlockOptions.parseSize("size", size));
        Path image = dir.resolve("k.qcow2");
        List<String> args = shrink == null ? List.of(image.toString(), size) : List.of(shrink, image.toString(), size);
        int kills = 0;
        int inUse = 0;
        for (int writes = 0; ; writes++) {
            Files.copy(pristine, image, StandardCopyOption.REPLACE_EXISTING);
            FailingProtocol protocol = new FailingProtocol(Drivers.graph().protocol(), writes);
            BlockGraph graph = new BlockGraph(protocol, Drivers.graph().drivers());
            boolean killed = ImgChainsTest.runKilled(() -> new ResizeCommand(graph, ImgChainsTest.quiet(), ImgChainsTest.quiet()).run(args));
            protocol.abandonAll();
            QemuImg.Result check = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "check", image.toString()));
            assertTrue(check.status() == 0 || check.status() == 3, "killed after " + writes + " writes: " + check.out() + check.err());
            Map<String, BitSet> now = bits(image);
            assertEquals(before.size(), now.size(), "killed after " + writes + " writes: " + now.keySet());
            for (String name : before.keySet()) {
                int granularity = name.startsWith("coarse") ? 17 : name.startsWith("fine") ? 9 : 16;
                int shared = (int) ((kept + (1L << granularity) - 1) >>> granularity);
                if (now.containsKey(name + " (in use)")) {
                    inUse++;
                    assertTrue(killed, name + " is left in use by a resize that finished");
                    continue;
                }
                assertTrue(now.containsKey(name), name + " after a kill at write " + writes + ": " + now.keySet());
                assertEquals(before.get(name).get(0, shared), now.get(name).get(0, shared), name + " after a kill at write " + writes);
            }
            qemu("qemu-io", "-c", "write -P 8 0 512", image.toString());
            if (!killed) {
                break;
            }
            kills++;
        }
        assertTrue(kills > 3, "the resize was killed only " + kills + " times");
        assertTrue(inUse > 0 && inUse < kills * before.size(), "bitmaps in use after " + inUse + " of " + kills * before.size()
                + " kills: the window between marking and storing is neither skipped nor everything");
    }
}
