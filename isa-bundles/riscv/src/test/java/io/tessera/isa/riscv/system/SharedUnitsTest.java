package io.tessera.isa.riscv.system;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.isa.CpuConfig;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.memory.RamRegion;
import io.tessera.core.runtime.clock.HostVirtualClock;
import io.tessera.core.runtime.memory.FlatAddressSpace;
import io.tessera.isa.riscv.RiscvIsa;
import io.tessera.isa.riscv.platform.Timebase;
import io.tessera.tcg.stats.BlockStats;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The harts of a machine share their units: once one hart has translated hot code, another
 * that reaches the same code runs the unit without first counting the code hot in its own
 * interpreter (on 4 harts, each hart counting for itself kept a booting kernel in the
 * interpreters).
 */
class SharedUnitsTest {

    private static final long RAM = 0x8000_0000L;
    private static final int THRESHOLD = 1000;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void aHartRunsTheUnitAnotherHartTranslated() throws Exception {
        ContainerRegion root = new ContainerRegion("root", 1L << 40);
        RamRegion ram = RamRegion.ram("ram", 1 << 20);
        root.addSubregion(RAM, ram);
        ram.segment().set(INT, 0, 0x0012_8293); // 1: addi t0, t0, 1
        ram.segment().set(INT, 4, 0xffdf_f06f); //    j 1b
        FlatAddressSpace bus = new FlatAddressSpace("bus", root);
        try (HostVirtualClock clock = new HostVirtualClock("test", true)) {
            Timebase timebase = new Timebase(clock, 10_000_000);
            SystemHart first = hart(0, bus, timebase);
            SystemHart second = hart(1, bus, timebase);
            SystemTranslations shared = (SystemTranslations) first.newSharedTranslations(THRESHOLD, 1 << 20);

            for (int i = 0; i < 100 && shared.snapshot().at(RAM).isEmpty(); i++) {
                first.runTranslated(10_000, shared);
            }
            assertFalse(shared.snapshot().at(RAM).isEmpty(), "the first hart never translated its loop: " + shared.statistics());
            long before = executions(shared);

            // Far fewer instructions than the second hart's interpreter would run before the
            // code counted hot there: one count per run of 64 interpreted instructions.
            second.runTranslated(2000, shared);
            assertTrue(second.core.x[5] > 0, "the second hart did not run its loop");
            assertTrue(executions(shared) > before, "the second hart ran no unit of the first: " + shared.statistics());
        }
    }

    private static SystemHart hart(int index, FlatAddressSpace bus, Timebase timebase) {
        SystemHart hart = (SystemHart) new RiscvIsa().createCpu(new CpuConfig(index, "rv64"));
        hart.connect(bus, timebase);
        hart.setPc(RAM);
        return hart;
    }

    private static long executions(SystemTranslations shared) {
        return shared.snapshot().at(RAM).stream().mapToLong(BlockStats::executions).sum();
    }
}
