package io.tessera.core.machine;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.clock.VirtualClock;
import io.tessera.core.isa.Cpu;
import io.tessera.core.memory.AddressSpace;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

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

    /**
     * Resets the machine as a power cycle would, without ending it (QEMU's {@code system_reset}):
     * the vCPUs stop, every CPU and every {@link io.tessera.core.device.Resettable} device of the
     * machine is reset, the board's reset steps run (its boot images are written into memory
     * again and the CPUs pointed at the reset vector), and the machine goes on in the state it
     * was in: a running machine runs again from the reset vector, a paused one stays paused.
     * Virtual time goes on. Returns when the reset is done.
     *
     * <p>Must not be called from a vCPU thread (an MMIO handler), since it waits for the vCPUs
     * to stop: devices use {@link #requestReset()}.
     *
     * @throws IllegalStateException when the machine is shut down
     */
    void reset();

    /**
     * Asks for a {@link #reset()} from any thread, including a vCPU's in an MMIO handler (a
     * guest's reset register), and returns at once; the reset happens shortly on a thread of
     * the machine's. Requests made while one is pending are one reset. Ignored once the machine
     * is shut down. A machine created with the option {@code reboot=off} (QEMU's
     * {@code -no-reboot}) shuts down instead.
     */
    void requestReset();

    /** Shuts the machine down (as a guest power-off would). */
    void shutdown();

    /**
     * Shuts the machine down with an exit status, as a guest does through a test device or a
     * power-off register that carries a code; the command line exits with it.
     */
    void exit(int status);

    /** @return the status the guest exited with, once it did through {@link #exit(int)} */
    OptionalInt exitStatus();

    /** @return the name of the accelerator running the vCPUs, once started */
    Optional<String> accelerator();

    /** Adds a listener for state changes. */
    void addListener(MachineListener listener);

    /** Removes a listener. */
    void removeListener(MachineListener listener);
}
