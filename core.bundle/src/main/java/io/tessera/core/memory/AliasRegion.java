package io.tessera.core.memory;

import java.util.Objects;

/**
 * A window onto part of another region, so the same memory or device appears at a second
 * address (QEMU's alias): bytes {@code [offset, offset + size)} of the target.
 */
public final class AliasRegion extends MemoryRegion {

    private final MemoryRegion target;
    private final long targetOffset;

    /**
     * @param name region name
     * @param target the region seen through the window
     * @param targetOffset where in the target the window starts
     * @param size size of the window; the window must lie within the target
     */
    public AliasRegion(String name, MemoryRegion target, long targetOffset, long size) {
        super(name, size);
        this.target = Objects.requireNonNull(target, "target");
        if (targetOffset < 0 || targetOffset > target.size() - size) {
            throw new IllegalArgumentException("alias '" + name + "' [" + targetOffset + ", +" + size
                    + ") does not lie within '" + target.name() + "' of " + target.size() + " bytes");
        }
        this.targetOffset = targetOffset;
    }

    /** @return the aliased region */
    public MemoryRegion target() {
        return target;
    }

    /** @return where in the target the window starts */
    public long targetOffset() {
        return targetOffset;
    }

    @Override
    public String kind() {
        return "alias";
    }
}
