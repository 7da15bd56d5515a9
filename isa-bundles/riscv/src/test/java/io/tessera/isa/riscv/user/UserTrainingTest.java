package io.tessera.isa.riscv.user;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.isa.riscv.user.CrossToolchain.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up cache's training run: its program runs to the end with the same results under
 * every accelerator (a failing run would make a cache of error paths), and those results are
 * QEMU's, so the program is a riscv64 program as Linux runs it, not one only Tessera accepts.
 */
class UserTrainingTest {

    @TempDir
    Path dir;

    @Test
    void everyRunOfTheTrainingSucceedsWithTheSameResults() throws Exception {
        assertNull(UserTraining.train(dir));
        try (var files = Files.list(dir)) {
            assertEquals(UserTraining.ACCELERATORS.size(), files.filter(p -> p.getFileName().toString().startsWith("results-")).count());
        }
    }

    @Test
    void theTrainingProgramComputesUnderQemuWhatItComputesUnderTessera() throws Exception {
        CrossToolchain.requireTools();
        Path program = dir.resolve("training");
        Files.write(program, TrainingProgram.elf());
        assertTrue(program.toFile().setExecutable(true), "QEMU runs executable files only");
        Files.createDirectories(dir.resolve("listed"));
        Outcome qemu = CrossToolchain.qemu(program, dir.resolve("listed").toString(), dir.resolve("qemu-results").toString());
        assertEquals(0, qemu.status(), "qemu: " + qemu.err());
        assertEquals(TrainingProgram.GREETING, qemu.out());
        Outcome tessera = CrossToolchain.tessera(program, dir.resolve("listed").toString(), dir.resolve("tessera-results").toString());
        assertEquals(0, tessera.status(), tessera.err());
        assertEquals(TrainingProgram.GREETING, tessera.out());
        byte[] expected = Files.readAllBytes(dir.resolve("qemu-results"));
        assertEquals(TrainingProgram.RESULT_SIZE, expected.length);
        assertArrayEquals(expected, Files.readAllBytes(dir.resolve("tessera-results")));
    }

    @Test
    void aProgramThatFailsAStepEndsTheTrainingWithItsStatus() throws Exception {
        // The directory argument names no directory: the program's step 20 (opening it) fails.
        Path program = dir.resolve("training");
        Files.write(program, TrainingProgram.elf());
        Outcome outcome = CrossToolchain.tessera(program, dir.resolve("missing").toString(), dir.resolve("results").toString());
        assertEquals(20, outcome.status());
    }
}
