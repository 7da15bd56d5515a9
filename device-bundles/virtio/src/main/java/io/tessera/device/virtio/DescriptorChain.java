package io.tessera.device.virtio;

import io.tessera.core.memory.AddressSpace;
import java.util.Arrays;

/**
 * One request taken from a virtqueue: the buffers of a descriptor chain (indirect tables
 * already followed), device-readable ones first and device-writable ones after, seen as two
 * byte streams. Every buffer was checked to lie in guest RAM when the chain was taken, so the
 * copies here reach RAM only.
 */
final class DescriptorChain {

    private final AddressSpace memory;
    private final int head;
    private long[] addresses = new long[4];
    private long[] lengths = new long[4];
    private int count;
    private int readableCount;
    private long readableLength;
    private long writableLength;

    DescriptorChain(AddressSpace memory, int head) {
        this.memory = memory;
        this.head = head;
    }

    /** @return the index of the chain's first descriptor, the id the used ring reports */
    int head() {
        return head;
    }

    /** @return how many bytes the device may read */
    long readableLength() {
        return readableLength;
    }

    /** @return how many bytes the device may write */
    long writableLength() {
        return writableLength;
    }

    /** @return how many non-empty buffers the chain has */
    int bufferCount() {
        return count;
    }

    void add(long address, long length, boolean writable) {
        if (length == 0) {
            return;
        }
        if (!writable && readableCount < count) {
            throw new VirtioException("device-readable descriptor after a device-writable one in the chain at head " + head);
        }
        if (count == addresses.length) {
            addresses = Arrays.copyOf(addresses, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        addresses[count] = address;
        lengths[count] = length;
        count++;
        if (writable) {
            writableLength += length;
        } else {
            readableCount++;
            readableLength += length;
        }
    }

    /**
     * Copies bytes {@code [offset, offset + length)} of the readable stream into {@code dst}.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@link #readableLength()}
     */
    void read(long offset, byte[] dst, int dstOffset, int length) {
        if (offset < 0 || length < 0 || offset + length > readableLength) {
            throw new IndexOutOfBoundsException("read of " + length + " bytes at " + offset + " of " + readableLength);
        }
        copy(0, readableCount, offset, dst, dstOffset, length, false);
    }

    /**
     * Copies {@code src} into bytes {@code [offset, offset + length)} of the writable stream.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@link #writableLength()}
     */
    void write(long offset, byte[] src, int srcOffset, int length) {
        if (offset < 0 || length < 0 || offset + length > writableLength) {
            throw new IndexOutOfBoundsException("write of " + length + " bytes at " + offset + " of " + writableLength);
        }
        copy(readableCount, count, offset, src, srcOffset, length, true);
    }

    private void copy(int from, int to, long offset, byte[] bytes, int at, int length, boolean toGuest) {
        long skip = offset;
        int done = 0;
        for (int i = from; i < to && done < length; i++) {
            if (skip >= lengths[i]) {
                skip -= lengths[i];
                continue;
            }
            int chunk = (int) Math.min(length - done, lengths[i] - skip);
            if (toGuest) {
                memory.write(addresses[i] + skip, bytes, at + done, chunk);
            } else {
                memory.read(addresses[i] + skip, bytes, at + done, chunk);
            }
            done += chunk;
            skip = 0;
        }
    }
}
