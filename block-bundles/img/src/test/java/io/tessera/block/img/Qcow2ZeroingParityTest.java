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
 * The same qemu-io commands through qemu-io and through tessera io, on two copies of one
 * image: zero clusters that keep their host cluster, unmapping write-zeroes and discards, with
 * and without an external data file. The images must read the same, pass {@code qemu-img
 * check}, have the same {@code qemu-img map} (host offsets included) and leave the same holes in their files.
 */
class Qcow2ZeroingParityTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumeInstalled();
    }

    private Path[] twoCopies() throws Exception {
        return Qemu.twoCopies(dir);
    }

    private void ok(Path where, String... command) throws Exception {
        Run r = Qemu.run(where, command);
        assertEquals(0, r.status(), String.join(" ", command) + ": " + r.out() + r.err());
    }

    /** Runs {@code commands} with qemu-io in q and with tessera io in t, on x.qcow2. */
    private static void bothIo(Path q, Path t, String... commands) throws Exception {
        List<String> qemu = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        List<String> ours = new ArrayList<>(List.of("-f", "qcow2"));
        for (String c : commands) {
            qemu.addAll(List.of("-c", c));
            ours.addAll(List.of("-c", c));
        }
        qemu.add("x.qcow2");
        ours.add(t.resolve("x.qcow2").toString());
        Run theirs = Qemu.run(q, qemu.toArray(String[]::new));
        assertEquals(0, theirs.status(), theirs.err());
        Run run = ImgToolTest.io("", ours.toArray(String[]::new));
        assertEquals(0, run.status(), run.err());
    }

    /**
     * Which ranges of a file hold data and which are holes, as the file system reports them
     * (SEEK_DATA/SEEK_HOLE through qemu-img map of the file as raw). Block counts would also
     * count the file system's own extent blocks, which depend on fragmentation.
     */
    private static String holes(Path file) throws Exception {
        Run r = Qemu.run(file.getParent(), "qemu-img", "map", "-f", "raw", "--output=json", file.toString());
        assertEquals(0, r.status(), r.err());
        return r.out();
    }

    private void assertSameImages(Path q, Path t, String... files) throws Exception {
        for (Path where : List.of(q, t)) {
            Run check = Qemu.run(where, "qemu-img", "check", "x.qcow2");
            assertEquals(0, check.status(), where + ": " + check.out() + check.err());
        }
        Run compare = Qemu.run(q, "qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", "x.qcow2", t.resolve("x.qcow2").toString());
        assertEquals(0, compare.status(), compare.out() + compare.err());
        Run theirs = Qemu.run(q, "qemu-img", "map", "--output=json", "x.qcow2");
        Run ours = Qemu.run(t, "qemu-img", "map", "--output=json", "x.qcow2");
        assertEquals(theirs.out(), ours.out(), "qemu-img map of both images");
        for (String f : files) {
            assertEquals(holes(q.resolve(f)), holes(t.resolve(f)), "data and holes of " + f);
        }
    }

    /**
     * A zero cluster with a host cluster of its own (preallocated, or zeroes written over data
     * without unmap) takes a partial or whole write in that cluster, as QEMU's handle_copied.
     */
    @ParameterizedTest
    @CsvSource({"preallocation=metadata,''", "cluster_size=64k,write -P 1 0 256k", "cluster_size=4k,write -P 1 0 256k",
        "preallocation=falloc,''"})
    void aZeroClusterWithSpaceKeepsItForAWrite(String options, String before) throws Exception {
        ok(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-o", options, "x.qcow2", "1M");
        if (!before.isEmpty()) {
            ok(dir, "qemu-io", "-c", before, "x.qcow2");
        }
        Path[] copies = twoCopies();
        bothIo(copies[0], copies[1], "write -z 0 256k", "write -P 5 4k 4k", "write -P 6 64k 64k", "write -P 7 130k 100",
                "write -P 8 196604 8");
        assertSameImages(copies[0], copies[1], "x.qcow2");
        Run read = ImgToolTest.io("", "-f", "qcow2", "-c", "read -P 0 0 4k", "-c", "read -P 5 4k 4k", "-c", "read -P 0 8k 56k",
                "-c", "read -P 6 64k 64k", "-c", "read -P 7 130k 100", copies[1].resolve("x.qcow2").toString());
        assertEquals(0, read.status(), read.out());
    }

    /**
     * Discards and unmapping write-zeroes give up clusters as QEMU does: the L2 entries become
     * zero clusters without space, the image's clusters are freed and punched out, and with an
     * external data file (raw or not) the range is punched out of the data file.
     */
    @ParameterizedTest
    @CsvSource({"'',discard", "'',write -z -u", "'',write -z", "extended_l2=on,write -z -u", "extended_l2=on,discard",
        "'data_file=x.data,data_file_raw=off',discard", "'data_file=x.data,data_file_raw=off',write -z -u",
        "'data_file=x.data,data_file_raw=off',write -z", "'data_file=x.data,data_file_raw=on',discard",
        "'data_file=x.data,data_file_raw=on',write -z -u", "'data_file=x.data,data_file_raw=on',write -z"})
    void clustersGiveUpTheirSpaceAsInQemu(String options, String command) throws Exception {
        List<String> create = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
        if (!options.isEmpty()) {
            create.addAll(List.of("-o", options));
        }
        create.addAll(List.of("x.qcow2", "4M"));
        ok(dir, create.toArray(String[]::new));
        ok(dir, "qemu-io", "-c", "write -P 1 0 1M", "x.qcow2");
        Path[] copies = twoCopies();
        bothIo(copies[0], copies[1], command + " 64k 256k", command + " 600k 10k", command + " 960k 64k");
        boolean dataFile = options.contains("data_file");
        String[] files = dataFile ? new String[] {"x.qcow2", "x.data"} : new String[] {"x.qcow2"};
        assertSameImages(copies[0], copies[1], files);
        if (dataFile) {
            assertArrayEquals(Files.readAllBytes(copies[0].resolve("x.data")), Files.readAllBytes(copies[1].resolve("x.data")),
                    "the data files' bytes");
        }
    }

    /** Zeroes over clusters an internal snapshot shares: without unmap the entry keeps its (shared) cluster, as in QEMU. */
    @ParameterizedTest
    @CsvSource({"write -z", "write -z -u", "discard"})
    void zeroesOverSharedClustersAsInQemu(String command) throws Exception {
        ok(dir, "qemu-img", "create", "-q", "-f", "qcow2", "x.qcow2", "4M");
        ok(dir, "qemu-io", "-c", "write -P 1 0 1M", "x.qcow2");
        ok(dir, "qemu-img", "snapshot", "-c", "s1", "x.qcow2");
        Path[] copies = twoCopies();
        bothIo(copies[0], copies[1], command + " 64k 256k", "write -P 3 128k 64k");
        Run theirs = Qemu.run(copies[0], "qemu-img", "map", "--output=json", "x.qcow2");
        Run ours = Qemu.run(copies[1], "qemu-img", "map", "--output=json", "x.qcow2");
        // QEMU's map may look into the file for zeroes (when it takes the image for metadata-preallocated): compare
        // offsets, data and presence.
        assertEquals(theirs.out().replaceAll("\"zero\": \\w+, ", ""), ours.out().replaceAll("\"zero\": \\w+, ", ""));
        for (Path where : copies) {
            Run check = Qemu.run(where, "qemu-img", "check", "x.qcow2");
            assertEquals(0, check.status(), check.out());
        }
        Run compare = Qemu.run(copies[0], "qemu-img", "compare", "x.qcow2", copies[1].resolve("x.qcow2").toString());
        assertEquals(0, compare.status(), compare.out());
    }
}
