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
