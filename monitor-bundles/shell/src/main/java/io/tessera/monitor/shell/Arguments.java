package io.tessera.monitor.shell;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Splits command words into positional words and {@code key=value} settings. */
record Arguments(List<String> positional, Map<String, String> settings) {

    static Arguments parse(String... words) {
        List<String> positional = new java.util.ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>();
        for (String word : words == null ? new String[0] : words) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                if (settings.put(word.substring(0, eq), word.substring(eq + 1)) != null) {
                    throw new IllegalArgumentException("'" + word.substring(0, eq) + "' is given twice");
                }
            } else {
                positional.add(word);
            }
        }
        return new Arguments(List.copyOf(positional), java.util.Collections.unmodifiableMap(settings));
    }

    /** @return positional word {@code index}, or an error saying what is missing */
    String required(int index, String what, String usage) {
        if (index >= positional.size()) {
            throw new IllegalArgumentException("missing " + what + "; usage: " + usage);
        }
        return positional.get(index);
    }

    /** Refuses positional words past {@code count}. */
    Arguments atMost(int count, String usage) {
        if (positional.size() > count) {
            throw new IllegalArgumentException("unexpected '" + positional.get(count) + "'; usage: " + usage);
        }
        return this;
    }

    /** Refuses settings, for verbs that take none. */
    Arguments noSettings(String usage) {
        if (!settings.isEmpty()) {
            throw new IllegalArgumentException("unexpected '" + settings.keySet().iterator().next() + "=...'; usage: " + usage);
        }
        return this;
    }
}
