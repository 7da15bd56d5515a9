package io.tessera.isa.riscv.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Debian's busybox-static for riscv64 (trixie), fetched by run/guests/fetch into the guest
 * cache, runs its applets under Tessera with the same output and status as under
 * qemu-riscv64-static, and byte for byte the output of the host's own amd64 busybox; so do
 * {@code sh -c} scripts, whose pipelines, subshells and command substitutions fork emulated
 * processes connected by pipes. Scripts whose applets execve busybox again (xargs runs its
 * command through /proc/self/exe) are compared with the native busybox only: QEMU, without
 * binfmt_misc on the host, cannot execve a riscv64 program.
 */
class BusyboxTest {

    private static final String NATIVE_BUSYBOX = "/bin/busybox";
    private static Path busybox;

    @TempDir
    static Path work;

    @BeforeAll
    static void fetchAndPrepare() throws Exception {
        CrossToolchain.requireTools();
        Process fetch = new ProcessBuilder(Path.of("../../run/guests/fetch").toAbsolutePath().toString(), "busybox-static")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String root = new String(fetch.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, fetch.waitFor(), "run/guests/fetch failed");
        busybox = Path.of(root, "usr/bin/busybox");
        assertTrue(Files.isExecutable(Path.of(NATIVE_BUSYBOX)), "the host's busybox is missing: apt-get install busybox (.ci/run does)");
        assertTrue(Files.isRegularFile(busybox), "no busybox in " + root);
        Random random = new Random(42);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            text.append("line ").append(random.nextInt(1000)).append(' ').append(Long.toHexString(random.nextLong())).append('\n');
        }
        Files.writeString(work.resolve("in.txt"), text);
        byte[] binary = new byte[300_000];
        random.nextBytes(binary);
        Files.write(work.resolve("in.bin"), binary);
        Path tree = Files.createDirectories(work.resolve("tree/sub/deeper"));
        Files.writeString(tree.resolve("leaf.txt"), "leaf\n");
        Files.writeString(work.resolve("tree/sub/b.txt"), "b\n");
        Files.writeString(work.resolve("tree/a.txt"), "a\n");
    }

    @ParameterizedTest(name = "busybox sh -c {0}")
    @ValueSource(strings = {
        "cat in.txt | sort | uniq -c | sort -n | tail -3",
        "gzip -c in.bin | gunzip -c | md5sum",
        "for i in 1 2 3; do echo $i; done | wc -l",
        "exit 3",
        "awk \"{s+=\\$2} END {print s}\" in.txt",
        "ls tree | sed s/a/A/",
        "yes | head -n 2",
        "x=$(echo sub | tr a-z A-Z); echo \"[$x]\"; (exit 4); echo $?",
        "false | true; echo $?; true | false",
        "trap \"echo trapped\" USR1; kill -USR1 $$; echo after",
        "sleep 0.1 & wait; echo waited",
        "cat in.txt | head -n 1000 | sort -r | tail -n 2 > out.txt; wc -l < out.txt",
        "seq 1 200 | while read n; do echo $((n * n)); done | tail -n 2",
        "kill -9 $$"})
    void shellScriptMatchesQemuAndNativeBusybox(String script) throws Exception {
        CrossToolchain.Outcome expected = CrossToolchain.qemu(busybox, work, "sh", "-c", script);
        CrossToolchain.Outcome actual = CrossToolchain.tessera(busybox, work, "sh", "-c", script);
        assertEquals(expected.out(), actual.out(), "stderr: " + actual.err());
        assertEquals(expected.status(), actual.status(), "stderr: " + actual.err());
        assertEquals(expected.err(), actual.err());
        assertNativeBusyboxAgrees(actual, "sh", "-c", script);
    }

    @ParameterizedTest(name = "busybox sh -c {0} (native busybox only)")
    @ValueSource(strings = {
        "find tree -name \"*.txt\" | sort | xargs cat",
        "find tree -type f | sort | xargs -n 1 wc -c"})
    void shellScriptThatExecsBusyboxMatchesNativeBusybox(String script) throws Exception {
        CrossToolchain.Outcome actual = CrossToolchain.tessera(busybox, work, "sh", "-c", script);
        assertEquals(0, actual.status(), "stderr: " + actual.err());
        assertEquals("", actual.err());
        assertNativeBusyboxAgrees(actual, "sh", "-c", script);
    }

    private static void assertNativeBusyboxAgrees(CrossToolchain.Outcome actual, String... argv) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(NATIVE_BUSYBOX));
        command.addAll(java.util.List.of(argv));
        Process nativeRun = new ProcessBuilder(command).directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String nativeOut = new String(nativeRun.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertEquals(nativeRun.waitFor(), actual.status(), "native amd64 busybox ended otherwise");
        assertEquals(nativeOut, actual.out(), "native amd64 busybox printed something else");
    }

    @ParameterizedTest(name = "busybox {0}")
    @ValueSource(strings = {
        "echo hello riscv",
        "sha256sum in.txt in.bin",
        "md5sum in.txt in.bin",
        "sha1sum in.bin",
        "wc in.txt",
        "sort -n -k2 in.txt",
        "sort -r -u in.txt",
        "sed -e s/line/LINE/ -e /7/d in.txt",
        "awk {s+=$2}END{print(s,NR,s/NR)} in.txt",
        "head -n 5 in.txt",
        "tail -n 3 in.txt",
        "cut -d\u0020 -f3 in.txt",
        "tr a-f A-F in.txt",
        "uniq -c in.txt",
        "od -A x -t x1 -N 64 in.bin",
        "base64 in.bin",
        "gzip -c -9 in.txt",
        "seq 1 3 100",
        "expr 12345 * 6789",
        "printf %08.3f|%x|%s\\n 3.14159 255 text",
        "ls -1 tree",
        "ls -1aR tree",
        "find tree",
        "find tree -name *.txt -type f",
        "du -a tree",
        "cat tree/sub/deeper/leaf.txt"})
    void appletMatchesQemuAndNativeBusybox(String commandLine) throws Exception {
        String[] args = commandLine.split(" ");
        for (int i = 0; i < args.length; i++) {
            args[i] = args[i].replace('\u0020', ' ');
        }
        String[] argv = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].equals("in.txt") || args[i].equals("in.bin") || args[i].startsWith("tree")
                    ? work.resolve(args[i]).toString() : args[i];
        }
        CrossToolchain.Outcome expected = CrossToolchain.qemu(busybox, argv);
        CrossToolchain.Outcome actual = CrossToolchain.tessera(busybox, argv);
        assertEquals(expected.out(), actual.out(), "stderr: " + actual.err());
        assertEquals(expected.status(), actual.status(), "stderr: " + actual.err());
        assertEquals(expected.err(), actual.err());

        // And byte-identical to this host's own (amd64) busybox on the same input.
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(NATIVE_BUSYBOX));
        command.addAll(java.util.List.of(argv));
        Process nativeRun = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String nativeOut = new String(nativeRun.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertEquals(0, nativeRun.waitFor());
        assertEquals(nativeOut, actual.out(), "native amd64 busybox printed something else");
    }
}
