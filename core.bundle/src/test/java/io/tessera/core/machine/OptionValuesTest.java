package io.tessera.core.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OptionValuesTest {

    private static final String SIZE_FORMS = " is not a size; write a positive number of bytes, or one with K, M, G or T (512M, 2G, 64KiB)";
    private static final String NUMBER_FORMS = " is not a number; write decimal (4096) or hexadecimal (0x1000)";

    private static void assertSizeRefused(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.size("memory", value), () -> "accepted size '" + value + "'");
        assertEquals("memory=" + value + SIZE_FORMS, e.getMessage());
    }

    private static void assertNumberRefused(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.number("ram-base", value), () -> "accepted number '" + value + "'");
        assertEquals("ram-base=" + value + NUMBER_FORMS, e.getMessage());
    }

    // --- size ---

    @Test
    void sizeWithSuffixesIsInPowersOf1024() {
        assertEquals(512L * 1024 * 1024, OptionValues.size("memory", "512M"));
        assertEquals(2L * 1024 * 1024 * 1024, OptionValues.size("memory", "2G"));
        assertEquals(1024L, OptionValues.size("memory", "1K"));
        assertEquals(3L << 40, OptionValues.size("memory", "3T"));
    }

    @Test
    void sizeSuffixesAreCaseInsensitive() {
        assertEquals(1024L, OptionValues.size("memory", "1k"));
        assertEquals(512L << 20, OptionValues.size("memory", "512m"));
        assertEquals(2L << 30, OptionValues.size("memory", "2g"));
        assertEquals(1L << 40, OptionValues.size("memory", "1t"));
    }

    @Test
    void sizeWithoutSuffixIsBytes() {
        assertEquals(4096L, OptionValues.size("memory", "4096"));
        assertEquals(1L, OptionValues.size("memory", "1"));
        assertEquals(Long.MAX_VALUE, OptionValues.size("memory", "9223372036854775807"));
    }

    @Test
    void sizeTakesAByteSuffixAfterTheUnit() {
        assertEquals(64L * 1024, OptionValues.size("memory", "64KB"));
        assertEquals(64L * 1024, OptionValues.size("memory", "64kb"));
        assertEquals(16L << 20, OptionValues.size("memory", "16MB"));
        assertEquals(4L << 30, OptionValues.size("memory", "4Gb"));
    }

    @Test
    void sizeIgnoresSurroundingBlanks() {
        assertEquals(16L << 20, OptionValues.size("memory", "  16M "));
    }

    @Test
    void sizeAcceptsTheLargestValuesThatFitInALong() {
        assertEquals(((1L << 53) - 1) << 10, OptionValues.size("memory", ((1L << 53) - 1) + "K"));
        assertEquals(((1L << 23) - 1) << 40, OptionValues.size("memory", ((1L << 23) - 1) + "T"));
    }

    @Test
    void sizeRefusesZeroNamingTheOption() {
        assertSizeRefused("0");
        assertSizeRefused("0M");
    }

    @Test
    void sizeRefusesNegatives() {
        assertSizeRefused("-1");
        assertSizeRefused("-512M");
    }

    @Test
    void sizeRefusesGarbage() {
        assertSizeRefused("");
        assertSizeRefused("   ");
        assertSizeRefused("lots");
        assertSizeRefused("M");
        assertSizeRefused("KB");
        assertSizeRefused("12X");
        assertSizeRefused("1.5G");
        assertSizeRefused("0x1000");
        assertSizeRefused("512 M");
        assertSizeRefused("5MM");
    }

    @Test
    void sizeRefusesOverflow() {
        assertSizeRefused("9223372036854775808");
        assertSizeRefused((1L << 53) + "K");
        assertSizeRefused((1L << 23) + "T");
        assertSizeRefused("9223372036854775807K");
        assertSizeRefused("99999999999999999999T");
    }

    @Test
    void sizeErrorNamesTheOptionItWasGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.size("maxmem", "big"));
        assertEquals("maxmem=big" + SIZE_FORMS, e.getMessage());
    }

    // --- number ---

    @Test
    void numberReadsDecimal() {
        assertEquals(4096L, OptionValues.number("ram-base", "4096"));
        assertEquals(0L, OptionValues.number("ram-base", "0"));
        assertEquals(-5L, OptionValues.number("ram-base", "-5"));
        assertEquals(Long.MAX_VALUE, OptionValues.number("ram-base", "9223372036854775807"));
    }

    @Test
    void numberReadsHexadecimalAfter0x() {
        assertEquals(0x1000L, OptionValues.number("ram-base", "0x1000"));
        assertEquals(0x1FL, OptionValues.number("ram-base", "0X1f"));
        assertEquals(0x80000000L, OptionValues.number("ram-base", "0x80000000"));
        assertEquals(0xDEADBEEFL, OptionValues.number("ram-base", "0xdeadBEEF"));
    }

    @Test
    void numberReadsHexadecimalAsUnsigned64Bits() {
        assertEquals(0xFFFF_FFFF_FFFF_FFFFL, OptionValues.number("ram-base", "0xffffffffffffffff"));
        assertEquals(Long.MIN_VALUE, OptionValues.number("ram-base", "0x8000000000000000"));
    }

    @Test
    void numberIgnoresUnderscoresAndSurroundingBlanks() {
        assertEquals(1_000_000L, OptionValues.number("ram-base", "1_000_000"));
        assertEquals(0x8000_0000L, OptionValues.number("ram-base", "0x8000_0000"));
        assertEquals(42L, OptionValues.number("ram-base", " 42 "));
    }

    @Test
    void numberRefusesGarbageNamingTheOption() {
        assertNumberRefused("");
        assertNumberRefused("_");
        assertNumberRefused("many");
        assertNumberRefused("12abc");
        assertNumberRefused("1.5");
        assertNumberRefused("512M");
        assertNumberRefused("0x");
        assertNumberRefused("0xg");
        assertNumberRefused("-0x10");
        assertNumberRefused("0x-1");
        assertNumberRefused("1000h");
    }

    @Test
    void numberRefusesOverflow() {
        assertNumberRefused("9223372036854775808");
        assertNumberRefused("-9223372036854775809");
        assertNumberRefused("0x10000000000000000");
    }

    @Test
    void numberErrorNamesTheOptionItWasGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptionValues.number("irq", "seven"));
        assertEquals("irq=seven" + NUMBER_FORMS, e.getMessage());
    }

    // --- ranges ---

    @Test
    void numbersInRangeAreAcceptedAndOthersRefusedWithTheRange() {
        assertEquals(0, OptionValues.number("threshold", "0", 0, 32767));
        assertEquals(32767, OptionValues.number("threshold", " 32767 ", 0, 32767));
        for (String bad : new String[] {"-1", "32768", "many", "", "0x10"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptionValues.number("threshold", bad, 0, 32767));
            assertEquals("threshold=" + bad + ": valid values are whole numbers from 0 to 32767", e.getMessage());
        }
    }

    @Test
    void sizesInRangeAreAcceptedAndOthersRefusedWithTheRange() {
        assertEquals(64L << 20, OptionValues.size("cache", "64M", 65536, Long.MAX_VALUE));
        assertEquals(65536, OptionValues.size("cache", "65536", 65536, Long.MAX_VALUE));
        assertEquals("cache=32K is out of range; valid sizes are 64K or more (a number of bytes, or with K, M, G or T)",
                assertThrows(IllegalArgumentException.class, () -> OptionValues.size("cache", "32K", 65536, Long.MAX_VALUE)).getMessage());
        assertEquals("cache=3G is out of range; valid sizes are 4K to 2G (a number of bytes, or with K, M, G or T)",
                assertThrows(IllegalArgumentException.class, () -> OptionValues.size("cache", "3G", 4096, 2L << 30)).getMessage());
        assertEquals("cache=lots" + SIZE_FORMS,
                assertThrows(IllegalArgumentException.class, () -> OptionValues.size("cache", "lots", 65536, Long.MAX_VALUE)).getMessage());
    }
}
