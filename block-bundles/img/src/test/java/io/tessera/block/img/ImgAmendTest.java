package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.img.ImgToolTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tessera img amend beside qemu-img amend on copies of the same images: same statuses, messages, format details, check and contents. */
class ImgAmendTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void installed() {
        Qemu.assumeInstalled();
    }

    /** What qemu-img sees of an image: its format details, its check, its contents. */
    private String state(Path image) throws Exception {
        String info = Qemu.run(dir, "qemu-img", "info", "--output=json", image.toString()).out().replaceAll("\\s", "");
        int at = info.indexOf("\"format-specific\"");
        String specific = at < 0 ? "" : info.substring(at, info.indexOf('}', info.indexOf("\"data\"", at)) + 1);
        Path raw = dir.resolve("state.raw");
        Files.deleteIfExists(raw);
        assertEquals(0, Qemu.run(dir, "qemu-img", "convert", "-O", "raw", image.toString(), raw.toString()).status());
        return specific + " check=" + Qemu.run(dir, "qemu-img", "check", "-q", image.toString()).status()
                + " contents=" + java.util.Arrays.hashCode(Files.readAllBytes(raw));
    }

    private void both(Path ours, Path theirs, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("amend"));
        a.addAll(List.of(args));
        a.add("FILE");
        Qemu.sideBySide(dir, ours, theirs, a.toArray(String[]::new));
        assertEquals(state(theirs), state(ours), String.join(" ", args));
    }

    @Test
    void amendDoesWhatQemuImgDoes() throws Exception {
        Path base = dir.resolve("base.qcow2");
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "8M").status());
        assertEquals(0, Qemu.run(dir, "qemu-io", "-c", "write -P 7 0 8M", base.toString()).status());
        Path ours = dir.resolve("ours.qcow2");
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", ours.toString()).status());
        assertEquals(0, Qemu.run(dir, "qemu-io", "-c", "write -P 1 0 1M", "-c", "write -z 2M 1M", "-c", "write -z 4M 64k",
                "-c", "write -P 2 5M 100k", ours.toString()).status());
        Path theirs = dir.resolve("theirs.qcow2");
        Files.copy(ours, theirs);
        both(ours, theirs, "-o", "lazy_refcounts=on");
        both(ours, theirs, "-o", "refcount_bits=4");
        both(ours, theirs, "-o", "refcount_bits=64,lazy_refcounts=off");
        both(ours, theirs, "-o", "compat=0.10");
        both(ours, theirs, "-o", "compat=0.10,lazy_refcounts=on");
        both(ours, theirs, "-o", "refcount_bits=16");
        both(ours, theirs, "-o", "compat=0.10");
        both(ours, theirs, "-o", "compat=1.1");
        both(ours, theirs, "-o", "compat=0.10,refcount_bits=8");
        both(ours, theirs, "-o", "compat=1.1,refcount_bits=1");
        both(ours, theirs, "-o", "refcount_bits=3");
        both(ours, theirs, "-o", "compat=2");
        both(ours, theirs, "-o", "lazy_refcounts=maybe");
        both(ours, theirs, "-o", "cluster_size=4k");
        both(ours, theirs, "-o", "foo=1");
        both(ours, theirs, "-o", "backing_file=base.qcow2,backing_fmt=qcow2");
        both(ours, theirs, "-o", "backing_fmt=qcow2");
        both(ours, theirs, "-o", "backing_file=other.qcow2,backing_fmt=qcow2");
        both(ours, theirs);
        Path raw = dir.resolve("r.raw");
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "raw", raw.toString(), "1M").status());
        Run refused = ImgToolTest.img("amend", "-f", "raw", "-o", "size=2M", raw.toString());
        assertEquals(1, refused.status());
        assertEquals("tessera img: Format driver 'raw' does not support option amendment\n", refused.err());
    }

    @Test
    void refusesToDowngradeWhatAVersion2ImageCannotHold() throws Exception {
        Path image = dir.resolve("b.qcow2");
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "4M").status());
        assertEquals(0, Qemu.run(dir, "qemu-img", "bitmap", "--add", image.toString(), "b").status());
        Run bitmaps = ImgToolTest.img("amend", "-o", "compat=0.10", image.toString());
        assertEquals(1, bitmaps.status());
        assertTrue(bitmaps.err().contains("persistent bitmaps"), bitmaps.err());
        Path snapshot = dir.resolve("s.qcow2");
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", snapshot.toString(), "4M").status());
        assertEquals(0, Qemu.run(dir, "qemu-io", "-c", "write -P 1 0 1M", "-c", "write -z 64k 128k", snapshot.toString()).status());
        assertEquals(0, Qemu.run(dir, "qemu-img", "snapshot", "-c", "s", snapshot.toString()).status());
        Run zeroes = ImgToolTest.img("amend", "-o", "compat=0.10", snapshot.toString());
        assertEquals(1, zeroes.status());
        assertTrue(zeroes.err().contains("zero clusters"), zeroes.err());
        assertEquals(0, Qemu.run(dir, "qemu-img", "check", "-q", snapshot.toString()).status(), "a refused amend changes nothing");
        // Narrower refcounts than the counts need are refused before anything is written.
        Run narrow = ImgToolTest.img("amend", "-o", "refcount_bits=1", snapshot.toString());
        assertEquals(1, narrow.status());
        assertTrue(narrow.err().contains("refcount"), narrow.err());
        Run wide = ImgToolTest.img("amend", "-o", "refcount_bits=2", snapshot.toString());
        assertEquals(0, wide.status(), wide.err());
        assertEquals(0, Qemu.run(dir, "qemu-img", "check", "-q", snapshot.toString()).status());
        assertTrue(Qemu.run(dir, "qemu-img", "info", snapshot.toString()).out().contains("refcount bits: 2"));
    }
}
