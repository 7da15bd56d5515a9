package io.tessera.core.runtime.machine;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.MemoryRegion;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The system bus: mappings are subregions of the system address space's root. */
public final class DefaultSystemBus implements SystemBus {

    private final AddressSpace memory;
    private final List<DefaultMapping> mappings = new CopyOnWriteArrayList<>();

    /** @see SystemBus#create */
    public DefaultSystemBus(AddressSpace memory) {
        this.memory = memory;
    }

    @Override
    public AddressSpace memory() {
        return memory;
    }

    @Override
    public Mapping map(String owner, long base, MemoryRegion region) {
        memory.root().addSubregion(base, region);
        return record(owner, base, region);
    }

    @Override
    public Mapping mapOverlap(String owner, long base, MemoryRegion region, int priority) {
        memory.root().addSubregionOverlap(base, region, priority);
        return record(owner, base, region);
    }

    private Mapping record(String owner, long base, MemoryRegion region) {
        DefaultMapping mapping = new DefaultMapping(owner, base, region);
        mappings.add(mapping);
        return mapping;
    }

    @Override
    public List<Mapping> mappings() {
        return mappings.stream().sorted(Comparator.comparingLong(DefaultMapping::base)).map(m -> (Mapping) m).toList();
    }

    private final class DefaultMapping implements Mapping {
        private final String owner;
        private final long base;
        private final MemoryRegion region;

        DefaultMapping(String owner, long base, MemoryRegion region) {
            this.owner = owner;
            this.base = base;
            this.region = region;
        }

        @Override
        public String owner() {
            return owner;
        }

        @Override
        public long base() {
            return base;
        }

        @Override
        public MemoryRegion region() {
            return region;
        }

        @Override
        public void unmap() {
            if (mappings.remove(this)) {
                memory.root().removeSubregion(region);
            }
        }

        @Override
        public String toString() {
            return String.format("%016x-%016x %s '%s' (%s)", base, base + region.size() - 1, region.kind(), region.name(), owner);
        }
    }
}
