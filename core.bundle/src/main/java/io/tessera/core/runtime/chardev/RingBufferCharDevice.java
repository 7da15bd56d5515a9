package io.tessera.core.runtime.chardev;

import io.tessera.core.chardev.ByteReceiver;
import io.tessera.core.chardev.CharDevice;

import java.util.Objects;

/**
 * A {@link CharDevice} that keeps the last {@link #capacity()} bytes written to it in memory,
 * like QEMU's {@code ringbuf} chardev: a console nobody is attached to, whose recent output
 * the monitor or a test reads with {@link #drain()}.
 *
 * <p>Overflow policy: {@link #write} never blocks; when the buffer is full the <em>oldest</em>
 * bytes are dropped to make room, so the buffer always holds the most recent output, and the
 * number of dropped bytes is counted in {@link #droppedBytes()}. Input only comes from
 * {@link #inject}, on the injecting thread.
 */
public final class RingBufferCharDevice implements CharDevice {

    private final String id;
    private final byte[] ring;
    private final Object inputLock = new Object();
    private volatile ByteReceiver receiver;

    // Guarded by this.
    private int head;
    private int size;
    private long dropped;
    private boolean closed;

    /**
     * @param id the device's identifier
     * @param capacity how many bytes the buffer keeps, at least one
     */
    public RingBufferCharDevice(String id, int capacity) {
        this.id = Objects.requireNonNull(id, "id");
        if (capacity < 1) {
            throw new IllegalArgumentException("ring buffer capacity must be positive: " + capacity);
        }
        this.ring = new byte[capacity];
    }

    @Override
    public String id() {
        return id;
    }

    /** @return how many bytes the buffer keeps at most */
    public int capacity() {
        return ring.length;
    }

    /** @return how many bytes are buffered and not yet drained */
    public synchronized int size() {
        return size;
    }

    /** @return how many written bytes have been dropped to make room since creation */
    public synchronized long droppedBytes() {
        return dropped;
    }

    /** Appends the bytes, dropping the oldest buffered ones when full; discarded after close. */
    @Override
    public synchronized void write(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (closed || length == 0) {
            return;
        }
        int capacity = ring.length;
        if (length >= capacity) {
            // Only the last `capacity` bytes survive; everything buffered before is dropped too.
            dropped += size + (length - capacity);
            System.arraycopy(data, offset + length - capacity, ring, 0, capacity);
            head = 0;
            size = capacity;
            return;
        }
        int overflow = size + length - capacity;
        if (overflow > 0) {
            head = (head + overflow) % capacity;
            size -= overflow;
            dropped += overflow;
        }
        int tail = (head + size) % capacity;
        int first = Math.min(length, capacity - tail);
        System.arraycopy(data, offset, ring, tail, first);
        System.arraycopy(data, offset + first, ring, 0, length - first);
        size += length;
    }

    /**
     * Takes everything buffered, oldest byte first, and empties the buffer.
     *
     * @return the buffered bytes, possibly none
     */
    public synchronized byte[] drain() {
        byte[] out = new byte[size];
        int first = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, out, 0, first);
        System.arraycopy(ring, 0, out, first, size - first);
        head = 0;
        size = 0;
        return out;
    }

    @Override
    public void setReceiver(ByteReceiver receiver) {
        this.receiver = receiver;
    }

    /**
     * Delivers bytes to the receiver as if they had arrived from outside, on the calling thread;
     * discarded when no receiver is set, the device is closed, or {@code length} is zero.
     *
     * @param data the bytes
     * @param offset index of the first byte
     * @param length how many bytes
     * @throws IndexOutOfBoundsException if the range is outside {@code data}
     */
    public void inject(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length == 0) {
            return;
        }
        // One delivery at a time, as the ByteReceiver contract requires; not under `this`, so a
        // receiver that echoes back through write() from another thread cannot deadlock.
        synchronized (inputLock) {
            ByteReceiver r = receiver;
            if (r != null && !isClosed()) {
                r.receive(data, offset, length);
            }
        }
    }

    /** Stops accepting output and input; what is buffered can still be drained. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        receiver = null;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized String toString() {
        return "RingBufferCharDevice[" + id + ", " + size + "/" + ring.length + " bytes]";
    }
}
