package io.tessera.block.img;

import java.math.BigDecimal;
import java.math.MathContext;

/** Sizes printed as qemu-img and qemu-io print them. */
final class Sizes {

    private static final String[] SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private Sizes() {
    }

    /** Below this many bytes {@link #human} rounds in {@code long} arithmetic: the value times 1000 still fits. */
    private static final long EXACT_IN_LONG = 1L << 53;

    /** qemu-img's {@code size_to_str}: three significant digits and the binary unit that keeps the integer part under 1000. */
    static String human(long value) {
        int i = unit(value);
        if (value < 0 || value >= EXACT_IN_LONG) {
            return humanByBigDecimal(value);
        }
        // value / 2^(10 i) rounded half up to the decimals that leave three significant digits
        // (the shown value lies between 0.97 and 1000), computed exactly: BigDecimal would do the
        // same, but its class initialization alone takes about 15 ms, a tenth of an info run.
        int shift = i * 10;
        long integer = value >>> shift;
        int decimals = integer >= 100 ? 0 : integer >= 10 ? 1 : integer >= 1 ? 2 : 3;
        long scale = decimals == 0 ? 1 : decimals == 1 ? 10 : decimals == 2 ? 100 : 1000;
        long scaled = value * scale;
        long rounded = scaled >>> shift;
        if (shift > 0 && (scaled >>> (shift - 1) & 1) != 0) {
            rounded++;
        }
        StringBuilder text = new StringBuilder().append(rounded / scale);
        long fraction = rounded % scale;
        if (fraction != 0) {
            String digits = Long.toString(scale + fraction).substring(1);
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            text.append('.').append(digits, 0, end);
        }
        return text + " " + SUFFIXES[i] + "B";
    }

    /** {@link #human} through BigDecimal: for the values too large for its {@code long} arithmetic, and as its reference in tests. */
    static String humanByBigDecimal(long value) {
        int i = unit(value);
        double shown = value / (double) (1L << (i * 10));
        BigDecimal rounded = new BigDecimal(shown).round(new MathContext(3)).stripTrailingZeros();
        return rounded.toPlainString() + " " + SUFFIXES[i] + "B";
    }

    /** The index of the binary unit qemu-img shows a size in. */
    private static int unit(long value) {
        double scaled = value / (1000.0 / 1024.0);
        int exponent = value == 0 ? 0 : Math.getExponent(scaled) + 1;
        return (exponent - 1) / 10;
    }

    /** qemu-io's {@code cvtstr}: "64 KiB", "9.938 MiB", "512 bytes". */
    static String io(double value) {
        String[] units = {" EiB", " PiB", " TiB", " GiB", " MiB", " KiB"};
        for (int k = 0; k < units.length; k++) {
            double unit = Math.pow(1024, 6 - k);
            if (value >= unit) {
                return three(value / unit) + units[k];
            }
        }
        return three(value) + " bytes";
    }

    private static String three(double value) {
        // C's printf rounds the exact binary value half to even: 15.8125 prints as 15.812.
        String text = new BigDecimal(value).setScale(3, java.math.RoundingMode.HALF_EVEN).toPlainString();
        return text.endsWith(".000") ? text.substring(0, text.length() - 4) : text;
    }

    /** Parses a size argument with qemu's suffixes (k, M, G, T, P, E; plain bytes otherwise). */
    static long parse(String what, String text) {
        return io.tessera.core.block.BlockOptions.parseSize(what, text);
    }
}
