package io.tessera.block.qcow2;

import io.tessera.block.testing.FailingNode;
import io.tessera.block.testing.QemuImg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Amending killed after every number of writes: qemu-img accepts the image, reads the same disk, and sees the old options or the new. */
class Qcow2AmendTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    @ParameterizedTest
    @CsvSource({"refcount_bits=8,refcount bits: 8", "refcount_bits=64,refcount bits: 64", "compat=0.10,compat: 0.10",
        "lazy_refcounts=on,lazy refcounts: true"})
    void anAmendKilledAtAnyPointLeavesTheOldImageOrTheNew(String option, String infoLine) throws Exception {
        Path base = dir.resolve("base.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", base.toString(), "4M");
        QemuImg.io("qcow2", base, "write -P 9 0 4M");
        Path pristine = dir.resolve("pristine.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=4k", "-b", "base.qcow2", "-F", "qcow2", pristine.toString());
        QemuImg.io("qcow2", pristine, "write -P 1 0 1M", "write -z 1M 64k", "write -z 2M 3k", "write -P 2 3M 100k");
        Path reference = dir.resolve("reference.raw");
        QemuImg.img("convert", "-O", "raw", pristine.toString(), reference.toString());
        byte[] contents = Files.readAllBytes(reference);
        int points = 0;
        for (int stopAfter = 0; ; stopAfter++) {
            Path image = dir.resolve("crash.qcow2");
            Files.copy(pristine, image, StandardCopyOption.REPLACE_EXISTING);
            FailingNode file = new FailingNode(new FileDriver().open(new BlockOpenRequest(image.toString(), null, false, Map.of())), stopAfter);
            boolean crashed = false;
            try {
                BlockNode node = new Qcow2Driver().open(new BlockOpenRequest(image.toString(), file, false, Map.of(),
                        Qcow2ReadTest.GRAPH.opener()));
                node.amend(Map.of(option.substring(0, option.indexOf('=')), option.substring(option.indexOf('=') + 1)));
                node.close();
            } catch (FailingNode.Killed e) {
                crashed = true;
                file.abandon();
            }
            String when = option + " killed after " + stopAfter + " writes";
            QemuImg.Result check = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "check", image.toString()));
            assertTrue(check.status() == 0 || check.status() == 3, when + ": " + check.out() + check.err());
            Path raw = dir.resolve("now.raw");
            Files.deleteIfExists(raw);
            QemuImg.img("convert", "-O", "raw", image.toString(), raw.toString());
            assertArrayEquals(contents, Files.readAllBytes(raw), when);
            if (!crashed) {
                Qcow2ReadTest.assertClean(image);
                String info = QemuImg.img("info", image.toString());
                assertTrue(info.contains(infoLine), when + ": " + info);
                break;
            }
            points++;
        }
        assertTrue(points > 0, option + " was killed at " + points + " points");
    }
}
