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
}
