package io.tessera.core.block;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Parsing of option values the block drivers and tools share. */
public final class BlockOptions {

    private BlockOptions() {
    }

    /**
     * Parses a size as QEMU's options take it: a number of bytes, optionally with a
     * {@code k}/{@code M}/{@code G}/{@code T}/{@code P}/{@code E} suffix (powers of 1024) or {@code b}.
     *
     * @param key the option's name, for the message
     * @param text the value
     * @return the size in bytes
     * @throws IllegalArgumentException naming the option if the value is not a non-negative size
     */
    public static long parseSize(String key, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 't' -> unit = 1L << 40;
                case 'p' -> unit = 1L << 50;
                case 'e' -> unit = 1L << 60;
                case 'b' -> unit = 1;
                default -> unit = 0;
            }
            if (unit != 0) {
                t = t.substring(0, t.length() - 1);
            } else {
                unit = 1;
            }
        }
        try {
            long value = Long.parseLong(t);
            if (value < 0) {
                throw new IllegalArgumentException("option " + key + " must not be negative: '" + text + "'");
            }
            return Math.multiplyExact(value, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("option " + key + " must be a size in bytes (like 4096 or 1M), not '" + text + "'", e);
        }
    }

    /**
     * Refuses options a driver does not know, naming them and the ones it knows.
     *
     * @param who the driver, for the message ("the qcow2 format")
     * @param options the options given
     * @param known the option names the driver takes
     * @throws IllegalArgumentException if any option is not in {@code known}
     */
    public static void requireKnown(String who, Map<String, String> options, Set<String> known) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(who + " does not know option(s) " + unknown + "; it knows " + new TreeSet<>(known));
        }
    }
}
