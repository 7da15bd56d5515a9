package io.tessera.monitor.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

/**
 * The monitor behind {@code Ctrl-a c} on a raw terminal: keys are echoed and edited into a
 * line (Backspace erases, Enter runs it), the line runs as a Gogo command in a session of its
 * own, and what it prints or returns is shown, as the shell would show it.
 */
final class MonitorLine implements AutoCloseable {

    private static final String PROMPT = "(tessera) ";

    private final CommandSession session;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Consumer<String> terminal;
    private final StringBuilder line = new StringBuilder();

    MonitorLine(CommandProcessor processor, Consumer<String> terminal) {
        this.terminal = terminal;
        PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8);
        this.session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print);
    }

    void prompt() {
        terminal.accept(PROMPT);
    }

    /** Takes one key typed while the monitor has the terminal. */
    void key(int key) {
        switch (key) {
            case '\r', '\n' -> {
                terminal.accept("\n");
                run(line.toString().trim());
                line.setLength(0);
                prompt();
            }
            case 0x7f, 0x08 -> {
                if (line.length() > 0) {
                    line.setLength(line.length() - 1);
                    terminal.accept("\b \b");
                }
            }
            default -> {
                if (key >= 0x20 && key < 0x7f) {
                    line.append((char) key);
                    terminal.accept(Character.toString(key));
                }
            }
        }
    }

    /** Runs a command line, showing its output, its result and any error. */
    String run(String command) {
        if (command.isEmpty()) {
            return "";
        }
        StringBuilder shown = new StringBuilder();
        try {
            Object result = session.execute(command);
            session.getConsole().flush();
            shown.append(output.toString(StandardCharsets.UTF_8));
            if (result != null) {
                CharSequence formatted = session.format(result, Converter.INSPECT);
                shown.append(formatted).append('\n');
            }
        } catch (Exception e) {
            shown.append(output.toString(StandardCharsets.UTF_8));
            shown.append("error: ").append(e.getMessage() == null ? e.toString() : e.getMessage()).append('\n');
        }
        output.reset();
        terminal.accept(shown.toString());
        return shown.toString();
    }

    @Override
    public void close() {
        session.close();
    }
}
