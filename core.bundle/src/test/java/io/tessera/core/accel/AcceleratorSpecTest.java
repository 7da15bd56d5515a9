package io.tessera.core.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.core.isa.Isa;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AcceleratorSpecTest {

    @Test
    void nameAloneHasNoOptions() {
        AcceleratorSpec spec = AcceleratorSpec.parse("tcg");
        assertEquals("tcg", spec.name());
        assertEquals(Map.of(), spec.options());
    }

    @Test
    void optionsFollowTheNameInOrderAndQemusImpliedKeyIsAccepted() {
        AcceleratorSpec spec = AcceleratorSpec.parse("accel=tcg,threshold=0,cache=64M");
        assertEquals("tcg", spec.name());
        assertEquals(List.of("threshold", "cache"), List.copyOf(spec.options().keySet()));
        assertEquals("64M", spec.options().get("cache"));
        assertEquals("tcg,threshold=0,cache=64M", spec.toString());
    }

    @Test
    void blankNamesNoAccelerator() {
        assertEquals("", AcceleratorSpec.parse("  ").name());
    }

    @Test
    void badSpecsAreRefusedNamingTheItem() {
        assertEquals("accel=,threshold=0 names no accelerator; write NAME[,option=value...], e.g. tcg,threshold=0",
                assertThrows(IllegalArgumentException.class, () -> AcceleratorSpec.parse(",threshold=0")).getMessage());
        assertEquals("accel=tcg,fast: 'fast' is not option=value",
                assertThrows(IllegalArgumentException.class, () -> AcceleratorSpec.parse("tcg,fast")).getMessage());
        assertEquals("accel=tcg,cache=1M,cache=2M: option 'cache' is given twice",
                assertThrows(IllegalArgumentException.class, () -> AcceleratorSpec.parse("tcg,cache=1M,cache=2M")).getMessage());
    }

    /** An accelerator that declares one option and otherwise keeps the defaults. */
    private static Accelerator withOptions(List<MachineOption> options) {
        return new Accelerator() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public int ranking() {
                return 0;
            }

            @Override
            public Availability availability() {
                return Availability.yes();
            }

            @Override
            public boolean supports(Isa isa) {
                return true;
            }

            @Override
            public VcpuSet start(Machine machine) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<MachineOption> options() {
                return options;
            }
        };
    }

    @Test
    void theDefaultCheckRefusesUndeclaredOptionsListingTheDeclaredOnes() {
        Accelerator none = withOptions(List.of());
        none.checkOptions(Map.of());
        assertEquals("accelerator 'test' has no option 'x'; it takes none",
                assertThrows(IllegalArgumentException.class, () -> none.checkOptions(Map.of("x", "1"))).getMessage());
        Accelerator one = withOptions(List.of(new MachineOption("speed", "how fast", "1")));
        one.checkOptions(Map.of("speed", "2"));
        assertEquals("accelerator 'test' has no option 'x'; options: speed (how fast)",
                assertThrows(IllegalArgumentException.class, () -> one.checkOptions(Map.of("x", "1"))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> none.start(null, Map.of("x", "1")));
    }
}
