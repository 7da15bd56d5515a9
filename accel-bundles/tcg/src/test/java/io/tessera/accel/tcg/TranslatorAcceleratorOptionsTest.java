package io.tessera.accel.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TranslatorAcceleratorOptionsTest {

    private final TranslatorAccelerator accelerator = new TranslatorAccelerator();

    @AfterEach
    void clearProperties() {
        System.clearProperty(TranslatorAccelerator.THRESHOLD_PROPERTY);
        System.clearProperty(TranslatorAccelerator.CACHE_PROPERTY);
    }

    private String refusal(Map<String, String> options) {
        return assertThrows(IllegalArgumentException.class, () -> accelerator.checkOptions(options)).getMessage();
    }

    @Test
    void defaultsWithoutOptionsOrProperties() {
        assertEquals(new TranslatorAccelerator.Settings(TranslatorAccelerator.DEFAULT_THRESHOLD, 256L << 20), TranslatorAccelerator.Settings.of(Map.of()));
    }

    @Test
    void optionsSetThresholdAndCacheSizeWithSuffixes() {
        assertEquals(new TranslatorAccelerator.Settings(0, 64L << 20),
                TranslatorAccelerator.Settings.of(Map.of("threshold", "0", "cache", "64M")));
        assertEquals(new TranslatorAccelerator.Settings(500, 1L << 30),
                TranslatorAccelerator.Settings.of(Map.of("threshold", "500", "cache", "1G")));
        assertEquals(new TranslatorAccelerator.Settings(TranslatorAccelerator.DEFAULT_THRESHOLD, 65536), TranslatorAccelerator.Settings.of(Map.of("cache", "64K")));
    }

    @Test
    void propertiesStandInForOptionsNotGiven() {
        System.setProperty(TranslatorAccelerator.THRESHOLD_PROPERTY, "7");
        System.setProperty(TranslatorAccelerator.CACHE_PROPERTY, "1048576");
        assertEquals(new TranslatorAccelerator.Settings(7, 1 << 20), TranslatorAccelerator.Settings.of(Map.of()));
        assertEquals(new TranslatorAccelerator.Settings(9, 1 << 20), TranslatorAccelerator.Settings.of(Map.of("threshold", "9")));
        System.setProperty(TranslatorAccelerator.THRESHOLD_PROPERTY, "-3");
        assertEquals("tessera.tcg.threshold=-3: valid values are whole numbers from 0 to 32767", refusal(Map.of()));
    }

    @Test
    void badValuesAreRefusedNamingTheOptionAndWhatIsValid() {
        assertEquals("threshold=hot: valid values are whole numbers from 0 to 32767", refusal(Map.of("threshold", "hot")));
        assertEquals("threshold=40000: valid values are whole numbers from 0 to 32767", refusal(Map.of("threshold", "40000")));
        assertEquals("cache=1K is out of range; valid sizes are 64K or more (a number of bytes, or with K, M, G or T)",
                refusal(Map.of("cache", "1K")));
        assertEquals("cache=big is not a size; write a positive number of bytes, or one with K, M, G or T (512M, 2G, 64KiB)",
                refusal(Map.of("cache", "big")));
    }

    @Test
    void unknownOptionsAreRefusedListingTheValidOnes() {
        assertEquals("accelerator 'tcg' has no option 'tb-size'; options: threshold (times a block is interpreted before it is "
                + "translated, 0 to 32767; 0 translates everything at once), cache (class-file bytes of translated code kept "
                + "(LRU beyond), a size from 64K (256M, 1G))", refusal(Map.of("tb-size", "64")));
    }
}
