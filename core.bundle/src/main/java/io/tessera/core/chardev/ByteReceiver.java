package io.tessera.core.chardev;

/**
 * Where a {@link CharDevice} delivers incoming bytes, typically a UART's receive FIFO or a
 * monitor's line reader. Called on the backend's thread, one call at a time and in arrival
 * order; it should hand the bytes over quickly and not block, since the backend does not read
 * more input meanwhile.
 */
@FunctionalInterface
public interface ByteReceiver {

    /**
     * Takes bytes that arrived from outside. The array belongs to the caller and may be reused
     * after the method returns, so a receiver that keeps bytes must copy them.
     *
     * @param data the array holding the bytes
     * @param offset index of the first new byte
     * @param length how many bytes arrived, at least one
     */
    void receive(byte[] data, int offset, int length);

    /**
     * How many bytes the receiver takes now without dropping any: the flow control of a serial
     * line. A backend whose source can wait (a socket, a terminal) delivers no more than this,
     * holds the rest back, and delivers on when {@link CharDevice#roomAvailable()} says there is
     * room again. Called on the backend's thread; must not block.
     *
     * @return bytes that fit now; the default, {@link Integer#MAX_VALUE}, is a receiver without flow control
     */
    default int room() {
        return Integer.MAX_VALUE;
    }
}
