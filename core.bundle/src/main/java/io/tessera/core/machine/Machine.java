package io.tessera.core.machine;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.clock.VirtualClock;
import io.tessera.core.isa.Cpu;
import io.tessera.core.memory.AddressSpace;
import java.util.List;
import java.util.Map;

/**
 * A machine instance: its CPUs, memory, system bus, clock and state. Registered as a service
 * with the {@link io.tessera.core.device.DeviceConstants#MACHINE} property set to its name, so
 * device configurations target it with {@code machine.target=(tessera.machine=NAME)}.
 */
public interface Machine {

    /** Service property: the machine type name. */
    String TYPE_PROPERTY = "tessera.machine.type";

    /** @return the machine's name, unique in the platform */
    String name();

    /** @return the name of the machine type that built it */
    String type();

    /** @return the options it was created with, defaults filled in */
    Map<String, String> options();

    /** @return the life-cycle state now */
    MachineState state();

    /** @return the system address space */
    AddressSpace memory();

    /** @return the system bus platform devices map onto */
    SystemBus systemBus();

    /** @return the virtual clock, stopped while the machine is paused */
    VirtualClock clock();

    /** @return the CPUs, by index */
    List<Cpu> cpus();

    /** Starts the vCPUs of a {@link MachineState#CREATED} machine. */
    void start();

    /** Stops vCPUs and virtual time; devices must be quiescent when this returns. */
    void pause();

    /** Continues a paused machine. */
    void resume();

    /** Shuts the machine down (as a guest power-off would). */
    void shutdown();

    /** Adds a listener for state changes. */
    void addListener(MachineListener listener);

    /** Removes a listener. */
    void removeListener(MachineListener listener);
}
