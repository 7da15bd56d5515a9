package io.tessera.core.memory;

import java.util.Objects;

/** A region whose accesses call a device's {@link MmioHandler}. */
public final class MmioRegion extends MemoryRegion {

    /** Bit for 1-byte accesses in an access-size mask. */
    public static final int SIZE_1 = 1;
    /** Bit for 2-byte accesses in an access-size mask. */
    public static final int SIZE_2 = 2;
    /** Bit for 4-byte accesses in an access-size mask. */
    public static final int SIZE_4 = 4;
    /** Bit for 8-byte accesses in an access-size mask. */
    public static final int SIZE_8 = 8;
    /** Every access size. */
    public static final int ALL_SIZES = SIZE_1 | SIZE_2 | SIZE_4 | SIZE_8;

    private final MmioHandler handler;
    private final int accessSizes;

    /**
     * @param name region name
     * @param size size in bytes
     * @param handler the device's register callbacks
     * @param accessSizes mask of the access sizes the handler accepts ({@link #SIZE_4} | {@link #SIZE_8} ...);
     *     other sizes are split or widened by the address space
     */
    public MmioRegion(String name, long size, MmioHandler handler, int accessSizes) {
        super(name, size);
        this.handler = Objects.requireNonNull(handler, "handler");
        if (accessSizes == 0 || (accessSizes & ~ALL_SIZES) != 0) {
            throw new IllegalArgumentException("access-size mask must combine SIZE_1, SIZE_2, SIZE_4, SIZE_8, not " + accessSizes);
        }
        this.accessSizes = accessSizes;
    }

    /** A region that accepts every access size. */
    public MmioRegion(String name, long size, MmioHandler handler) {
        this(name, size, handler, ALL_SIZES);
    }

    /** @return the device callbacks */
    public MmioHandler handler() {
        return handler;
    }

    /** @return the mask of accepted access sizes */
    public int accessSizes() {
        return accessSizes;
    }

    /** @return whether the handler accepts accesses of {@code size} bytes */
    public boolean accepts(int size) {
        return (accessSizes & size) != 0;
    }

    @Override
    public String kind() {
        return "mmio";
    }
}
