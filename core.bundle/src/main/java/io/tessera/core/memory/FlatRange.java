package io.tessera.core.memory;

/**
 * One piece of an address space's flat view: addresses {@code [start, end)} reach bytes
 * {@code [regionOffset, regionOffset + end - start)} of a RAM, ROM or MMIO region. Aliases
 * and containers are already resolved.
 *
 * @param start first address
 * @param end first address past the range
 * @param region the RAM or MMIO region reached
 * @param regionOffset offset in {@code region} that {@code start} reaches
 */
public record FlatRange(long start, long end, MemoryRegion region, long regionOffset) {

    /** Checks the range is not empty and reaches a leaf region. */
    public FlatRange {
        if (end <= start) {
            throw new IllegalArgumentException("empty range [" + start + ", " + end + ")");
        }
        if (!(region instanceof RamRegion) && !(region instanceof MmioRegion)) {
            throw new IllegalArgumentException("a flat range reaches RAM or MMIO, not " + region);
        }
    }

    /** @return whether {@code address} lies in the range */
    public boolean contains(long address) {
        return address >= start && address < end;
    }

    @Override
    public String toString() {
        return String.format("%016x-%016x %s '%s' @%x", start, end - 1, region.kind(), region.name(), regionOffset);
    }
}
