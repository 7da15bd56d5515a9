package io.tessera.core.chardev;

/**
 * A host-side byte stream that a guest-facing front end (a UART, a virtio console, the monitor)
 * is connected to, like a QEMU {@code -chardev}. Output goes out with {@link #write}; input
 * arrives at the {@link ByteReceiver} set with {@link #setReceiver}.
 *
 * <p><b>Overflow policy.</b> {@link #write} never blocks its caller indefinitely, because the
 * caller is usually a vCPU thread emulating a register write and a stalled reader (a full
 * socket, a paused terminal) must not freeze the guest. When the backend cannot take the bytes
 * it may wait a bounded time, then it drops them; each implementation documents which bytes it
 * drops (the newest, as a serial line without flow control would, or the oldest, as a ring
 * buffer does). Callers that must not lose data implement flow control above this interface.
 *
 * <p>Input is flow-controlled where the source can wait: see {@link ByteReceiver#room()}.
 *
 * <p>All methods are thread-safe.
 */
public interface CharDevice extends AutoCloseable {

    /** @return the identifier the device was opened with, unique in its machine, for front ends to refer to it */
    String id();

    /**
     * Sends bytes out of the emulator, subject to the overflow policy above. The bytes are
     * copied or consumed before the method returns, so the caller may reuse the array. Writes
     * after {@link #close()} are discarded.
     *
     * @param data the bytes
     * @param offset index of the first byte to send
     * @param length how many bytes to send
     * @throws IndexOutOfBoundsException if the range is outside {@code data}
     */
    void write(byte[] data, int offset, int length);

    /**
     * Connects the consumer of incoming bytes, replacing the previous one. Bytes that arrive
     * while no receiver is set are discarded.
     *
     * @param receiver the new consumer, or {@code null} to disconnect
     */
    void setReceiver(ByteReceiver receiver);

    /**
     * Tells the backend that its receiver has room again after {@link ByteReceiver#room()}
     * said it had none (the guest read its input), so that input held back is delivered. Never
     * blocks: it is called on vCPU threads, possibly holding the receiver's lock, so a backend
     * only signals its own thread here. The default suits a backend that holds nothing back.
     */
    default void roomAvailable() {
    }

    /**
     * Releases the backend (file, socket, terminal mode), after which no more bytes are
     * delivered to the receiver. Idempotent; does not throw, because it runs on machine teardown
     * where nothing useful can be done about a failure (implementations log it).
     */
    @Override
    void close();
}
