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
}
