package io.tessera.core.memory;

/** What an access to memory does; an IOMMU or a permission check decides by it. */
public enum AccessKind {
    /** A data load. */
    READ,
    /** A data store. */
    WRITE,
    /** An instruction fetch. */
    FETCH
}
