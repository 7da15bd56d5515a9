package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.block.img.ImgToolTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tessera img bitmap beside qemu-img bitmap on copies of the same images: same statuses, messages, and what qemu-img info then lists. */
class ImgBitmapTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void installed() {
        Qemu.assumeInstalled();
    }

    private Run qemu(String... command) throws Exception {
        return Qemu.run(dir, command);
    }

    /** The bitmaps qemu-img info lists, and whether qemu-img check finds the image clean. */
    private String state(Path image) throws Exception {
        String info = qemu("qemu-img", "info", "--output=json", image.toString()).out().replaceAll("\\s", "");
        int at = info.indexOf("\"bitmaps\"");
        String bitmaps = at < 0 ? "none" : info.substring(at, info.indexOf(']', info.indexOf("\"granularity\"", at)) + 1);
        return bitmaps + " check=" + qemu("qemu-img", "check", "-q", image.toString()).status();
    }

    /** The same bitmap command on both images; statuses, messages (without qemu-img's usage hint) and resulting bitmaps must agree. */
    private void both(Path ours, Path theirs, String... args) throws Exception {
        Qemu.sideBySide(dir, ours, theirs, args);
        assertEquals(state(theirs), state(ours), String.join(" ", args));
    }

    @Test
    void bitmapVerbsDoWhatQemuImgDoes() throws Exception {
        Path ours = dir.resolve("ours.qcow2");
        Path theirs = dir.resolve("theirs.qcow2");
        Path source = dir.resolve("source.qcow2");
        assertEquals(0, qemu("qemu-img", "create", "-q", "-f", "qcow2", ours.toString(), "32M").status());
        assertEquals(0, qemu("qemu-io", "-c", "write -P 1 0 2M", ours.toString()).status());
        Files.copy(ours, theirs);
        assertEquals(0, qemu("qemu-img", "create", "-q", "-f", "qcow2", source.toString(), "32M").status());
        assertEquals(0, qemu("qemu-img", "bitmap", "--add", "-g", "1M", source.toString(), "src").status());
        assertEquals(0, qemu("qemu-io", "-c", "write 5M 3M", source.toString()).status());
        both(ours, theirs, "bitmap", "--add", "FILE", "a");
        both(ours, theirs, "bitmap", "--add", "FILE", "a");
        both(ours, theirs, "bitmap", "--add", "-g", "4k", "--disable", "FILE", "b");
        both(ours, theirs, "bitmap", "--add", "-g", "3000", "FILE", "c");
        both(ours, theirs, "bitmap", "--add", "-g", "0", "FILE", "c");
        both(ours, theirs, "bitmap", "--merge", "src", "-b", source.toString(), "-F", "qcow2", "FILE", "b");
        both(ours, theirs, "bitmap", "--merge", "b", "FILE", "a");
        both(ours, theirs, "bitmap", "--merge", "nope", "FILE", "a");
        both(ours, theirs, "bitmap", "--merge", "b", "FILE", "nope");
        both(ours, theirs, "bitmap", "--disable", "--clear", "FILE", "a");
        both(ours, theirs, "bitmap", "--enable", "FILE", "b");
        both(ours, theirs, "bitmap", "--remove", "FILE", "c");
        both(ours, theirs, "bitmap", "--remove", "FILE", "c");
        both(ours, theirs, "bitmap", "--clear", "FILE", "zz");
        both(ours, theirs, "bitmap", "FILE", "a");
        both(ours, theirs, "bitmap", "-g", "64k", "--remove", "FILE", "a");
        both(ours, theirs, "bitmap", "-b", source.toString(), "--remove", "FILE", "a");
        both(ours, theirs, "bitmap", "-F", "qcow2", "--remove", "FILE", "a");
        both(ours, theirs, "bitmap", "--add", "FILE");
        // The bits themselves: qemu-img merges what this tool stored into a bitmap of its own, on both images alike.
        for (Path p : List.of(ours, theirs)) {
            assertEquals(0, qemu("qemu-img", "bitmap", "--add", "-g", "512", p.toString(), "probe").status());
            assertEquals(0, qemu("qemu-img", "bitmap", "--merge", "b", p.toString(), "probe").status());
        }
        assertEquals(state(theirs), state(ours));
        both(ours, theirs, "bitmap", "--remove", "FILE", "a");
        both(ours, theirs, "bitmap", "--remove", "FILE", "b");
        both(ours, theirs, "bitmap", "--remove", "FILE", "probe");
        Path v2 = dir.resolve("v2.qcow2");
        assertEquals(0, qemu("qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=0.10", v2.toString(), "1M").status());
        Run refused = ImgToolTest.img("bitmap", "--add", v2.toString(), "x");
        assertEquals(1, refused.status());
        assertEquals(true, refused.err().contains("Cannot store dirty bitmaps in qcow2 v2 files"), refused.err());
    }
}
