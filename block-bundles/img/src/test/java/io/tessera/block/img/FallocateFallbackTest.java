package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.block.img.ImgToolTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The file protocol on file systems that refuse fallocate modes, for real: tmpfs refuses
 * {@code FALLOC_FL_ZERO_RANGE}, ramfs every mode (hole punching included). The test mounts one
 * in its temporary directory (it needs root and mount(8); without them it is skipped, saying
 * so), runs the same qemu-io commands through qemu-io and tessera io on two copies of an image
 * there, and compares the bytes, the blocks taken and, for qcow2, check and map.
 */
class FallocateFallbackTest {

    @TempDir
    Path dir;

    private Path mountPoint;

    @BeforeAll
    static void qemu() {
        Qemu.assumeInstalled();
    }

    @AfterEach
    void unmount() throws Exception {
        if (mountPoint != null) {
            Qemu.run(dir, "umount", mountPoint.toString());
        }
    }

    /** Mounts a file system of {@code type} at dir/TYPE; skips the test where that cannot be done. */
    private Path mount(String type) throws Exception {
        Run id = Qemu.run(dir, "id", "-u");
        assumeTrue(id.status() == 0 && id.out().strip().equals("0"), "mounting a " + type + " file system needs root (uid " + id.out().strip() + ")");
        Path at = Files.createDirectories(dir.resolve(type));
        Run mount = Qemu.run(dir, "mount", "-t", type, "-o", "size=64m", type, at.toString());
        assumeTrue(mount.status() == 0, "mount -t " + type + " is not allowed here: " + mount.err());
        mountPoint = at;
        return at;
    }

    /** Whether util-linux's fallocate(1) can use {@code mode} (-z zero range, -p punch hole) on a file in {@code where}. */
    private boolean offers(Path where, String mode) throws Exception {
        Path probe = where.resolve("probe");
        Files.write(probe, new byte[8192]);
        Run r = Qemu.run(where, "fallocate", mode, "-o", "0", "-l", "4096", probe.toString());
        Files.delete(probe);
        return r.status() == 0;
    }

    private static long blocks(Path file) throws Exception {
        Run r = Qemu.run(file.getParent(), "stat", "-c", "%b", file.toString());
        assertEquals(0, r.status(), r.err());
        return Long.parseLong(r.out().strip());
    }

    private static List<String> commands() {
        return List.of("write -P 1 0 4M", "discard 512k 512k", "write -z 1M 512k", "write -z -u 2M 512k", "write -z 3145828 1000",
                "write -P 2 3500k 4k", "write -z -u 3500k 64k");
    }

    @ParameterizedTest
    @CsvSource({"tmpfs,raw", "ramfs,raw", "tmpfs,qcow2", "ramfs,qcow2"})
    void zeroesAndDiscardsWhereModesAreRefused(String type, String format) throws Exception {
        Path fs = mount(type);
        // The premise: this file system refuses zero ranges (and ramfs hole punching as well).
        assertEquals(false, offers(fs, "-z"), type + " should refuse FALLOC_FL_ZERO_RANGE");
        assertEquals(type.equals("tmpfs"), offers(fs, "-p"), type + ": FALLOC_FL_PUNCH_HOLE");
        Path q = fs.resolve("q." + format);
        Path t = fs.resolve("t." + format);
        for (Path image : List.of(q, t)) {
            assertEquals(0, Qemu.run(fs, "qemu-img", "create", "-q", "-f", format, "-o", format.equals("qcow2") ? "cluster_size=64k" : "preallocation=off",
                    image.toString(), "4M").status());
        }
        List<String> qemuIo = new ArrayList<>(List.of("qemu-io", "-f", format));
        List<String> ours = new ArrayList<>(List.of("-f", format));
        for (String c : commands()) {
            qemuIo.addAll(List.of("-c", c));
            ours.addAll(List.of("-c", c));
        }
        qemuIo.add(q.toString());
        ours.add(t.toString());
        Run theirs = Qemu.run(fs, qemuIo.toArray(String[]::new));
        assertEquals(0, theirs.status(), theirs.err());
        Run run = ImgToolTest.io("", ours.toArray(String[]::new));
        assertEquals(0, run.status(), run.err());

        assertEquals(blocks(q), blocks(t), "blocks taken on " + type);
        if (format.equals("raw")) {
            assertArrayEquals(Files.readAllBytes(q), Files.readAllBytes(t), "the files' bytes");
            byte[] bytes = Files.readAllBytes(t);
            assertEquals(0, bytes[(1 << 20) + 5], "zeroes without ZERO_RANGE read back as zeroes");
            assertEquals(0, bytes[(2 << 20) + 5], "zeroes without PUNCH_HOLE read back as zeroes");
            assertEquals(1, bytes[3 << 20], "written data beside the zeroes stays");
            // Discard is a hint: where holes cannot be punched the data stays, as with QEMU.
            assertEquals(type.equals("tmpfs") ? 0 : 1, bytes[(512 << 10) + 5], "a discarded byte");
        } else {
            for (Path image : List.of(q, t)) {
                Run check = Qemu.run(fs, "qemu-img", "check", image.toString());
                assertEquals(0, check.status(), check.out() + check.err());
            }
            assertEquals(Qemu.run(fs, "qemu-img", "map", "--output=json", q.toString()).out(),
                    Qemu.run(fs, "qemu-img", "map", "--output=json", t.toString()).out());
            Run compare = Qemu.run(fs, "qemu-img", "compare", q.toString(), t.toString());
            assertEquals(0, compare.status(), compare.out());
        }
        Run read = ImgToolTest.io("", "-f", format, "-c", "read -P 1 0 512k", "-c", "read -P 0 1M 512k", "-c", "read -P 0 2M 512k",
                "-c", "read -P 0 3145828 1000", "-c", "read -P 0 3500k 64k", t.toString());
        assertEquals(0, read.status(), read.out());
        assertNotEquals(0, blocks(t), "the image has blocks");
    }
}
