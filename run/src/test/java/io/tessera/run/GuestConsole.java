package io.tessera.run;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A guest's serial console on a launched emulator process, driven the way a person would:
 * wait for a text to appear, type a line. Output is collected from the start, so an
 * {@link #expect} never misses text that came before it was called.
 */
final class GuestConsole implements AutoCloseable {

    private final Process process;
    private final OutputStream input;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private int searchedUpTo;

    private GuestConsole(Process process) {
        this.process = process;
        this.input = process.getOutputStream();
        pump(process.getInputStream(), output, "console-out");
        pump(process.getErrorStream(), errors, "console-err");
    }

    /** Starts {@code command}; {@code tessera} says whether it is run/tessera (which must not rebuild). */
    static GuestConsole start(List<String> command, boolean tessera) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of(".").toAbsolutePath().toFile());
        if (tessera) {
            builder.environment().put("TESSERA_NO_BUILD", "1");
        }
        return new GuestConsole(builder.start());
    }

    private void pump(InputStream from, ByteArrayOutputStream to, String name) {
        Thread.ofPlatform().daemon().name(name).start(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = from.read(buffer)) > 0;) {
                    synchronized (this) {
                        to.write(buffer, 0, n);
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
    }

    /**
     * Waits until {@code text} appears after what earlier calls found.
     *
     * @return the output from the end of the previous match to the end of this one
     */
    synchronized String expect(String text, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String all = output.toString(StandardCharsets.UTF_8);
            int at = all.indexOf(text, searchedUpTo);
            if (at >= 0) {
                String seen = all.substring(searchedUpTo, at + text.length());
                searchedUpTo = at + text.length();
                return seen;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || (!process.isAlive() && output.size() == all.getBytes(StandardCharsets.UTF_8).length)) {
                throw new AssertionError("'" + text + "' did not appear within " + seconds + " s"
                        + (process.isAlive() ? "" : " (the process ended with status " + process.exitValue() + ")")
                        + "; output since the last match:\n" + all.substring(searchedUpTo) + "\nstderr:\n" + errors());
            }
            wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
        }
    }

    /** Types {@code line} and a carriage return, as Enter on a terminal. */
    void send(String line) throws IOException {
        input.write((line + "\r").getBytes(StandardCharsets.UTF_8));
        input.flush();
    }

    /** Types raw bytes. */
    void type(String keys) throws IOException {
        input.write(keys.getBytes(StandardCharsets.UTF_8));
        input.flush();
    }

    /** @return the exit status, once the process ends within {@code seconds} */
    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the process did not end within " + seconds + " s; output:\n" + output() + "\nstderr:\n" + errors());
        }
        return process.exitValue();
    }

    synchronized String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    synchronized String errors() {
        return errors.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
