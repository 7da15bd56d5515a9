package io.tessera.core.memory;

import java.util.List;
import java.util.Optional;

/**
 * The flat view of a region tree that a CPU or a DMA engine sees. The view is rebuilt when
 * the tree changes, never on an access. Accesses are little-endian; an access that reaches
 * nothing, writes a ROM or is refused by an IOMMU throws {@link BusErrorException}.
 *
 * <p>Addresses are in {@code [0, 2^63)}.
 */
public interface AddressSpace {

    /** @return the name, for monitors */
    String name();

    /** @return the outermost container; place regions here */
    ContainerRegion root();

    /**
     * Loads {@code size} bytes.
     *
     * @param address guest address
     * @param size 1, 2, 4 or 8
     * @return the value, zero-extended
     * @throws BusErrorException when nothing answers at some byte of the access
     */
    long read(long address, int size);

    /**
     * Stores {@code size} bytes.
     *
     * @param address guest address
     * @param size 1, 2, 4 or 8
     * @param value the value; low {@code size * 8} bits are stored
     * @throws BusErrorException when nothing answers or the target is read-only
     */
    void write(long address, int size, long value);

    /** Copies {@code length} bytes at {@code address} into {@code dst[offset..]} (DMA, loaders). */
    void read(long address, byte[] dst, int offset, int length);

    /** Copies {@code src[offset..offset+length)} to {@code address} (DMA, loaders); ROMs are refused. */
    void write(long address, byte[] src, int offset, int length);

    /** @return the flat range holding {@code address}, if any */
    Optional<FlatRange> lookup(long address);

    /** @return the whole flat view, by address */
    List<FlatRange> flatView();

    /**
     * Creates an address space over {@code root}: the flat view follows every later change
     * of the tree.
     *
     * @param name name, for monitors
     * @param root the outermost container
     * @return the new address space
     */
    static AddressSpace create(String name, ContainerRegion root) {
        return new io.tessera.core.runtime.memory.FlatAddressSpace(name, root);
    }

    /**
     * A DMA address space for a device behind an IOMMU: every access is translated by
     * {@code iommu} and then performed on this space.
     *
     * @param name name of the new space
     * @param iommu the translation
     * @return a view of this space through the IOMMU
     */
    default AddressSpace behindIommu(String name, IommuTranslator iommu) {
        return new IommuAddressSpace(name, this, iommu);
    }
}
