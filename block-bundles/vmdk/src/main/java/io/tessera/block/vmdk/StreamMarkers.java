package io.tessera.block.vmdk;

/** Types of the marker sectors that frame metadata in a stream-optimized extent (VMware's layout). */
final class StreamMarkers {

    static final int END_OF_STREAM = 0;
    static final int GRAIN_TABLE = 1;
    static final int GRAIN_DIRECTORY = 2;
    static final int FOOTER = 3;

    private StreamMarkers() {
    }
}
