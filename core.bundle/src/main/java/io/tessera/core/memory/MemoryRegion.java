package io.tessera.core.memory;

import java.util.Objects;

/**
 * A named piece of an address space, as in QEMU's memory API: RAM, ROM, MMIO, an alias of
 * another region, or a container of subregions. Regions are placed in containers at an
 * offset; the {@link AddressSpace} whose root is the outermost container turns the tree
 * into a flat view once per change, never per access.
 *
 * <p>A region belongs to at most one container at a time.
 */
public sealed abstract class MemoryRegion permits RamRegion, MmioRegion, AliasRegion, ContainerRegion {

    private final String name;
    private final long size;
    private volatile ContainerRegion parent;

    /**
     * @param name a name for monitors and error messages
     * @param size size in bytes, positive
     */
    protected MemoryRegion(String name, long size) {
        this.name = Objects.requireNonNull(name, "name");
        if (size <= 0) {
            throw new IllegalArgumentException("region '" + name + "' must have a positive size, not " + size);
        }
        this.size = size;
    }

    /** @return the region's name, for monitors and error messages */
    public final String name() {
        return name;
    }

    /** @return the size in bytes */
    public final long size() {
        return size;
    }

    /** @return the container this region is placed in, or {@code null} when it is not placed */
    public final ContainerRegion parent() {
        return parent;
    }

    final void attachTo(ContainerRegion container) {
        if (parent != null) {
            throw new IllegalStateException("region '" + name + "' is already placed in '" + parent.name() + "'");
        }
        parent = container;
    }

    final void detach() {
        parent = null;
    }

    /** @return a short description of the kind of region ("ram", "rom", "mmio", "alias", "container") */
    public abstract String kind();

    @Override
    public String toString() {
        return kind() + " '" + name + "' (" + size + " bytes)";
    }
}
