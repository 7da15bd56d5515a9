package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** tessera img and tessera io side by side with qemu-img and qemu-io on the same images: same output, same statuses, same bytes. */
class ImgToolTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")) && Files.isExecutable(Path.of("/usr/bin/qemu-io")),
                "qemu-utils (qemu-img, qemu-io) is not installed");
    }

    record Run(int status, String out, String err) {
    }

    static Run img(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ImgMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run io(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = IoMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Run qemu(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }

    Path qemuImage(String name, String... createAndIo) throws Exception {
        Path image = dir.resolve(name);
        List<String> create = new ArrayList<>(List.of("qemu-img", "create", "-q"));
        create.addAll(List.of(createAndIo[0].split(" ")));
        create.add(image.toString());
        create.add("16M");
        assertEquals(0, qemu(create.toArray(String[]::new)).status());
        for (int i = 1; i < createAndIo.length; i++) {
            assertEquals(0, qemu("qemu-io", "-f", name.endsWith(".raw") ? "raw" : "qcow2", "-c", createAndIo[i], image.toString()).status());
        }
        return image;
    }

    private Path mixed() throws Exception {
        return qemuImage("mixed.qcow2", "-f qcow2", "write -P 1 0 1M", "write -z 2M 1M", "write -P 2 5M 300k", "write -P 3 15M 1M");
    }

    @ParameterizedTest
    @ValueSource(strings = {"info", "check", "map"})
    void jsonOutputIsQemuImgs(String verb) throws Exception {
        Path image = mixed();
        Path overlay = dir.resolve("overlay.qcow2");
        assertEquals(0, qemu("qemu-img", "create", "-q", "-f", "qcow2", "-b", image.toString(), "-F", "qcow2", overlay.toString()).status());
        assertEquals(0, qemu("qemu-io", "-c", "write -P 9 1M 64k", overlay.toString()).status());
        for (Path p : List.of(image, overlay)) {
            Run ours = img(verb, "--output=json", p.toString());
            Run theirs = qemu("qemu-img", verb, "--output=json", p.toString());
            assertEquals(theirs.status(), ours.status(), ours.err());
            assertEquals(theirs.out().strip(), ours.out().strip(), verb + " of " + p.getFileName());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"check", "map"})
    void humanOutputIsQemuImgs(String verb) throws Exception {
        Path image = mixed();
        Run ours = img(verb, image.toString());
        Run theirs = qemu("qemu-img", verb, image.toString());
        assertEquals(theirs.out(), ours.out());
        assertEquals(theirs.status(), ours.status());
    }

    @Test
    void convertsBetweenFormatsAsQemuReadsThem() throws Exception {
        Path image = mixed();
        Path raw = dir.resolve("out.raw");
        assertEquals(0, img("convert", "-O", "raw", image.toString(), raw.toString()).status());
        Path reference = dir.resolve("reference.raw");
        assertEquals(0, qemu("qemu-img", "convert", "-O", "raw", image.toString(), reference.toString()).status());
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(raw));
        for (String options : List.of("compat=0.10", "cluster_size=4k,refcount_bits=1", "cluster_size=2M")) {
            Path back = dir.resolve("back.qcow2");
            Run run = img("convert", "-p", "-f", "raw", "-O", "qcow2", "-o", options, raw.toString(), back.toString());
            assertEquals(0, run.status(), run.err());
            assertTrue(run.out().startsWith("    (0.00/100%)\r") && run.out().endsWith("    (100.00/100%)\r\n"), run.out());
            assertEquals(0, qemu("qemu-img", "check", "-q", back.toString()).status());
            Run compare = qemu("qemu-img", "compare", reference.toString(), back.toString());
            assertEquals(0, compare.status(), options + ": " + compare.out());
        }
        for (String type : List.of("zlib", "zstd")) {
            Path compressed = dir.resolve("c-" + type + ".qcow2");
            Run convert = img("convert", "-c", "-O", "qcow2", "-o", "compression_type=" + type, raw.toString(), compressed.toString());
            assertEquals(0, convert.status(), convert.err());
            assertEquals(0, qemu("qemu-img", "check", "-q", compressed.toString()).status());
            assertEquals(0, qemu("qemu-img", "compare", reference.toString(), compressed.toString()).status());
            assertTrue(Files.size(compressed) < Files.size(dir.resolve("back.qcow2")), "compressed is smaller");
            assertTrue(qemu("qemu-img", "check", "--output=json", compressed.toString()).out().contains("compressed-clusters"));
        }
    }

    @Test
    void convertsToAndFromQed() throws Exception {
        Path image = mixed();
        Path qed = dir.resolve("out.qed");
        Run run = img("convert", "-O", "qed", image.toString(), qed.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals(0, qemu("qemu-img", "check", "-q", qed.toString()).status());
        assertEquals(0, qemu("qemu-img", "compare", image.toString(), qed.toString()).status());
        for (String verb : List.of("info", "check", "map")) {
            Run ours = img(verb, "--output=json", qed.toString());
            Run theirs = qemu("qemu-img", verb, "--output=json", qed.toString());
            assertEquals(theirs.out().replaceAll("\"actual-size\": \\d+", ""), ours.out().replaceAll("\"actual-size\": \\d+", ""), verb);
        }
    }

    @Test
    void convertMinusNZeroesWhatTheSourceDoesNotHold() throws Exception {
        Path image = mixed();
        Path target = qemuImage("target.qcow2", "-f qcow2", "write -P 7 0 16M");
        assertEquals(0, img("convert", "-n", "-O", "qcow2", image.toString(), target.toString()).status());
        assertEquals(0, qemu("qemu-img", "compare", image.toString(), target.toString()).status());
    }

    @Test
    void compareStatusesAreQemuImgs() throws Exception {
        Path a = mixed();
        Path b = dir.resolve("copy.raw");
        assertEquals(0, qemu("qemu-img", "convert", "-O", "raw", a.toString(), b.toString()).status());
        assertEquals(0, img("compare", a.toString(), b.toString()).status());
        assertEquals(0, qemu("qemu-io", "-f", "raw", "-c", "write -P 5 6M 1", b.toString()).status());
        Run ours = img("compare", a.toString(), b.toString());
        Run theirs = qemu("qemu-img", "compare", a.toString(), b.toString());
        assertEquals(1, ours.status());
        assertEquals(theirs.out(), ours.out());
        assertEquals(2, img("compare", a.toString(), dir.resolve("missing").toString()).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"4M", "5M", "7M", "7340033", "8388607"})
    void compareFindsADifferenceInEitherHalfOfARangeOnlyOneSideHolds(String where) throws Exception {
        // An empty qcow2 image reads as zeroes without reading: compare reads the raw side alone, in two halves at once.
        Path raw = dir.resolve("one.raw");
        Path empty = dir.resolve("empty.qcow2");
        assertEquals(0, qemu("qemu-img", "create", "-q", "-f", "raw", raw.toString(), "12M").status());
        // Written zeroes first, so that the raw file is data throughout, not a hole the file system reports.
        assertEquals(0, qemu("qemu-io", "-f", "raw", "-c", "write -P 0 0 12M", "-c", "write -P 0x11 " + where + " 1", raw.toString()).status());
        assertEquals(0, qemu("qemu-img", "create", "-q", "-f", "qcow2", empty.toString(), "12M").status());
        Run ours = img("compare", "-f", "raw", "-F", "qcow2", raw.toString(), empty.toString());
        Run theirs = qemu("qemu-img", "compare", "-f", "raw", "-F", "qcow2", raw.toString(), empty.toString());
        assertEquals(1, ours.status());
        assertEquals(theirs.out(), ours.out());
    }

    @Test
    void createMakesImagesQemuAccepts() throws Exception {
        Path base = mixed();
        Path overlay = dir.resolve("o.qcow2");
        Run run = img("create", "-q", "-f", "qcow2", "-b", "mixed.qcow2", "-F", "qcow2", overlay.toString());
        assertEquals(0, run.status(), run.err());
        assertEquals(0, qemu("qemu-img", "check", overlay.toString()).status());
        assertEquals(0, qemu("qemu-img", "compare", base.toString(), overlay.toString()).status());
        Run bad = img("create", "-f", "qcow2", "-o", "cluster_size=3000", dir.resolve("bad.qcow2").toString(), "1M");
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("cluster_size"), bad.err());
    }

    @Test
    void checkRepairsLeaks() throws Exception {
        Path image = qemuImage("lazy.qcow2", "-f qcow2 -o lazy_refcounts=on");
        // A qemu-io that dies after writing leaves the dirty bit and stale refcounts: errors for qemu-img check.
        qemu("qemu-io", "-c", "write 0 64k", "-c", "sigraise 9", image.toString());
        Run before = img("check", image.toString());
        assertEquals(qemu("qemu-img", "check", image.toString()).status(), before.status());
        Run repaired = img("check", "-r", "all", image.toString());
        assertEquals(0, repaired.status(), repaired.out() + repaired.err());
        assertEquals(0, qemu("qemu-img", "check", image.toString()).status());
    }

    @Test
    void ioRunsCommandsAsQemuIo() throws Exception {
        Path image = qemuImage("io.qcow2", "-f qcow2");
        Run write = io("", "-f", "qcow2", "-c", "write -P 0x5a 64k 128k", "-c", "write -z 1M 64k", "-c", "discard 64k 64k", image.toString());
        assertEquals(0, write.status(), write.err());
        assertTrue(write.out().startsWith("wrote 131072/131072 bytes at offset 65536\n"), write.out());
        assertEquals(0, qemu("qemu-io", "-f", "qcow2", "-c", "read -P 0x5a 128k 64k", image.toString()).status());
        Run ours = io("", "-f", "qcow2", "-c", "map", image.toString());
        Run theirs = qemu("qemu-io", "-f", "qcow2", "-c", "map", image.toString());
        assertEquals(theirs.out(), ours.out());
        Run mismatch = io("", "-f", "qcow2", "-c", "read -P 0x5b 128k 4k", image.toString());
        assertEquals(1, mismatch.status());
        assertTrue(mismatch.out().startsWith("Pattern verification failed at offset 131072, 4096 bytes"), mismatch.out());
        Run interactive = io("read -P 0x5a 128k 64k\nquit\n", "-f", "qcow2", image.toString());
        assertEquals(0, interactive.status(), interactive.out());
        assertTrue(interactive.out().contains("read 65536/65536 bytes at offset 131072"), interactive.out());
    }
}
