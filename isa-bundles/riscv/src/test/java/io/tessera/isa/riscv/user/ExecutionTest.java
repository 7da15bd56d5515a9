package io.tessera.isa.riscv.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.accel.AcceleratorSpec;
import org.junit.jupiter.api.Test;

/** User mode's -accel takes the machines' spelling: tcg with threshold and cache, or interp with none. */
class ExecutionTest {

    private static final Execution DEFAULTS = new Execution(true, 50, 256L << 20, 16, 10000, StatisticsRequest.NONE);

    private static String refusal(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> DEFAULTS.accelerated(AcceleratorSpec.parse(spec))).getMessage();
    }

    @Test
    void tcgOptionsOverrideThePropertiesAndInterpTurnsTheTranslatorOff() {
        Execution tcg = DEFAULTS.accelerated(AcceleratorSpec.parse("tcg,threshold=0,cache=64M"));
        assertTrue(tcg.translate());
        assertEquals(0, tcg.threshold());
        assertEquals(64L << 20, tcg.cacheBytes());
        assertEquals(DEFAULTS.regionBlocks(), tcg.regionBlocks());
        assertEquals(DEFAULTS, DEFAULTS.accelerated(AcceleratorSpec.parse("tcg")));
        assertFalse(DEFAULTS.accelerated(AcceleratorSpec.parse("interp")).translate());
    }

    @Test
    void mistakesAreNamedWithWhatIsValid() {
        assertEquals("valid accelerators are tcg and interp", refusal("kvm"));
        assertEquals("threshold=-1: valid values are whole numbers from 0 to 32767", refusal("tcg,threshold=-1"));
        assertEquals("cache=4K is out of range; valid sizes are 64K or more (a number of bytes, or with K, M, G or T)", refusal("tcg,cache=4K"));
        assertEquals("accelerator 'tcg' has no option 'region'; options: threshold, cache", refusal("tcg,region=4"));
        assertEquals("accelerator 'interp' has no option 'threshold'; it takes none", refusal("interp,threshold=0"));
    }

    @Test
    void theChainSettingIsTrueOrFalse() {
        assertFalse(Execution.chainSetting(null));
        assertFalse(Execution.chainSetting("false"));
        assertTrue(Execution.chainSetting("true"));
        assertEquals("tessera.tcg.chain=yes: valid values are true and false",
                assertThrows(IllegalArgumentException.class, () -> Execution.chainSetting("yes")).getMessage());
    }
}
