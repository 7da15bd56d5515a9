package io.tessera.isa.riscv.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.isa.riscv.user.CrossToolchain.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Programs of our own in C (src/test/c), compiled at test time with Debian's riscv64 cross
 * compiler, run under Tessera's user mode and under qemu-riscv64-static: same output, same
 * exit status. Besides single-process programs: processes (fork, pipes, execve, wait
 * statuses), signals (handlers and sigreturn, masks, SIGCHLD, kill) and POSIX threads
 * (mutexes, condition variables and atomics over 2 and 4 threads, exact counts).
 */
class UserModeDifferentialTest {

    private static final Path SOURCES = Path.of("src/test/c");
    private static Path programs;

    @BeforeAll
    static void compile() throws Exception {
        CrossToolchain.requireTools();
        programs = Files.createDirectories(Path.of("target/test-programs"));
        try (var sources = Files.list(SOURCES)) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".c")).toList()) {
                CrossToolchain.build(source, programs.resolve(source.getFileName().toString().replace(".c", "")), "-O2", "-pthread");
            }
        }
    }

    private static Outcome qemu(String program, String... args) throws Exception {
        return CrossToolchain.qemu(programs.resolve(program), args);
    }

    private static Outcome tessera(String program, String... args) throws IOException {
        return CrossToolchain.tessera(programs.resolve(program), args);
    }

    private static void assertSame(String program, String... args) throws Exception {
        Outcome expected = qemu(program, args);
        Outcome actual = tessera(program, args);
        assertEquals(expected.out(), actual.out(), program + ": standard output differs (stderr: " + actual.err() + ")");
        assertEquals(expected.status(), actual.status(), program + ": exit status differs (stderr: " + actual.err() + ")");
    }

    @Test
    void helloWorldWithArgumentsHeapAndExitStatus() throws Exception {
        assertSame("hello", "first", "second argument");
        assertEquals(7, tessera("hello").status());
    }

    @Test
    void selfModifyingCodeRunsTheNewInstructions() throws Exception {
        assertSame("smc");
        assertEquals(70, tessera("smc").status());
    }

    @Test
    void integerArithmeticAtTheEdges() throws Exception {
        assertSame("arith");
    }

    @Test
    void atomicsThroughLrScAndAmos() throws Exception {
        assertSame("atomics");
    }

    @Test
    void forkPipesExecveAndWaitStatuses() throws Exception {
        assertSame("processes");
        assertEquals(5, tessera("processes").status());
    }

    /** QEMU cannot be the oracle here: without binfmt_misc on the host its execve of a riscv64 program fails. */
    @Test
    void execveReplacesTheImageKeepsDescriptorsAndClosesCloseOnExecOnes() throws Exception {
        Outcome actual = tessera("processes", "exec");
        assertEquals("exec child: fd5 closed, fd6 open\nexec child read: through the pipe\nexec child exited 42\n",
                actual.out(), actual.err());
        assertEquals(0, actual.status());
    }

    @Test
    void signalHandlersMasksSigchldAndKill() throws Exception {
        assertSame("signals");
        assertEquals(128 + 15, tessera("signals").status());
    }

    @Test
    void threadsCountExactlyUnderMutexesAndAtomics() throws Exception {
        assertSame("threads");
        Outcome actual = tessera("threads");
        assertEquals(0, actual.status(), actual.out() + actual.err());
        assertTrue(actual.out().contains("4 threads: locked 80000 atomic 80000"), actual.out());
    }

    @Test
    void filesThroughOpenReadWriteSeekStat(@TempDir Path dir) throws Exception {
        Outcome expected = qemu("files", dir.resolve("q.txt").toString());
        Outcome actual = tessera("files", dir.resolve("t.txt").toString());
        assertEquals(expected.out(), actual.out(), "stderr: " + actual.err());
        assertEquals(expected.status(), actual.status());
        assertEquals(Files.readString(dir.resolve("q.txt")), Files.readString(dir.resolve("t.txt")));
    }

    @Test
    void aMissingProgramOrANonRiscvFileIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        IOException missing = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> LinuxProcess.load(dir.resolve("nope"), List.of("nope"), Map.of(), null, System.err));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
        Path notElf = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        IOException wrong = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> LinuxProcess.load(notElf, List.of("x"), Map.of(), null, System.err));
        assertTrue(wrong.getMessage().contains("not an ELF file"), wrong.getMessage());
        IOException host = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> LinuxProcess.load(Path.of("/bin/true"), List.of("true"), Map.of(), null, System.err));
        assertTrue(host.getMessage().contains("not RISC-V"), host.getMessage());
    }
}
