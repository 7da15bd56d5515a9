package io.tessera.block.img;

import java.io.PrintStream;
import java.util.Locale;

/**
 * qemu-img's {@code -p} progress line: {@code "    (0.00/100%)\r"} when the work starts, the
 * same with the new percentage each time it changes by a hundredth, and
 * {@code "    (100.00/100%)\r\n"} at the end (printed again even when the last update reached 100,
 * as qemu-img does), all on standard output. A disabled progress
 * ({@code -p} not given, or {@code -q}) prints nothing.
 */
final class Progress {

    private final PrintStream out;
    private final boolean enabled;
    private long shown = -1;

    /** Starts the line: prints 0.00 when enabled. */
    Progress(PrintStream out, boolean enabled) {
        this.out = out;
        this.enabled = enabled;
        print(0);
    }

    /** @param done how much of {@code total} is done (bytes, or any unit) */
    void update(long done, long total) {
        print(total <= 0 ? 10000 : Math.min(10000, done * 10000 / total));
    }

    /** Ends the line at 100.00, as qemu-img's progress end does. */
    void end() {
        shown = -1;
        print(10000);
        if (enabled) {
            out.print("\n");
            out.flush();
        }
    }

    private void print(long hundredths) {
        if (!enabled || hundredths == shown) {
            return;
        }
        shown = hundredths;
        out.printf(Locale.ROOT, "    (%.2f/100%%)\r", hundredths / 100.0);
        out.flush();
    }
}
