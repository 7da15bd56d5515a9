package io.tessera.block.img;

import io.tessera.block.img.ImgToolTest.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs qemu-img or qemu-io, the oracle, in a directory. */
final class Qemu {

    private Qemu() {
    }

    static void assumeInstalled() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/qemu-img"))
                && java.nio.file.Files.isExecutable(Path.of("/usr/bin/qemu-io")), "qemu-utils (qemu-img, qemu-io) is not installed");
    }

    static Run run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }
}
