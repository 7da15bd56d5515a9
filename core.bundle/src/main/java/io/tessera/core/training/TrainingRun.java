package io.tessera.core.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What every training run does around its work: {@code run/tessera} starts one once per build
 * with {@code -XX:AOTCacheOutput=}, and the cache must not be made from a run that went another
 * way than users' runs do, so a training that fails exits with 1 (the launcher then runs without
 * a cache and does not train again for that build).
 */
public final class TrainingRun {

    /** The work of a training run. */
    @FunctionalInterface
    public interface Training {
        /**
         * @param dir an empty temporary directory, deleted afterwards
         * @return what went wrong, or {@code null} when everything did what it should
         */
        String train(Path dir) throws IOException;
    }

    private TrainingRun() {
    }

    /**
     * Runs {@code training} in a new temporary directory and deletes the directory; exits the JVM
     * with 1, naming the failure after {@code name}, when the training reports one.
     */
    public static void run(String name, Training training) throws IOException {
        Path dir = Files.createTempDirectory("tessera-" + name + "-training");
        String failed;
        try {
            failed = training.train(dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        if (failed != null) {
            System.err.println("tessera " + name + " training: " + failed);
            System.exit(1);
        }
    }
}
