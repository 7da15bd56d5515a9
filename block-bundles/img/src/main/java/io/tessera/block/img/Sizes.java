package io.tessera.block.img;

import java.math.BigDecimal;
import java.math.MathContext;

/** Sizes printed as qemu-img and qemu-io print them. */
final class Sizes {

    private static final String[] SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private Sizes() {
    }

    /** qemu-img's {@code size_to_str}: three significant digits and the binary unit that keeps the integer part under 1000. */
    static String human(long value) {
        double scaled = value / (1000.0 / 1024.0);
        int exponent = value == 0 ? 0 : Math.getExponent(scaled) + 1;
        int i = (exponent - 1) / 10;
        double shown = value / (double) (1L << (i * 10));
        BigDecimal rounded = new BigDecimal(shown).round(new MathContext(3)).stripTrailingZeros();
        return rounded.toPlainString() + " " + SUFFIXES[i] + "B";
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
