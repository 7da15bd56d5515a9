package io.tessera.core.accel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An accelerator as users name it, QEMU's way: {@code tcg} or {@code tcg,threshold=0,cache=64M}
 * (the value of {@code -accel}, of the machine option {@code accel=} and of the system property
 * {@code tessera.accel}). The name picks the {@link Accelerator}; the settings are its options,
 * which it checks ({@link Accelerator#checkOptions}).
 *
 * @param name the accelerator's name; empty: the best available
 * @param options its settings, in the order given
 */
public record AcceleratorSpec(String name, Map<String, String> options) {

    /** Copies the settings. */
    public AcceleratorSpec {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /**
     * Parses {@code NAME[,KEY=VALUE...]}; a leading {@code accel=} (QEMU's implied key) is
     * allowed.
     *
     * @param text the spec; blank: no accelerator named
     * @throws IllegalArgumentException naming the item that is not KEY=VALUE or given twice
     */
    public static AcceleratorSpec parse(String text) {
        String spec = text.trim();
        if (spec.startsWith("accel=")) {
            spec = spec.substring(6);
        }
        if (spec.isEmpty()) {
            return new AcceleratorSpec("", Map.of());
        }
        String[] parts = spec.split(",", -1);
        String name = parts[0].trim();
        if (name.isEmpty() || name.contains("=")) {
            throw new IllegalArgumentException("accel=" + text + " names no accelerator; write NAME[,option=value...], e.g. tcg,threshold=0");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("accel=" + text + ": '" + parts[i] + "' is not option=value");
            }
            String key = parts[i].substring(0, eq).trim();
            if (options.put(key, parts[i].substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("accel=" + text + ": option '" + key + "' is given twice");
            }
        }
        return new AcceleratorSpec(name, options);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name);
        options.forEach((k, v) -> s.append(',').append(k).append('=').append(v));
        return s.toString();
    }
}
