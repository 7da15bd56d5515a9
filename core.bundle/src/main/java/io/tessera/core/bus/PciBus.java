package io.tessera.core.bus;

import java.util.List;

/**
 * A PCI bus, registered as a service with {@code tessera.machine} and {@code tessera.id} so
 * that device configurations target it ({@code bus.target=(tessera.id=pcie0)}).
 */
public interface PciBus {

    /** @return the bus instance id */
    String id();

    /**
     * Plugs a function in at {@code devfn}.
     *
     * @param devfn {@code (device << 3) | function}, or -1 for the first free slot
     * @throws IllegalStateException when the slot is taken or the bus is full; the message says which are free
     */
    PciSlot plug(int devfn, PciFunction function);

    /** @return the occupied slots */
    List<PciSlot> slots();
}
