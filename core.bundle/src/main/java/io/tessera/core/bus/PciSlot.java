package io.tessera.core.bus;

import io.tessera.core.irq.IrqLine;
import io.tessera.core.memory.AddressSpace;

/** A function plugged into a PCI bus: what the device gets back to do DMA and interrupts. */
public interface PciSlot {

    /** @return device number and function, {@code (device << 3) | function} */
    int devfn();

    /** @return the DMA address space of this function (behind an IOMMU when the machine has one) */
    AddressSpace dma();

    /** @return the legacy INTx line of this function */
    IrqLine intx();

    /**
     * Sends a message-signalled interrupt, if the guest enabled MSI or MSI-X for this vector.
     *
     * @return whether the message was sent
     */
    boolean signalMsi(int vector);

    /** Unplugs the function; the guest sees a hot-unplug. */
    void unplug();
}
