package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.block.img.ImgToolTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Safe-mode {@code rebase} side by side with qemu-img 7.2 on the same chains: the overlay must
 * end up with the same clusters ({@code qemu-img map}, host offsets included) and the same
 * bytes. qemu-img writes each run of differing 512-byte sectors as data where the old backing
 * file reaches (zero data included) and as write-zeroes past its end, which qcow2 turns into a
 * zero cluster or subcluster where the rest of it already reads as zeroes.
 */
class RebaseParityTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumeInstalled();
    }

    private void ok(Path where, String... command) throws Exception {
        Run r = Qemu.run(where, command);
        assertEquals(0, r.status(), String.join(" ", command) + ": " + r.out() + r.err());
    }

    /**
     * Makes old.qcow2, new.qcow2 and the overlay top.img in {@code where}: the backing files
     * differ in whole clusters, in single sectors and in two sectors past 512 KiB, and the
     * overlay holds some ranges itself.
     */
    private void chain(Path where, String options, String format, String oldSize, String newSize, String mode) throws Exception {
        Files.createDirectories(where);
        ok(where, "qemu-img", "create", "-q", "-f", "qcow2", "old.qcow2", oldSize);
        ok(where, "qemu-io", "-c", "write -P 1 0 1M", "-c", "write -P 0 64k 512", "-c", "write -P 2 200k 1000", "-c",
                oldSize.equals("2M") ? "write -P 3 1500k 64k" : "write -P 3 960k 64k", "old.qcow2");
        ok(where, "qemu-img", "create", "-q", "-f", "qcow2", "new.qcow2", newSize);
        ok(where, "qemu-io", "-c", "write -P 1 0 512k", "-c", "write -P 1 512k 513", "-c",
                newSize.equals("2M") ? "write -P 7 1800k 4k" : "write -P 7 1000k 4k", "-c", "write -z 600k 4k", "new.qcow2");
        List<String> create = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", format, "-o", options));
        if (!mode.equals("add")) {
            create.addAll(List.of("-b", "old.qcow2", "-F", "qcow2"));
        }
        create.addAll(List.of("top.img", "2M"));
        ok(where, create.toArray(String[]::new));
        ok(where, "qemu-io", "-f", format, "-c", "write -P 9 100k 10k", "-c", "write -P 8 1M 70k", "top.img");
    }

    @ParameterizedTest
    @CsvSource({
        "cluster_size=64k,qcow2,2M,2M,new", "cluster_size=64k,qcow2,2M,2M,none", "cluster_size=64k,qcow2,2M,2M,add",
        "cluster_size=4k,qcow2,2M,2M,new", "cluster_size=4k,qcow2,2M,2M,none", "cluster_size=4k,qcow2,2M,2M,add",
        "extended_l2=on,qcow2,2M,2M,new", "extended_l2=on,qcow2,2M,2M,none", "extended_l2=on,qcow2,2M,2M,add",
        "cluster_size=64k,qcow2,1M,2M,new", "cluster_size=64k,qcow2,2M,1M,new", "extended_l2=on,qcow2,1M,2M,new",
        "compat=0.10,qcow2,2M,2M,new", "compat=0.10,qcow2,1M,2M,new", "compat=0.10,qcow2,2M,2M,add",
        "cluster_size=4k,qed,2M,2M,new", "cluster_size=4k,qed,2M,2M,none", "cluster_size=64k,qed,1M,1536k,new"})
    void writesWhatQemuImgWrites(String options, String format, String oldSize, String newSize, String mode) throws Exception {
        Path q = dir.resolve("q");
        Path t = dir.resolve("t");
        chain(q, options, format, oldSize, newSize, mode);
        chain(t, options, format, oldSize, newSize, mode);
        String[] rebase = mode.equals("none") ? new String[] {"rebase", "-f", format, "-b", "", "top.img"}
                : new String[] {"rebase", "-f", format, "-b", "new.qcow2", "-F", "qcow2", "top.img"};
        List<String> theirs = new ArrayList<>(List.of(rebase));
        theirs.add(0, "qemu-img");
        ok(q, theirs.toArray(String[]::new));
        String[] ours = rebase.clone();
        ours[ours.length - 1] = t.resolve("top.img").toString();
        Run run = ImgToolTest.img(ours);
        assertEquals(0, run.status(), run.err());
        Run theirMap = Qemu.run(q, "qemu-img", "map", "-f", format, "--output=json", "top.img");
        Run ourMap = Qemu.run(t, "qemu-img", "map", "-f", format, "--output=json", "top.img");
        assertEquals(theirMap.out(), ourMap.out(), "qemu-img map after the rebase");
        ok(q, "qemu-img", "convert", "-f", format, "-O", "raw", "top.img", "top.bin");
        ok(t, "qemu-img", "convert", "-f", format, "-O", "raw", "top.img", "top.bin");
        assertArrayEquals(Files.readAllBytes(q.resolve("top.bin")), Files.readAllBytes(t.resolve("top.bin")), "the disks' bytes");
        Run check = Qemu.run(t, "qemu-img", "check", "-f", format, "top.img");
        assertEquals(0, check.status(), check.out() + check.err());
    }
}
