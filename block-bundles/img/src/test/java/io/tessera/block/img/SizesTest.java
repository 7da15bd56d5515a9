package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SizesTest {

    @Test
    void sizesReadAsQemuImgPrintsThem() {
        assertEquals("0 B", Sizes.human(0));
        assertEquals("512 B", Sizes.human(512));
        assertEquals("0.977 KiB", Sizes.human(1000));
        assertEquals("64 KiB", Sizes.human(65536));
        assertEquals("2 GiB", Sizes.human(2L << 30));
        assertEquals("1.13 GiB", Sizes.human(1207963648L));
        assertEquals("1000 MiB", Sizes.human(1048051712L));
    }

    @Test
    void theLongArithmeticRoundsAsBigDecimalDoes() {
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < 200_000; i++) {
            // Every magnitude up to 2^62, and the values around each power of two and of ten.
            long value = random.nextLong(1L << random.nextInt(1, 63));
            assertEquals(Sizes.humanByBigDecimal(value), Sizes.human(value), "size " + value);
        }
        for (int shift = 0; shift < 62; shift++) {
            for (long delta = -3; delta <= 3; delta++) {
                long value = Math.max(0, (1L << shift) + delta);
                assertEquals(Sizes.humanByBigDecimal(value), Sizes.human(value), "size " + value);
            }
        }
        long power = 1;
        for (int digits = 0; digits < 18; digits++, power *= 10) {
            for (long k = 1; k < 10; k++) {
                for (long delta = -2; delta <= 2; delta++) {
                    long value = Math.max(0, k * power + delta);
                    assertEquals(Sizes.humanByBigDecimal(value), Sizes.human(value), "size " + value);
                }
            }
        }
        // Halves at each unit: x.xx5 exactly representable ties round up, as MathContext's HALF_UP does.
        for (int unit = 1; unit < 5; unit++) {
            for (long thousandths = 1000; thousandths < 10000; thousandths += 5) {
                long value = (thousandths << (10 * unit)) / 1000;
                assertEquals(Sizes.humanByBigDecimal(value), Sizes.human(value), "size " + value);
            }
        }
    }
}
