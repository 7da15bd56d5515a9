package io.tessera.tcg;

/**
 * How a unit's inline loads and stores reach a page that hits in its {@link SoftTlb}: which
 * of the table's two kinds of entry the unit's code reads.
 */
public enum FastPath {
    /**
     * Pages over a {@code long[]} of their own ({@link SoftTlb#readWords}): aligned loads and
     * 8-byte stores are array bytecodes, fast even before HotSpot compiles the unit. User mode
     * keeps its memory this way.
     */
    WORDS,
    /**
     * Pages inside a larger off-heap segment ({@link SoftTlb#readHosts}), accessed at their host
     * address through {@link HostMemory}: a machine's RAM,
     * which is one off-heap segment.
     */
    SEGMENT
}
