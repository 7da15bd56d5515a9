package io.tessera.block.img;

import static io.tessera.block.img.ImgToolTest.img;
import static io.tessera.block.img.ImgToolTest.io;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Side by side with qemu-img and qemu-io: progress lines of commit and rebase, compressed
 * conversion to vmdk, vmdk's info fields, and the file protocol's fallocate and hole punching.
 */
class ImgBlockMiscTest {

    private static final Pattern PROGRESS = Pattern.compile(" {4}\\((\\d+\\.\\d\\d)/100%\\)\\r");

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumeInstalled();
    }

    private ImgToolTest.Run qemu(String... command) throws Exception {
        return Qemu.run(dir, command);
    }

    private void ok(String... command) throws Exception {
        ImgToolTest.Run r = qemu(command);
        assertEquals(0, r.status(), String.join(" ", command) + ": " + r.err());
    }

    /**
     * Checks a progress line as qemu-img prints it: 0.00 first, percentages that never go back,
     * 100.00 twice at the end (the last update, then the end) and a newline, then {@code tail}.
     */
    private static void assertProgress(String out, String tail) {
        assertTrue(out.startsWith("    (0.00/100%)\r"), out);
        assertTrue(out.endsWith("    (100.00/100%)\r    (100.00/100%)\r\n" + tail), out);
        Matcher m = PROGRESS.matcher(out);
        double last = -1;
        int lines = 0;
        while (m.find()) {
            double p = Double.parseDouble(m.group(1));
            assertTrue(p >= last, "progress went back from " + last + " to " + p + ": " + out);
            last = p;
            lines++;
        }
        assertTrue(lines >= 4, "progress along the way, not only its ends: " + out);
    }

    private Path chain(String top) throws Exception {
        ok("qemu-img", "create", "-q", "-f", "qcow2", "base.qcow2", "16M");
        ok("qemu-io", "-c", "write -P 1 0 4M", "base.qcow2");
        ok("qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", top);
        ok("qemu-io", "-c", "write -P 2 1M 3M", "-c", "write -P 3 9M 5M", top);
        return dir.resolve(top);
    }

    @Test
    void commitAndRebaseShowProgressAsQemuImg() throws Exception {
        Path top = chain("top.qcow2");
        ImgToolTest.Run commit = img("commit", "-p", top.toString());
        assertEquals(0, commit.status(), commit.err());
        assertProgress(commit.out(), "Image committed.\n");
        ImgToolTest.Run quiet = img("commit", "-p", "-q", top.toString());
        assertEquals("", quiet.out(), "-q silences -p, as in qemu-img");

        ok("qemu-img", "create", "-q", "-f", "qcow2", "other.qcow2", "16M");
        ok("qemu-io", "-c", "write -P 4 0 16M", "other.qcow2");
        ImgToolTest.Run rebase = img("rebase", "-p", "-b", "other.qcow2", "-F", "qcow2", top.toString());
        assertEquals(0, rebase.status(), rebase.err());
        assertProgress(rebase.out(), "");
        // Unsafe rebase copies nothing: qemu-img prints the start and the end only, and so must we.
        ImgToolTest.Run unsafe = img("rebase", "-u", "-p", "-b", "base.qcow2", "-F", "qcow2", top.toString());
        ImgToolTest.Run theirs = qemu("qemu-img", "rebase", "-u", "-p", "-b", "other.qcow2", "-F", "qcow2", top.toString());
        assertEquals(theirs.out(), unsafe.out());
        assertEquals("    (0.00/100%)\r    (100.00/100%)\r\n", unsafe.out());
        ok("qemu-img", "check", "-q", top.toString());
    }

    @Test
    void convertProgressIsQemuImgs() throws Exception {
        Path top = chain("conv.qcow2");
        ImgToolTest.Run ours = img("convert", "-p", "-O", "raw", top.toString(), dir.resolve("ours.raw").toString());
        assertEquals(0, ours.status(), ours.err());
        assertProgress(ours.out(), "");
    }

    /**
     * {@code convert -c -O vmdk}: qemu-img accepts it for every subformat and stores compressed
     * grains only in a stream-optimized one (monolithicSparse grains stay plain); a stream is
     * deflated even without {@code -c}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"-c", "-c,subformat=streamOptimized", "subformat=streamOptimized"})
    void convertsCompressedToVmdkAsQemuImg(String how) throws Exception {
        Path source = chain("source.qcow2");
        Path reference = dir.resolve("reference.raw");
        ok("qemu-img", "convert", "-O", "raw", source.toString(), reference.toString());
        for (String tool : List.of("qemu", "tessera")) {
            Path target = dir.resolve(tool + ".vmdk");
            List<String> args = new java.util.ArrayList<>(List.of("convert", "-O", "vmdk"));
            for (String part : how.split(",")) {
                if (part.equals("-c")) {
                    args.add("-c");
                } else {
                    args.addAll(List.of("-o", part));
                }
            }
            args.addAll(List.of(source.toString(), target.toString()));
            if (tool.equals("qemu")) {
                List<String> command = new java.util.ArrayList<>(List.of("qemu-img"));
                command.addAll(args);
                ok(command.toArray(String[]::new));
            } else {
                ImgToolTest.Run run = img(args.toArray(String[]::new));
                assertEquals(0, run.status(), run.err());
            }
            ok("qemu-img", "check", "-q", target.toString());
            ok("qemu-img", "compare", "-q", reference.toString(), target.toString());
        }
        // The same kind of grains as qemu-img's: map tells compressed grains (no offset) from plain ones.
        ImgToolTest.Run theirs = qemu("qemu-img", "map", "--output=json", "qemu.vmdk");
        ImgToolTest.Run ours = qemu("qemu-img", "map", "--output=json", "tessera.vmdk");
        assertEquals(theirs.out().contains("\"offset\""), ours.out().contains("\"offset\""), ours.out());
        boolean stream = how.contains("streamOptimized");
        assertEquals(!stream, ours.out().contains("\"offset\""), "plain grains have a host offset: " + ours.out());
        if (stream) {
            assertEquals(0, io("", "-f", "vmdk", "-c", "read 0 64k", dir.resolve("tessera.vmdk").toString()).status());
        }
    }

    /**
     * qemu-img info for vmdk images: cid, parent cid, create type and extents with their fields,
     * the disk size summed over the extent files, a delta disk's parent format; human and JSON.
     */
    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "streamOptimized", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat", "delta"})
    void vmdkInfoIsQemuImgs(String subformat) throws Exception {
        if (subformat.equals("delta")) {
            ok("qemu-img", "create", "-q", "-f", "vmdk", "parent.vmdk", "5M");
            ok("qemu-img", "create", "-q", "-f", "vmdk", "-b", "parent.vmdk", "-F", "vmdk", "v.vmdk");
        } else {
            ok("qemu-img", "create", "-q", "-f", "vmdk", "-o", "subformat=" + subformat, "v.vmdk", "5M");
        }
        ok("qemu-io", "-f", "vmdk", "-c", "write -P 1 1M 1M", "v.vmdk");
        String absolute = dir.resolve("v.vmdk").toString();
        for (String output : List.of("human", "json")) {
            assertEquals(qemu("qemu-img", "info", "--output=" + output, absolute).out(), img("info", "--output=" + output, absolute).out(), output);
        }
        // With a relative name qemu-img names the extent files relative to it too.
        String theirs = qemu("qemu-img", "info", "v.vmdk").out();
        String ours = img("info", absolute).out().replace(dir + "/", "");
        assertEquals(theirs.substring(theirs.indexOf("Format specific information:")), ours.substring(ours.indexOf("Format specific information:")));
    }

    private static long allocatedBytes(Path path) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b", path.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor());
        return Long.parseLong(out) * 512;
    }

    /**
     * The host blocks behind raw images, after the same steps by qemu-img/qemu-io and by
     * tessera img/io: preallocation=falloc, discard, write-zeroes with and without unmap.
     */
    @Test
    void rawFilesTakeAndFreeTheSameBlocksAsWithQemu() throws Exception {
        assumeTrue(System.getProperty("os.name", "").equals("Linux"), "fallocate(2) is Linux's");
        Path theirs = dir.resolve("qemu.raw");
        Path ours = dir.resolve("tessera.raw");
        ok("qemu-img", "create", "-q", "-f", "raw", "-o", "preallocation=falloc", theirs.toString(), "16M");
        assertEquals(0, img("create", "-q", "-f", "raw", "-o", "preallocation=falloc", ours.toString(), "16M").status());
        assertEquals(allocatedBytes(theirs), allocatedBytes(ours), "falloc");
        assertTrue(allocatedBytes(ours) >= 16 << 20, "every block reserved");
        String[] steps = {"write -P 7 0 16M", "discard 1M 2M", "write -z -u 4M 1M", "write -z 6M 1M", "discard 8M 64k"};
        for (String step : steps) {
            ok("qemu-io", "-f", "raw", "-c", step, theirs.toString());
            ImgToolTest.Run run = io("", "-f", "raw", "-c", step, ours.toString());
            assertEquals(0, run.status(), step + ": " + run.err());
            assertEquals(allocatedBytes(theirs), allocatedBytes(ours), "after " + step);
        }
        assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours));
        // Growing by falloc, as qemu-img resize --preallocation=falloc.
        ok("qemu-img", "resize", "-q", "-f", "raw", "--preallocation=falloc", theirs.toString(), "24M");
        assertEquals(0, img("resize", "-q", "-f", "raw", "--preallocation=falloc", ours.toString(), "24M").status());
        assertEquals(allocatedBytes(theirs), allocatedBytes(ours), "resize with falloc");
    }
}
