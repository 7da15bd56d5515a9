package io.tessera.isa.riscv.user;

import io.tessera.core.accel.AcceleratorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code run/tessera user [-L SYSROOT] PROGRAM [ARGS...]}: runs a riscv64 Linux program on this
 * host and exits with its status, as qemu-riscv64 does.
 */
public final class UserMain {

    private UserMain() {
    }

    static final String USAGE = "usage: run/tessera user [-L SYSROOT] [-accel tcg[,threshold=N][,cache=SIZE]|interp] PROGRAM [ARGS...]";

    /** Entry point. */
    public static void main(String[] argv) {
        end(run(argv));
    }

    /**
     * Ends the JVM with {@code status}. {@link System#exit} first looks up a System.Logger to log
     * the exit (JDK 21 on), which searches the class path and the runtime image for logger
     * services: 10 to 50 ms, up to a fifth of a short program's whole run. Halting skips that and
     * the shutdown hooks, of which user mode has none (what it wrote is unbuffered or flushed by
     * now). A JFR recording started on the command line (to profile) writes its file from a hook,
     * so then the JVM exits the usual way.
     */
    private static void end(int status) {
        System.out.flush();
        System.err.flush();
        if (flightRecorderRunning()) {
            System.exit(status);
        }
        Runtime.getRuntime().halt(status);
    }

    /** @return whether a JFR recording runs (the training asks too, so that the cache holds what asking loads) */
    static boolean flightRecorderRunning() {
        try {
            // By name: the jdk.jfr module is not among the bundle's imports, and is absent from some runtimes.
            return (boolean) Class.forName("jdk.jfr.FlightRecorder").getMethod("isInitialized").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /** @return the exit status to end with */
    static int run(String[] argv) {
        Path sysroot = null;
        Execution execution;
        try {
            execution = Execution.fromProperties();
        } catch (IllegalArgumentException e) {
            System.err.println("tessera user: " + e.getMessage());
            return 2;
        }
        int i = 0;
        while (i < argv.length && argv[i].startsWith("-")) {
            switch (argv[i]) {
                case "-L" -> {
                    if (i + 1 >= argv.length) {
                        System.err.println("tessera user: -L needs a directory\n" + USAGE);
                        return 2;
                    }
                    sysroot = Path.of(argv[++i]);
                }
                case "-accel" -> {
                    String spec = i + 1 < argv.length ? argv[++i] : "";
                    try {
                        execution = execution.accelerated(AcceleratorSpec.parse(spec));
                    } catch (IllegalArgumentException e) {
                        System.err.println("tessera user: -accel " + spec + ": " + e.getMessage() + "\n" + USAGE);
                        return 2;
                    }
                }
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                default -> {
                    System.err.println("tessera user: unknown option '" + argv[i] + "'\n" + USAGE);
                    return 2;
                }
            }
            i++;
        }
        if (i >= argv.length) {
            System.err.println("tessera user: no program given\n" + USAGE);
            return 2;
        }
        List<String> args = new ArrayList<>(List.of(argv).subList(i, argv.length));
        try {
            LinuxProcess process = LinuxProcess.load(Path.of(args.get(0)), args, System.getenv(), sysroot, System.err, execution);
            int status = process.run(StandardStreams.host());
            System.out.flush();
            return status;
        } catch (IOException e) {
            System.err.println("tessera user: " + e.getMessage());
            return 1;
        }
    }
}
