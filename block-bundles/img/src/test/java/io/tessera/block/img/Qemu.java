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

    /**
     * Runs one qemu-img command line with tessera img on {@code ours} and with qemu-img on
     * {@code theirs} (the word FILE in {@code args} stands for the image): statuses and messages
     * must agree, apart from qemu-img's usage hint and its warning about probing raw images.
     *
     * @return tessera img's run
     */
    static Run sideBySide(Path dir, Path ours, Path theirs, String... args) throws Exception {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of(args));
        int file = a.indexOf("FILE");
        a.set(file, ours.toString());
        Run t = ImgToolTest.img(a.toArray(String[]::new));
        a.set(file, theirs.toString());
        a.add(0, "qemu-img");
        Run q = run(dir, a.toArray(String[]::new));
        String what = String.join(" ", args);
        org.junit.jupiter.api.Assertions.assertEquals(q.status(), t.status(), what + ": " + t.err() + " / qemu-img: " + q.err());
        org.junit.jupiter.api.Assertions.assertEquals(q.err().replace("qemu-img: ", "tessera img: ").lines()
                .filter(l -> !l.startsWith("Try ") && !l.startsWith("WARNING") && !l.startsWith(" ")).toList(), t.err().lines().toList(), what);
        return t;
    }

    /** Copies every file of {@code dir} into two sibling directories, q (for QEMU) and t (for Tessera). */
    static Path[] twoCopies(Path dir) throws Exception {
        Path q = java.nio.file.Files.createDirectories(dir.resolve("q"));
        Path t = java.nio.file.Files.createDirectories(dir.resolve("t"));
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                java.nio.file.Files.copy(f, q.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                java.nio.file.Files.copy(f, t.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return new Path[] {q, t};
    }
}
