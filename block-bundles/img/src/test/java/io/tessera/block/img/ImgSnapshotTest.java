package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.img.ImgToolTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tessera img snapshot and convert -l beside qemu-img's on copies of the same images: same statuses, messages, listings and bytes. */
class ImgSnapshotTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void installed() {
        Qemu.assumeInstalled();
    }

    private Run qemu(String... command) throws Exception {
        return Qemu.run(dir, command);
    }

    /** Runs the same qemu-img command line on {@code ours} with tessera img and on {@code theirs} with qemu-img; both must agree. */
    private Run both(Path ours, Path theirs, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("FILE");
        return Qemu.sideBySide(dir, ours, theirs, a.toArray(String[]::new));
    }

    private byte[] raw(Path image, String... convertOptions) throws Exception {
        Path out = dir.resolve("view.raw");
        Files.deleteIfExists(out);
        List<String> c = new ArrayList<>(List.of("qemu-img", "convert", "-O", "raw"));
        c.addAll(List.of(convertOptions));
        c.add(image.toString());
        c.add(out.toString());
        Run r = qemu(c.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        return Files.readAllBytes(out);
    }

    private static String listing(Run r) {
        // Dates differ between the two runs; ids, names and sizes must not.
        return r.out().lines().map(l -> l.length() > 36 ? l.substring(0, 36) : l).toList().toString();
    }

    @Test
    void snapshotVerbsDoWhatQemuImgDoes() throws Exception {
        Path ours = dir.resolve("ours.qcow2");
        Path theirs = dir.resolve("theirs.qcow2");
        assertEquals(0, qemu("qemu-img", "create", "-q", "-f", "qcow2", ours.toString(), "8M").status());
        assertEquals(0, qemu("qemu-io", "-c", "write -P 1 0 2M", "-c", "write -P 2 6M 100k", ours.toString()).status());
        Files.copy(ours, theirs);
        byte[] first = raw(ours);
        both(ours, theirs, "snapshot", "-c", "one");
        both(ours, theirs, "snapshot", "-c", "one");
        assertEquals(0, qemu("qemu-io", "-c", "write -P 3 1M 2M", ours.toString()).status());
        assertEquals(0, qemu("qemu-io", "-c", "write -P 3 1M 2M", theirs.toString()).status());
        byte[] second = raw(ours);
        both(ours, theirs, "snapshot", "-c", "two");
        String listed = listing(both(ours, theirs, "snapshot", "-l"));
        assertEquals(listing(qemu("qemu-img", "snapshot", "-l", theirs.toString())), listed);
        assertTrue(listed.contains("3         two"), listed);
        assertEquals(0, qemu("qemu-img", "check", "-q", ours.toString()).status());
        // What both tools print about the image this tool changed is the same, byte for byte.
        for (String verb : List.of("info", "check")) {
            for (String output : List.of("human", "json")) {
                Run mine = ImgToolTest.img(verb, "--output=" + output, ours.toString());
                Run oracle = qemu("qemu-img", verb, "--output=" + output, ours.toString());
                assertEquals(oracle.status(), mine.status(), verb + " " + mine.err());
                assertEquals(oracle.out(), mine.out(), verb + " --output=" + output);
            }
        }
        // apply finds an id first, then a name; delete finds a name only.
        both(ours, theirs, "snapshot", "-a", "1");
        assertArrayEquals(first, raw(ours));
        both(ours, theirs, "snapshot", "-a", "two");
        assertArrayEquals(second, raw(ours));
        both(ours, theirs, "snapshot", "-a", "nope");
        both(ours, theirs, "snapshot", "-d", "2");
        both(ours, theirs, "snapshot", "-d", "one");
        assertEquals(listing(qemu("qemu-img", "snapshot", "-l", theirs.toString())), listing(ImgToolTest.img("snapshot", "-l", ours.toString())));
        assertEquals(0, qemu("qemu-img", "check", "-q", ours.toString()).status());
        assertArrayEquals(raw(theirs), raw(ours));
        // convert -l reads a snapshot, named in each of qemu-img's ways.
        for (String param : List.of("snapshot.name=two", "3", "two", "snapshot.id=3", "snapshot.id=3,snapshot.name=two")) {
            Path out = dir.resolve("out.raw");
            Run run = ImgToolTest.img("convert", "-O", "raw", "-l", param, ours.toString(), out.toString());
            assertEquals(0, run.status(), run.err());
            assertArrayEquals(second, Files.readAllBytes(out), param);
            assertArrayEquals(second, raw(ours, "-l", param), param);
        }
        for (String param : List.of("snapshot.name=zz", "snapshot.id=1,snapshot.name=two", "zz")) {
            Run t = ImgToolTest.img("convert", "-O", "raw", "-l", param, ours.toString(), dir.resolve("x.raw").toString());
            Run q = qemu("qemu-img", "convert", "-O", "raw", "-l", param, ours.toString(), dir.resolve("y.raw").toString());
            assertEquals(q.status(), t.status());
            assertEquals(q.err().replace("qemu-img: ", "tessera img: "), t.err(), param);
        }
        Run bad = ImgToolTest.img("convert", "-O", "raw", "-l", "snapshot.foo=1", ours.toString(), dir.resolve("x.raw").toString());
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("snapshot.foo"), bad.err());
    }

    /** qemu-img warns about probing raw images (and tessera img does not): the rest must be the same. */
    @Test
    void refusalsAreQemuImgs() throws Exception {
        Path ours = dir.resolve("ours.raw");
        Path theirs = dir.resolve("theirs.raw");
        assertEquals(0, qemu("qemu-img", "create", "-q", "-f", "raw", ours.toString(), "1M").status());
        Files.copy(ours, theirs, StandardCopyOption.REPLACE_EXISTING);
        both(ours, theirs, "snapshot", "-c", "x");
        both(ours, theirs, "snapshot", "-a", "x");
        both(ours, theirs, "snapshot", "-d", "x");
        both(ours, theirs, "snapshot", "-l");
        both(ours, theirs, "snapshot");
        both(ours, theirs, "snapshot", "-c", "a", "-d", "b");
        assertEquals(1, ImgToolTest.img("snapshot", "-f", "raw", "-l", ours.toString()).status(), "qemu-img 7.2's snapshot takes no -f");
        Run t = ImgToolTest.img("convert", "-f", "raw", "-O", "raw", "-l", "x", ours.toString(), dir.resolve("x.raw").toString());
        Run q = qemu("qemu-img", "convert", "-f", "raw", "-O", "raw", "-l", "x", theirs.toString(), dir.resolve("y.raw").toString());
        assertEquals(q.status(), t.status());
        assertEquals(q.err().replace("qemu-img: ", "tessera img: "), t.err());
    }
}
