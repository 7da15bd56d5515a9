package io.tessera.block.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs QEMU's qemu-img and qemu-io, the oracle these tests compare against. */
public final class QemuImg {

    public static final Path QEMU_IMG = Path.of("/usr/bin/qemu-img");
    public static final Path QEMU_IO = Path.of("/usr/bin/qemu-io");

    private QemuImg() {
    }

    public static void assumeInstalled() {
        assumeTrue(Files.isExecutable(QEMU_IMG) && Files.isExecutable(QEMU_IO), "qemu-utils (qemu-img, qemu-io) is not installed");
    }

    /** The result of a command. */
    public record Result(int status, String out, String err) {
    }

    public static Result exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        int status = p.waitFor();
        return new Result(status, new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Runs a command that must succeed, and returns its output. */
    public static String run(String... command) throws IOException, InterruptedException {
        Result r = exec(List.of(command));
        if (r.status != 0) {
            fail(String.join(" ", command) + " failed with status " + r.status + ": " + r.err + r.out);
        }
        return r.out;
    }

    public static String img(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = QEMU_IMG.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return run(command);
    }

    /** qemu-io on an image with a list of commands, each a -c. */
    public static void io(String format, Path image, String... commands) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(QEMU_IO.toString(), "-f", format));
        for (String c : commands) {
            command.add("-c");
            command.add(c);
        }
        command.add(image.toString());
        run(command.toArray(String[]::new));
    }
}
