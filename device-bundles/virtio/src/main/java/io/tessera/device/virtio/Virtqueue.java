package io.tessera.device.virtio;

import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.FlatRange;
import io.tessera.core.memory.RamRegion;
import java.lang.invoke.VarHandle;

/**
 * A split virtqueue (virtio 1.x, section 2.7): the descriptor table, the driver (available)
 * ring and the device (used) ring in guest RAM, and the device's indexes into them. Supports
 * indirect descriptors and event-index notification suppression when negotiated.
 *
 * <p>Everything the guest wrote is distrusted: ring and buffer addresses must lie in RAM, a
 * chain may not be longer than the queue, descriptor indexes must be in range, the available
 * index may not run ahead by more than the queue size. A violation throws
 * {@link VirtioException}; nothing here loops on guest data without a bound.
 *
 * <p>Not thread-safe: the transport's lock guards it.
 */
final class Virtqueue {

    static final int DESC_F_NEXT = 1;
    static final int DESC_F_WRITE = 2;
    static final int DESC_F_INDIRECT = 4;
    static final int AVAIL_F_NO_INTERRUPT = 1;
    private static final int DESC_SIZE = 16;

    private final int index;
    private final int maxSize;
    private final AddressSpace memory;

    // Registers the driver programs.
    private int size;
    private boolean ready;
    private long descAddress;
    private long driverAddress;
    private long deviceAddress;

    // Device state, valid while ready.
    private boolean indirect;
    private boolean eventIdx;
    private int lastAvail;
    private int usedIdx;
    private int signalledUsed;
    private boolean signalledUsedValid;

    Virtqueue(int index, int maxSize, AddressSpace memory) {
        this.index = index;
        this.maxSize = maxSize;
        this.memory = memory;
        reset();
    }

    /** Forgets everything: the state after a device reset. */
    void reset() {
        size = maxSize;
        ready = false;
        descAddress = 0;
        driverAddress = 0;
        deviceAddress = 0;
        lastAvail = 0;
        usedIdx = 0;
        signalledUsed = 0;
        signalledUsedValid = false;
    }

    int index() {
        return index;
    }

    int maxSize() {
        return maxSize;
    }

    int size() {
        return size;
    }

    void setSize(int size) {
        this.size = size;
    }

    boolean isReady() {
        return ready;
    }

    long descAddress() {
        return descAddress;
    }

    long driverAddress() {
        return driverAddress;
    }

    long deviceAddress() {
        return deviceAddress;
    }

    void setDescAddress(long address) {
        descAddress = address;
    }

    void setDriverAddress(long address) {
        driverAddress = address;
    }

    void setDeviceAddress(long address) {
        deviceAddress = address;
    }

    /**
     * Makes the queue live (QueueReady = 1) after checking its layout.
     *
     * @param features the negotiated feature bits
     * @throws VirtioException if the size or a ring address is invalid
     */
    void enable(long features) {
        checkLayout(size, descAddress, driverAddress, deviceAddress);
        setFeatures(features);
        lastAvail = 0;
        usedIdx = 0;
        signalledUsedValid = false;
        ready = true;
    }

    private void setFeatures(long features) {
        indirect = (features & (1L << VirtioMmio.F_INDIRECT_DESC)) != 0;
        eventIdx = (features & (1L << VirtioMmio.F_EVENT_IDX)) != 0;
    }

    /** Checks a queue layout: a power-of-two size, aligned rings, all in RAM. */
    void checkLayout(int size, long desc, long driver, long device) {
        if (size == 0 || size > maxSize || Integer.bitCount(size) != 1) {
            throw new VirtioException("queue " + index + ": size " + size + " is not a power of two from 1 to " + maxSize);
        }
        if ((desc & 15) != 0 || (driver & 1) != 0 || (device & 3) != 0) {
            throw new VirtioException(String.format("queue %d: misaligned rings (descriptors 0x%x, driver 0x%x, device 0x%x)",
                    index, desc, driver, device));
        }
        checkRam(memory, desc, (long) DESC_SIZE * size, false, "descriptor table of queue " + index);
        checkRam(memory, driver, 6 + 2L * size, false, "driver ring of queue " + index);
        checkRam(memory, device, 6 + 8L * size, true, "device ring of queue " + index);
    }

