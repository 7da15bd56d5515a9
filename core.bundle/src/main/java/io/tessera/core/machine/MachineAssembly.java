package io.tessera.core.machine;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.clock.VirtualClock;
import io.tessera.core.isa.Cpu;
import io.tessera.core.memory.AddressSpace;
import java.util.Map;

/** What a {@link MachineType} gets to build a board: the new machine's parts, to fill. */
public interface MachineAssembly {

    /** @return the machine's name */
    String name();

    /** @return the options, checked against the type's {@link MachineType#options()} and with defaults filled in */
    Map<String, String> options();

    /** @return the system address space, empty */
    AddressSpace memory();

    /** @return the system bus */
    SystemBus systemBus();

    /** @return the machine's virtual clock */
    VirtualClock clock();

    /** Adds a CPU; indices must follow 0, 1, 2... */
    void addCpu(Cpu cpu);

    /** Closes {@code resource} (RAM, files) when the machine is destroyed, last added first. */
    void closeOnDestroy(AutoCloseable resource);

    /** @return the machine being assembled, for devices that end it (power-off, test devices) */
    Machine machine();
}
