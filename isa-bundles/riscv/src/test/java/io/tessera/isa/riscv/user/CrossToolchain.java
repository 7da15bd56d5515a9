package io.tessera.isa.riscv.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The oracles of the RISC-V tests: Debian's cross compiler builds guest programs at test time,
 * and QEMU's user mode runs them beside Tessera's.
 */
public final class CrossToolchain {

    static final String CC = "riscv64-linux-gnu-gcc";
    static final String QEMU = "qemu-riscv64-static";
    /** What the compiler may emit: what the interpreter implements and QEMU 7.2 knows. */
    public static final String MARCH = "-march=rv64gc_zba_zbb_zbs";

    /** How a run ended. */
    public record Outcome(int status, String out, String err) {
    }

    private CrossToolchain() {
    }

    /** Fails the test, with what to install, when the cross compiler or QEMU is missing. */
    public static void requireTools() {
        for (String tool : List.of(CC, QEMU)) {
            assertTrue(onPath(tool), tool + " is not installed: apt-get install gcc-riscv64-linux-gnu qemu-user-static (.ci/run does)");
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Compiles or assembles {@code source} into the static executable {@code binary}, with {@code flags}. */
    public static Path build(Path source, Path binary, String... flags) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CC, "-static", MARCH, "-o", binary.toString()));
        command.addAll(List.of(flags));
        command.add(source.toString());
        Process cc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, cc.waitFor(), "building " + source + ":\n" + log);
        return binary;
    }

    /** Runs {@code binary} under qemu-riscv64-static. */
    public static Outcome qemu(Path binary, String... args) throws IOException, InterruptedException {
        return qemu(binary, null, args);
    }

    /** Runs {@code binary} under qemu-riscv64-static in {@code directory} (null: this one). */
    public static Outcome qemu(Path binary, Path directory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(QEMU, binary.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "qemu did not end");
        return new Outcome(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1), new String(err, StandardCharsets.UTF_8));
    }

    /** Runs {@code binary} in Tessera's user mode, in this JVM. */
    public static Outcome tessera(Path binary, String... args) throws IOException {
        return tessera(binary, null, args);
    }

    /** Runs {@code binary} in Tessera's user mode, in this JVM, in {@code directory} (null: this one). */
    public static Outcome tessera(Path binary, Path directory, String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of(binary.toString()));
        argv.addAll(List.of(args));
        LinuxProcess process = LinuxProcess.load(binary, argv, Map.of("LANG", "C"), null,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (directory != null) {
            process.workingDirectory(directory);
        }
        int status = process.run(new StandardStreams(Channels.newChannel(java.io.InputStream.nullInputStream()),
                Channels.newChannel(out), Channels.newChannel(err)));
        return new Outcome(status, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.UTF_8));
    }
}
