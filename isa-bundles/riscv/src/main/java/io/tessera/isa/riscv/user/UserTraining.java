package io.tessera.isa.riscv.user;

import io.tessera.core.training.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The training run of the JVM's ahead-of-time cache for {@code run/tessera user} (JEP
 * 483/514/515): {@code run/tessera} runs it once per build with {@code -XX:AOTCacheOutput=},
 * and later runs map the classes it loaded and linked, and the method profiles it gathered,
 * instead of loading, linking and profiling them again. It needs no guest from elsewhere: it
 * runs {@link TrainingProgram}, which Tessera assembles itself, through {@link UserMain} as a
 * user's command line would, under the interpreter, the tiered translator and the translator
 * translating everything at once, so that the interpreter, the translator (with ASM and
 * HotSpot's view of its code) and the system-call layer all find their classes in the cache.
 *
 * <p>Exits with 0 when every run ended with status 0 and the same results; 1 names the run
 * that did not, so that no cache is made from a run that went another way than users' runs do.
 */
public final class UserTraining {

    /** The accelerators of the runs, as {@code -accel} takes them. */
    static final List<String> ACCELERATORS = List.of("interp", "tcg", "tcg,threshold=0");

    private UserTraining() {
    }

    public static void main(String[] args) throws IOException {
        TrainingRun.run("user", UserTraining::train);
    }

    /** @return what went wrong in the first run that did not end as expected, or {@code null} */
    static String train(Path dir) throws IOException {
        Path program = dir.resolve("training");
        Files.write(program, TrainingProgram.elf());
        byte[] expected = null;
        for (int i = 0; i < ACCELERATORS.size(); i++) {
            Path output = dir.resolve("results-" + i);
            String[] command = {"-accel", ACCELERATORS.get(i), program.toString(), dir.toString(), output.toString()};
            int status = UserMain.run(command);
            if (status != 0) {
                return String.join(" ", command) + ": exit status " + status + " (a status below 64 is the step that failed)";
            }
            byte[] results = Files.readAllBytes(output);
            if (expected == null) {
                expected = results;
            } else if (!Arrays.equals(expected, results)) {
                return String.join(" ", command) + ": results differ from those under " + ACCELERATORS.get(0);
            }
        }
        // What a run does at its end (see UserMain.end), short of ending.
        UserMain.flightRecorderRunning();
        return null;
    }
}
