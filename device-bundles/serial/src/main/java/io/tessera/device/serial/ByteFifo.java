package io.tessera.device.serial;

/** A bounded first-in first-out queue of bytes in a ring; not thread-safe (the UART's lock guards it). */
final class ByteFifo {

    private final byte[] ring;
    private int head;
    private int size;

    ByteFifo(int capacity) {
        ring = new byte[capacity];
    }

    int capacity() {
        return ring.length;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean isFull() {
        return size == ring.length;
    }

    /** Appends a byte; the caller checks {@link #isFull()} first. */
    void push(int b) {
        if (size == ring.length) {
            throw new IllegalStateException("FIFO full");
        }
        ring[(head + size) % ring.length] = (byte) b;
        size++;
    }

    /** @return the oldest byte, 0..255; the caller checks {@link #isEmpty()} first */
    int pop() {
        if (size == 0) {
            throw new IllegalStateException("FIFO empty");
        }
        int b = ring[head] & 0xff;
        head = (head + 1) % ring.length;
        size--;
        return b;
    }

    void clear() {
        head = 0;
        size = 0;
    }

    /** @return the contents, oldest first */
    byte[] toArray() {
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = ring[(head + i) % ring.length];
        }
        return out;
    }

    /** Replaces the contents; {@code bytes} fits (checked by the caller). */
    void fill(byte[] bytes) {
        clear();
        for (byte b : bytes) {
            push(b);
        }
    }
}
