package io.tessera.block.img;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line options in getopt's style, as qemu-img takes them: short flags (alone or
 * bundled), short options with a value ({@code -f qcow2}, {@code -fqcow2}), long options with
 * a value ({@code --output=json}, {@code --output json}), and the remaining arguments in order.
 */
final class Options {

    private final Map<String, List<String>> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    /**
     * @param args the arguments after the verb
     * @param withValue the options that take a value, short ({@code "f"}) or long ({@code "output"})
     * @param flags the options that take none
     * @throws UsageException naming an unknown option or a missing value
     */
    Options(List<String> args, List<String> withValue, List<String> flags) throws UsageException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                positional.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name)) {
                    add(name, "");
                } else if (withValue.contains(name)) {
                    if (value == null) {
                        if (++i >= args.size()) {
                            throw new UsageException("option '--" + name + "' needs a value");
                        }
                        value = args.get(i);
                    }
                    add(name, value);
                } else {
                    throw new UsageException("unknown option '--" + name + "'");
                }
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int j = 1; j < a.length(); j++) {
                    String name = String.valueOf(a.charAt(j));
                    if (flags.contains(name)) {
                        add(name, "");
                    } else if (withValue.contains(name)) {
                        String value = a.substring(j + 1);
                        if (value.isEmpty()) {
                            if (++i >= args.size()) {
                                throw new UsageException("option '-" + name + "' needs a value");
                            }
                            value = args.get(i);
                        }
                        add(name, value);
                        break;
                    } else {
                        throw new UsageException("unknown option '-" + name + "'");
                    }
                }
            } else {
                positional.add(a);
            }
        }
    }

    private void add(String name, String value) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String fallback) {
        List<String> v = values.get(name);
        return v == null ? fallback : v.get(v.size() - 1);
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    List<String> positional() {
        return positional;
    }

    /** Parses qemu's {@code -o key=value,key=value} lists (a doubled comma is a literal comma), several -o merged. */
    Map<String, String> keyValues(String name) throws UsageException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String list : all(name)) {
            List<String> items = new ArrayList<>();
            StringBuilder item = new StringBuilder();
            for (int i = 0; i < list.length(); i++) {
                char c = list.charAt(i);
                if (c == ',' && i + 1 < list.length() && list.charAt(i + 1) == ',') {
                    item.append(',');
                    i++;
                } else if (c == ',') {
                    items.add(item.toString());
                    item.setLength(0);
                } else {
                    item.append(c);
                }
            }
            items.add(item.toString());
            for (String kv : items) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("option '" + kv + "' in -" + name + " needs a value (key=value)");
                }
                out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return out;
    }

    /** A command line qemu-img would refuse: the message is printed and the status is 1. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
