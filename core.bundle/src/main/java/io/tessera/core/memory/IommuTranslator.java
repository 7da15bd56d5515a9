package io.tessera.core.memory;

/**
 * The IOMMU hook: translates a device's DMA address (an I/O virtual address) into an address
 * of the space behind the IOMMU, or refuses it. An IOMMU device implements it; a DMA address
 * space created with {@link AddressSpace#behindIommu(String, IommuTranslator)} calls it for
 * every access.
 */
@FunctionalInterface
public interface IommuTranslator {

    /** The outcome of a translation: a target address valid for a naturally aligned page, or a refusal. */
    record Translation(long address, long pageMask, boolean permitted) {
        /** A permitted translation of the page around {@code address}, {@code pageMask} covering its in-page bits. */
        public static Translation to(long address, long pageMask) {
            return new Translation(address, pageMask, true);
        }

        /** A refused access. */
        public static Translation refused() {
            return new Translation(0, 0, false);
        }
    }

    /**
     * @param iova the address the device used
     * @param access what it does
     * @return where it lands, or a refusal (a DMA fault)
     */
    Translation translate(long iova, AccessKind access);
}