    /** @return the saved form: size, ready, the three addresses, last available, used index, last signalled used index or -1 */
    long[] save() {
        return new long[] {size, ready ? 1 : 0, descAddress, driverAddress, deviceAddress, lastAvail, usedIdx,
            signalledUsedValid ? signalledUsed : -1};
    }

    /** Number of values {@link #save()} gives. */
    static final int SAVED = 8;

    /**
     * Checks a saved form against this queue (and guest memory as it is now).
     *
     * @throws VirtioException describing what is impossible
     */
    void checkSaved(long[] saved) {
        long savedSize = saved[0];
        if (savedSize < 0 || savedSize > maxSize) {
            throw new VirtioException("queue " + index + ": size " + savedSize + " above the maximum " + maxSize);
        }
        for (int i = 5; i <= 6; i++) {
            if (saved[i] < 0 || saved[i] > 0xffff) {
                throw new VirtioException("queue " + index + ": ring index " + saved[i] + " outside 0..65535");
            }
        }
        if (saved[7] < -1 || saved[7] > 0xffff) {
            throw new VirtioException("queue " + index + ": signalled index " + saved[7] + " outside -1..65535");
        }
        if (saved[1] != 0) {
            checkLayout((int) savedSize, saved[2], saved[3], saved[4]);
        }
    }

    /** Takes over a saved form that {@link #checkSaved} accepted. */
    void restore(long[] saved, long features) {
        size = (int) saved[0];
        ready = saved[1] != 0;
        descAddress = saved[2];
        driverAddress = saved[3];
        deviceAddress = saved[4];
        lastAvail = (int) saved[5];
        usedIdx = (int) saved[6];
        signalledUsedValid = saved[7] >= 0;
        signalledUsed = signalledUsedValid ? (int) saved[7] : 0;
        setFeatures(features);
    }

    /** Stops the queue (QueueReady = 0) without touching guest memory. */
    void disable() {
        ready = false;
    }

    /** @return how many chains the driver has made available and the device not yet taken */
    int pending() {
        if (!ready) {
            return 0;
        }
        int avail = read16(driverAddress + 2);
        int pending = (avail - lastAvail) & 0xffff;
        if (pending > size) {
            throw new VirtioException("queue " + index + ": driver moved the available index from " + lastAvail + " to " + avail
                    + ", more than the queue size " + size);
        }
        return pending;
    }

    /**
     * Takes the next available chain.
     *
     * @return the chain, or {@code null} when none is available
     * @throws VirtioException if the chain is malformed
     */
    DescriptorChain pop() {
        if (pending() == 0) {
            return null;
        }
        // The ring entry and the descriptors were written before the index the driver published.
        VarHandle.acquireFence();
        int head = read16(driverAddress + 4 + 2L * (lastAvail % size));
        lastAvail = (lastAvail + 1) & 0xffff;
        if (eventIdx) {
            // As QEMU's virtqueue_pop: the driver may notify again as soon as it adds past this one.
            memory.write(deviceAddress + 4 + 8L * size, 2, lastAvail);
        }
        return walk(head);
    }

    private DescriptorChain walk(int head) {
        if (head >= size) {
            throw new VirtioException("queue " + index + ": chain head " + head + " is outside the descriptor table of " + size);
        }
        DescriptorChain chain = new DescriptorChain(memory, head);
        long table = descAddress;
        int tableSize = size;
        boolean inIndirect = false;
        int i = head;
        byte[] desc = new byte[DESC_SIZE];
        int buffers = 0;
        // Bounded: each turn either follows the one indirect descriptor a chain may have or counts a buffer.
        while (true) {
            memory.read(table + (long) DESC_SIZE * i, desc, 0, DESC_SIZE);
            long address = le64(desc, 0);
            long length = le32(desc, 8) & 0xffff_ffffL;
            int flags = le16(desc, 12);
            int next = le16(desc, 14);
            if ((flags & DESC_F_INDIRECT) != 0) {
                if (!indirect) {
                    throw new VirtioException("queue " + index + ": indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC");
                }
                if (inIndirect) {
                    throw new VirtioException("queue " + index + ": indirect descriptor inside an indirect table");
                }
                if ((flags & DESC_F_NEXT) != 0) {
                    throw new VirtioException("queue " + index + ": indirect descriptor with the NEXT flag");
                }
                if (length == 0 || length % DESC_SIZE != 0) {
                    throw new VirtioException("queue " + index + ": indirect table of " + length + " bytes");
                }
                checkRam(memory, address, length, false, "indirect table of queue " + index);
                table = address;
                tableSize = (int) Math.min(length / DESC_SIZE, Integer.MAX_VALUE);
                inIndirect = true;
                i = 0;
                continue;
            }
            if (++buffers > size) {
                throw new VirtioException("queue " + index + ": the chain at head " + head
                        + " is longer than the queue size " + size + " (a descriptor loop?)");
            }
            boolean writable = (flags & DESC_F_WRITE) != 0;
            checkRam(memory, address, length, writable, "buffer of queue " + index);
            chain.add(address, length, writable);
            if ((flags & DESC_F_NEXT) == 0) {
                return chain;
            }
            if (next >= tableSize) {
                throw new VirtioException("queue " + index + ": next descriptor " + next + " is outside its table of " + tableSize);
            }
            i = next;
        }
    }

