package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.block.img.ImgToolTest.Run;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the verbs say when the image cannot be opened, side by side with qemu-img 7.2: a missing
 * file, a directory, a file of another format than {@code -f} names, a file that cannot be
 * created. Words with an @ stand for files of the test's directory (absolute, so both tools see
 * the same names).
 */
class ImgErrorParityTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumeInstalled();
    }

    @BeforeEach
    void images() throws Exception {
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "raw", "r.raw", "1M").status());
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "q.qcow2", "1M").status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"info @missing", "info --output=json @missing", "check @missing", "map @missing",
        "convert -O raw @missing @out", "compare @missing @r.raw", "compare @r.raw @missing", "snapshot -l @missing",
        "resize @missing 2M", "rebase -u -b @r.raw -F raw @missing", "commit @missing", "amend -o compat=v3 @missing",
        "measure -O qcow2 @missing", "info -f qcow2 @r.raw", "check -f qcow2 @r.raw", "map -f qed @r.raw", "info -f qed @q.qcow2",
        "convert -f qcow2 -O raw @r.raw @out", "info @", "check @", "create -f qcow2 @no/such/dir 1M", "create -f raw @no/x 1M"})
    void saysWhatQemuImgSays(String command) throws Exception {
        List<String> args = new ArrayList<>();
        for (String word : command.split(" ")) {
            args.add(word.startsWith("@") ? dir.resolve(word.substring(1)).toString() : word);
        }
        Run ours = ImgToolTest.img(args.toArray(String[]::new));
        args.add(0, "qemu-img");
        Run theirs = Qemu.run(dir, args.toArray(String[]::new));
        assertEquals(theirs.status(), ours.status(), command + ": " + ours.err() + " / qemu-img: " + theirs.err());
        assertEquals(theirs.err().replace("qemu-img: ", "tessera img: ").lines().filter(l -> !l.startsWith("WARNING") && !l.startsWith(" "))
                .toList(), ours.err().lines().toList(), command);
    }
}
