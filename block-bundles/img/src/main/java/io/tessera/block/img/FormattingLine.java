package io.tessera.block.img;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The line qemu-img 7.2's {@code create} prints before it creates an image, "Formatting 'FILE',
 * fmt=FORMAT OPTION=VALUE ...": every creation option of the format in the order of QEMU's
 * option table (the format's, then the file protocol's), each with the value given or, when it
 * has one, its default; sizes and numbers as bytes, other values as given with commas doubled.
 */
final class FormattingLine {

    /** One creation option as QEMU declares it: a default shown when none is given, and whether its value is a number. */
    private record Option(String name, String defaultValue, boolean number) {
    }

    private static Option number(String name, String defaultValue) {
        return new Option(name, defaultValue, true);
    }

    private static Option text(String name, String defaultValue) {
        return new Option(name, defaultValue, false);
    }

    // QEMU's tables as qemu-img 7.2 prints them (block/qcow2.c, qed.c, vmdk.c, file-posix.c). qemu-img appends the
    // file protocol's table to the format's, leaving out the names the format has: what remains has no default shown.
    private static final List<Option> PROTOCOL = List.of(text("nocow", null), number("extent_size_hint", null));
    private static final Map<String, List<Option>> OPTIONS = Map.of(
            "qcow2", List.of(number("cluster_size", "65536"), text("extended_l2", "off"), text("preallocation", null),
                    text("compression_type", "zlib"), number("size", null), text("compat", null), text("backing_file", null),
                    text("backing_fmt", null), text("data_file", null), text("data_file_raw", null), text("lazy_refcounts", "off"),
                    number("refcount_bits", "16")),
            "qed", List.of(number("size", null), text("backing_file", null), text("backing_fmt", null), number("cluster_size", "65536"),
                    number("table_size", null), text("preallocation", null)),
            "vmdk", List.of(number("size", null), text("adapter_type", null), text("backing_file", null), text("backing_fmt", null),
                    text("compat6", "off"), text("hwversion", "undefined"), text("toolsversion", null), text("subformat", null),
                    text("zeroed_grain", null), text("preallocation", null)),
            "raw", List.of(number("size", null), text("preallocation", null)));

    private FormattingLine() {
    }

    /**
     * @param options the creation options given, {@code size} included (in bytes, as given)
     * @return qemu-img's line; empty for a format QEMU has no table for here or an option it
     *         does not know, where qemu-img fails before it prints anything
     */
    static Optional<String> of(String filename, String format, Map<String, String> options) {
        List<Option> formatTable = OPTIONS.get(format);
        if (formatTable == null) {
            return Optional.empty();
        }
        List<Option> table = new ArrayList<>(formatTable);
        table.addAll(PROTOCOL);
        if (!table.stream().map(Option::name).toList().containsAll(options.keySet())) {
            return Optional.empty();
        }
        StringBuilder line = new StringBuilder("Formatting '").append(filename).append("', fmt=").append(format);
        for (Option option : table) {
            String given = options.get(option.name());
            String value = given != null ? given : option.defaultValue();
            if (value == null) {
                continue;
            }
            line.append(' ').append(option.name()).append('=');
            if (option.number() && given != null) {
                line.append(numeric(option.name(), given));
            } else {
                line.append(value.replace(",", ",,"));
            }
        }
        return Optional.of(line.toString());
    }

    /** A size or number as QEMU stores it (4k as 4096); left as given when it is none, for the creation to refuse. */
    private static String numeric(String name, String given) {
        try {
            return Long.toUnsignedString(Sizes.parse(name, given));
        } catch (IllegalArgumentException e) {
            return given;
        }
    }
}
