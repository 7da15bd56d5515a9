package io.tessera.core.runtime.chardev;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks of backend options, so every backend refuses unknown ones the same way. */
final class Options {

    private Options() {
    }

    static void refuseAll(String kind, Map<String, String> options) {
        allowOnly(kind, options, Set.of());
    }

    static void allowOnly(String kind, Map<String, String> options, Set<String> valid) {
        for (String key : options.keySet()) {
            if (!valid.contains(key)) {
                throw new IllegalArgumentException("character device kind '" + kind + "' has no option '" + key + "'; options: "
                        + (valid.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(valid))));
            }
        }
    }

    /**
     * A yes/no option as QEMU spells it: {@code on}/{@code off} (also {@code yes}/{@code no},
     * {@code true}/{@code false}).
     */
    static boolean flag(String kind, Map<String, String> options, String key, boolean absent) {
        String value = options.get(key);
        if (value == null) {
            return absent;
        }
        return switch (value) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new IllegalArgumentException("character device kind '" + kind + "': " + key + "=" + value
                    + " is not valid; use on or off");
        };
    }
}