    /** Returns a chain to the driver with {@code written} bytes written into it. */
    void push(DescriptorChain chain, long written) {
        long element = deviceAddress + 4 + 8L * (usedIdx % size);
        memory.write(element, 4, chain.head());
        memory.write(element + 4, 4, Math.min(written, 0xffff_ffffL));
        // The element must be visible before the index that publishes it.
        VarHandle.releaseFence();
        usedIdx = (usedIdx + 1) & 0xffff;
        memory.write(deviceAddress + 2, 2, usedIdx);
    }

    /**
     * After taking chains: with event indexes, tells the driver (avail_event) to notify once it
     * makes a buffer available past the ones taken.
     *
     * @return whether more chains became available meanwhile, so the caller looks again
     */
    boolean rearm() {
        if (!ready) {
            return false;
        }
        if (eventIdx) {
            memory.write(deviceAddress + 4 + 8L * size, 2, lastAvail);
            VarHandle.fullFence();
        }
        return pending() > 0;
    }

    /**
     * Decides whether the chains pushed since the last notification need an interrupt: by the
     * driver's used_event with event indexes, by its NO_INTERRUPT flag otherwise.
     */
    boolean shouldNotify() {
        VarHandle.fullFence();
        if (eventIdx) {
            int old = signalledUsed;
            boolean valid = signalledUsedValid;
            signalledUsed = usedIdx;
            signalledUsedValid = true;
            int usedEvent = read16(driverAddress + 4 + 2L * size);
            return !valid || needEvent(usedEvent, usedIdx, old);
        }
        return (read16(driverAddress) & AVAIL_F_NO_INTERRUPT) == 0;
    }

    /** The spec's vring_need_event: whether {@code event} lies in {@code [old, new)} modulo 2^16. */
    static boolean needEvent(int event, int newIdx, int old) {
        return ((newIdx - event - 1) & 0xffff) < ((newIdx - old) & 0xffff);
    }

    private int read16(long address) {
        return (int) memory.read(address, 2);
    }

    /**
     * Checks that {@code [address, address + length)} is guest RAM (and writable RAM when
     * {@code write}), so DMA never reaches a device's registers.
     */
    static void checkRam(AddressSpace memory, long address, long length, boolean write, String what) {
        if (length == 0) {
            return;
        }
        long end = address + length;
        if (address < 0 || end < address) {
            throw new VirtioException(String.format("%s at 0x%x (+0x%x) is outside the address space", what, address, length));
        }
        long at = address;
        while (at < end) {
            FlatRange range = memory.lookup(at).orElse(null);
            if (range == null || !(range.region() instanceof RamRegion ram)) {
                throw new VirtioException(String.format("%s at 0x%x (+0x%x) is not in RAM at 0x%x", what, address, length, at));
            }
            if (write && ram.isReadOnly()) {
                throw new VirtioException(String.format("%s at 0x%x (+0x%x) is read-only memory at 0x%x", what, address, length, at));
            }
            at = range.end();
        }
    }

    static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    static int le32(byte[] b, int at) {
        return le16(b, at) | le16(b, at + 2) << 16;
    }

    static long le64(byte[] b, int at) {
        return (le32(b, at) & 0xffff_ffffL) | (long) le32(b, at + 4) << 32;
    }
}
