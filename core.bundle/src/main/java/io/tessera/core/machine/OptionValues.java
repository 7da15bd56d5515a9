package io.tessera.core.machine;

import java.util.Locale;

/** Parses option values the way QEMU users write them, with errors that name the option. */
public final class OptionValues {

    private OptionValues() {
    }

    /**
     * Parses a size: a number of bytes, or a number with a suffix K, M, G or T (powers of 1024),
     * as in {@code -m 512M}. A bare number is taken as bytes.
     *
     * @param option the option's name, for the error
     * @throws IllegalArgumentException naming the option and the valid forms
     */
    public static long size(String option, String value) {
        // 512M, 512MB, 512MiB and 4096B all say what users mean.
        String v = value.trim().toUpperCase(Locale.ROOT).replaceFirst("([KMGT])I?B$", "$1").replaceFirst("(\\d)B$", "$1");
        int shift = 0;
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> shift = -1;
            }
            if (shift >= 0) {
                v = v.substring(0, v.length() - 1);
            } else {
                shift = 0;
            }
        }
        try {
            long n = Long.parseLong(v);
            if (n <= 0 || Long.numberOfLeadingZeros(n) <= shift) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + "=" + value
                    + " is not a size; write a positive number of bytes, or one with K, M, G or T (512M, 2G, 64KiB)");
        }
    }

    /**
     * Parses a {@link #size(String, String) size} and checks it against a range.
     *
     * @param min the smallest valid size in bytes; @param max the largest
     * @throws IllegalArgumentException naming the option, the valid forms and the range
     */
    public static long size(String option, String value, long min, long max) {
        long bytes = size(option, value);
        if (bytes < min || bytes > max) {
            throw new IllegalArgumentException(option + "=" + value + " is out of range; valid sizes are " + describeSize(min)
                    + (max == Long.MAX_VALUE ? " or more" : " to " + describeSize(max)) + " (a number of bytes, or with K, M, G or T)");
        }
        return bytes;
    }

    /** @return {@code bytes} with the largest suffix that divides it (65536 is 64K) */
    private static String describeSize(long bytes) {
        String[] suffixes = {"", "K", "M", "G", "T"};
        int i = 0;
        while (i < suffixes.length - 1 && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            i++;
        }
        return bytes + suffixes[i];
    }

    /**
     * Parses a whole number in decimal and checks it against a range; the error says the range,
     * as settings such as a hotness threshold need.
     *
     * @param min the smallest valid value; @param max the largest
     * @throws IllegalArgumentException naming the option and the valid range
     */
    public static long number(String option, String value, long min, long max) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below with the valid range.
        }
        throw new IllegalArgumentException(option + "=" + value + ": valid values are whole numbers from " + min + " to " + max);
    }

    /**
     * Parses an integer in decimal or, with {@code 0x}, hexadecimal.
     *
     * @throws IllegalArgumentException naming the option
     */
    public static long number(String option, String value) {
        String v = value.trim().replace("_", "");
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                return Long.parseUnsignedLong(v.substring(2), 16);
            }
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + "=" + value + " is not a number; write decimal (4096) or hexadecimal (0x1000)");
        }
    }
}
