package io.tessera.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The privileged architecture, checked against QEMU: bare-metal programs (src/test/asm,
 * assembled at test time with Debian's riscv64 cross compiler) run on the spike board under
 * {@code run/tessera -machine spike -nographic -bios none -kernel P.elf} and under
 * {@code qemu-system-riscv64} with the same options; their HTIF console output (trap causes,
 * tvals, epcs, CSR values, page-table entries) and exit status must be identical.
 */
public class SpikeDifferentialIT {

    private static Path work;

    private record Run(int status, String out, String err) {
    }

    @BeforeClass
    public static void requireTools() throws IOException {
        for (String tool : List.of("riscv64-linux-gnu-gcc", "qemu-system-riscv64")) {
            boolean found = List.of(System.getenv("PATH").split(File.pathSeparator)).stream()
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
            assertTrue(tool + " is missing: apt-get install gcc-riscv64-linux-gnu qemu-system-misc (.ci/run does)", found);
        }
        work = Files.createTempDirectory("spike-it");
    }

    private static Path build(String program) throws IOException, InterruptedException {
        return BareMetalPrograms.build(work, program);
    }

    private static Run run(List<String> command, boolean tessera) throws IOException, InterruptedException {
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        if (tessera) {
            GuestConsole.forTessera(builder);
        }
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within 120 s; output so far: " + Files.readString(out));
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static Run onSpike(String launcher, Path elf) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(launcher, "-machine", "spike", "-nographic", "-bios", "none",
                "-kernel", elf.toString()));
        return run(command, !launcher.startsWith("qemu"));
    }

    private static void sameAsQemu(String program) throws Exception {
        Path elf = build(program);
        Run qemu = onSpike("qemu-system-riscv64", elf);
        Run tessera = onSpike(new File("tessera").getAbsolutePath(), elf);
        assertEquals("output of " + program + " (stderr: " + tessera.err() + ")", qemu.out(), tessera.out());
        assertEquals("exit status of " + program, qemu.status(), tessera.status());
        assertTrue("the program printed nothing: " + qemu.err(), qemu.out().length() > 100);
    }

    @Test
    public void htifPrintsAndExitsWithTheGuestsStatus() throws Exception {
        Path elf = build("hello");
        Run tessera = onSpike(new File("tessera").getAbsolutePath(), elf);
        assertEquals(tessera.err(), "hello from spike\n", tessera.out());
        assertEquals(3, tessera.status());
        assertEquals(onSpike("qemu-system-riscv64", elf).out(), tessera.out());
    }

    /** Exceptions in M-mode with their causes, tvals and epcs; WARL CSRs; FS and SD. */
    @Test
    public void machineModeTrapsAndCsrs() throws Exception {
        sameAsQemu("traps");
    }

    /** M, S and U; delegation; Sv39, Sv48 and Sv57 with A/D, SUM, MXR and page faults. */
    @Test
    public void modesDelegationAndPaging() throws Exception {
        sameAsQemu("modes");
    }

    /** The CLINT's timer and software interrupts, vectored mtvec, WFI; PMP TOR, NA4, NAPOT and locking. */
    @Test
    public void interruptsAndPhysicalMemoryProtection() throws Exception {
        sameAsQemu("interrupts");
    }

    /**
     * What QEMU 7.2 cannot be the oracle for, against the specification: a faulting AMO is a
     * store/AMO access fault (QEMU says load), and Sstc's stimecmp raises a supervisor timer
     * interrupt delegated to S (QEMU's spike has no time CSR).
     */
    @Test
    public void whatQemuCannotShowFollowsTheSpecification() throws Exception {
        Run r = onSpike(new File("tessera").getAbsolutePath(), build("spec"));
        assertEquals(r.err(), 0, r.status());
        String[] lines = r.out().split("\n");
        assertTrue(r.out(), lines[0].startsWith("trap 0000000000000007 0000000000000010 "));
        assertEquals(r.out(), "8000000000000005 ", lines[1]);
    }

    @Test
    public void aBadCommandLineNamesTheProblem() throws Exception {
        Run r = run(List.of(new File("tessera").getAbsolutePath(), "-machine", "spike", "-kernel", "/nonexistent.elf"), true);
        assertEquals(1, r.status());
        assertTrue(r.err(), r.err().contains("cannot load the kernel: /nonexistent.elf: no such file"));
        r = run(List.of(new File("tessera").getAbsolutePath(), "-machine", "spike", "-frobnicate"), true);
        assertEquals(1, r.status());
        assertTrue(r.err(), r.err().contains("unknown option '-frobnicate'; valid: -machine"));
    }
}
