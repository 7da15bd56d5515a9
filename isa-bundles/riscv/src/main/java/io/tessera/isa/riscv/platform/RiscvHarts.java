package io.tessera.isa.riscv.platform;

import io.tessera.core.isa.CpuConfig;
import io.tessera.core.isa.Isa;
import io.tessera.core.machine.MachineAssembly;
import io.tessera.core.machine.OptionValues;
import java.util.ArrayList;
import java.util.List;

/** What every RISC-V board does first: the harts its {@code smp} option asks for. */
public final class RiscvHarts {

    private RiscvHarts() {
    }

    /**
     * Creates the harts, connects each to the machine's memory and {@code timebase}, points it
     * at {@code resetVector} (now and after every machine reset) and adds it to the machine.
     *
     * @param board the board's name, for messages
     * @param maxHarts the most harts the board has
     * @return the harts, by index
     * @throws IllegalArgumentException when the {@code smp} option is not 1 to {@code maxHarts}
     */
    public static List<RiscvCpu> create(Isa isa, MachineAssembly assembly, String board, int maxHarts, Timebase timebase,
            long resetVector) {
        long count = OptionValues.number("smp", assembly.options().get("smp"));
        if (count < 1 || count > maxHarts) {
            throw new IllegalArgumentException("smp=" + count + " is not valid: " + board + " has 1 to " + maxHarts + " harts");
        }
        List<RiscvCpu> harts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RiscvCpu hart = (RiscvCpu) isa.createCpu(new CpuConfig(i, isa.defaultCpuModel()));
            hart.connect(assembly.memory(), timebase);
            hart.setPc(resetVector);
            harts.add(hart);
            assembly.addCpu(hart);
        }
        // The machine resets each hart (pc 0); every hart starts again at the reset vector.
        assembly.onReset(() -> harts.forEach(hart -> hart.setPc(resetVector)));
        return List.copyOf(harts);
    }
}
