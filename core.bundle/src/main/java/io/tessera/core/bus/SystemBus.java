package io.tessera.core.bus;

import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.MemoryRegion;
import java.util.List;

/**
 * A machine's system bus: where platform devices map their register blocks, and the address
 * space their DMA uses. Two mappings may not overlap unless they were given different
 * priorities; a refused mapping throws {@link io.tessera.core.memory.OverlapException}
 * naming both regions.
 */
public interface SystemBus {

    /** A region placed on the bus by a device. */
    interface Mapping {
        /** @return the id of the device that owns the mapping */
        String owner();

        /** @return the bus address of the region's first byte */
        long base();

        /** @return the mapped region */
        MemoryRegion region();

        /** Removes the region from the bus; later calls do nothing. */
        void unmap();
    }

    /** @return the address space that CPUs and DMA see through this bus */
    AddressSpace memory();

    /**
     * Maps {@code region} at {@code base}, refusing any overlap.
     *
     * @param owner id of the device mapping it, for monitors and for unplug
     */
    Mapping map(String owner, long base, MemoryRegion region);

    /** Maps {@code region} at {@code base}, where it may overlap mappings of a different priority. */
    Mapping mapOverlap(String owner, long base, MemoryRegion region, int priority);

    /** @return the mappings now, by address */
    List<Mapping> mappings();

    /**
     * A system bus whose mappings are subregions of {@code memory}'s root: what every machine
     * has, and what device tests build a board of their own on.
     */
    static SystemBus create(AddressSpace memory) {
        return new io.tessera.core.runtime.machine.DefaultSystemBus(memory);
    }
}
