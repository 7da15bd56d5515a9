package io.tessera.core.bus;

import io.tessera.core.memory.MemoryRegion;

/**
 * A base address register of a PCI function: the region the guest places by programming the
 * BAR, and how it decodes.
 *
 * @param index BAR number, 0 to 5
 * @param region what the BAR exposes; its size is a power of two
 * @param io an I/O-space BAR rather than memory
 * @param wide64 a 64-bit memory BAR (takes two slots)
 * @param prefetchable memory that may be prefetched
 */
public record PciBar(int index, MemoryRegion region, boolean io, boolean wide64, boolean prefetchable) {
    /** Checks the index and the power-of-two size. */
    public PciBar {
        if (index < 0 || index > 5) {
            throw new IllegalArgumentException("BAR index must be 0 to 5, not " + index);
        }
        if (Long.bitCount(region.size()) != 1) {
            throw new IllegalArgumentException("BAR size must be a power of two, not " + region.size());
        }
    }
}
