package io.tessera.core.memory;

/**
 * An access reached nothing, a ROM was written, or an IOMMU refused the access. CPUs turn it
 * into their access-fault exception; DMA engines into their error status. Carries no stack
 * trace: it is a guest event, not an emulator bug, and may be frequent.
 */
public final class BusErrorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long address;
    private final AccessKind access;

    /**
     * @param address the guest address of the failed access
     * @param access what the access was
     * @param reason why it failed
     */
    public BusErrorException(long address, AccessKind access, String reason) {
        super(String.format("%s at 0x%x: %s", access.name().toLowerCase(java.util.Locale.ROOT), address, reason),
                null, false, false);
        this.address = address;
        this.access = access;
    }

    /** @return the guest address of the failed access */
    public long address() {
        return address;
    }

    /** @return what the access was */
    public AccessKind access() {
        return access;
    }
}
