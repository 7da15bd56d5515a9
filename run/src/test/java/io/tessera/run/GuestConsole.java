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
 * {@link #expect} never misses text that came before it was called. The console is the
 * process's standard input and output, or a socket the emulator serves it on
 * ({@link #attach}).
 */
final class GuestConsole implements AutoCloseable {

    private final Process process;
    private OutputStream input;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private int searchedUpTo;

    private java.io.Closeable connection;

    /**
     * @param console where the guest's output comes from
     * @param keyboard where typed keys go
     * @param connection closed with the console (the socket), or null
     */
    private GuestConsole(Process process, InputStream console, OutputStream keyboard, java.io.Closeable connection) {
        this.process = process;
        this.input = keyboard;
        this.connection = connection;
        pump(console, output, "console-out");
        pump(process.getErrorStream(), errors, "console-err");
        if (console != process.getInputStream()) {
            // Whatever the emulator prints on its terminal meanwhile is kept with its errors.
            pump(process.getInputStream(), errors, "launcher-out");
        }
    }

    /** Starts {@code command}; {@code tessera} says whether it is run/tessera (which must not rebuild). */
    static Process launch(List<String> command, boolean tessera) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of(".").toAbsolutePath().toFile());
        if (tessera) {
            forTessera(builder);
        }
        return builder.start();
    }

    /**
     * Makes {@code builder} run run/tessera as the tests want it: without a rebuild, and with
     * the JVM options of the failsafe execution ({@code tessera.it.javaOpts}, e.g. the
     * accelerator: {@code -Dtessera.accel=tcg -Dtessera.tcg.threshold=0}).
     */
    static ProcessBuilder forTessera(ProcessBuilder builder) {
        builder.environment().put("TESSERA_NO_BUILD", "1");
        String options = System.getProperty("tessera.it.javaOpts", "");
        if (!options.isBlank()) {
            builder.environment().put("TESSERA_JAVA_OPTS", options);
        }
        return builder;
    }

    /** Starts {@code command} with the console on its standard input and output. */
    static GuestConsole start(List<String> command, boolean tessera) throws IOException {
        Process process = launch(command, tessera);
        return new GuestConsole(process, process.getInputStream(), process.getOutputStream(), null);
    }

    /** The console {@code process} serves on {@code socket}; closing the console closes the socket and ends the process. */
    static GuestConsole attach(Process process, java.net.Socket socket) throws IOException {
        return new GuestConsole(process, socket.getInputStream(), socket.getOutputStream(), socket);
    }

    /** The console {@code process} serves on a unix socket; closing the console closes it and ends the process. */
    static GuestConsole attach(Process process, java.nio.channels.SocketChannel channel) {
        return new GuestConsole(process, java.nio.channels.Channels.newInputStream(channel),
                java.nio.channels.Channels.newOutputStream(channel), channel);
    }

    /** Closes the console's connection and goes on on {@code socket}, a new one to the same process. */
    synchronized void reconnect(java.net.Socket socket) throws IOException {
        if (connection != null) {
            connection.close();
        }
        input = socket.getOutputStream();
        connection = socket;
        pump(socket.getInputStream(), output, "console-out");
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
    synchronized void send(String line) throws IOException {
        input.write((line + "\r").getBytes(StandardCharsets.UTF_8));
        input.flush();
    }

    /** Types raw bytes. */
    synchronized void type(String keys) throws IOException {
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
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
