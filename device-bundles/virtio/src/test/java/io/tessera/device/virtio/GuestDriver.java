package io.tessera.device.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.memory.RamRegion;
import io.tessera.device.testing.RecordingIrqLine;
import java.util.ArrayList;
import java.util.List;

/**
 * What a guest's virtio driver does, without a CPU: RAM in an address space, descriptor
 * tables and rings laid out in it, and the transport's registers poked directly (STYLE #9).
 */
final class GuestDriver implements AutoCloseable {

    static final long RAM_BASE = 0x8000_0000L;
    static final int RAM_SIZE = 4 << 20;

    /** A buffer of a request: where, how long, and whether the device writes it. */
    record Buf(long address, int length, boolean write) {
    }

    /** One used-ring element. */
    record Used(int id, int length) {
    }

    final ContainerRegion root = new ContainerRegion("system", Long.MAX_VALUE);
    final RamRegion ram = RamRegion.ram("ram", RAM_SIZE);
    final AddressSpace memory;
    final RecordingIrqLine irq = new RecordingIrqLine();
    VirtioMmio device;
    private long next = RAM_BASE + 0x1000;

    GuestDriver(VirtioModel model) {
        root.addSubregion(RAM_BASE, ram);
        memory = AddressSpace.create("test", root);
        device = new VirtioMmio("test-dev", memory, irq, model);
    }

    /** Replaces the device by a new one on {@code model}, as a bundle update does; returns the old one. */
    VirtioMmio replaceDevice(VirtioModel model) {
        VirtioMmio old = device;
        device = new VirtioMmio("test-dev", memory, irq, model);
        return old;
    }

    @Override
    public void close() {
        ram.close();
    }

    int reg(int offset) {
        return (int) device.read(offset, 4);
    }

    void reg(int offset, long value) {
        device.write(offset, 4, value);
    }

    long deviceFeatures() {
        reg(VirtioMmio.DEVICE_FEATURES_SEL, 0);
        long low = reg(VirtioMmio.DEVICE_FEATURES) & 0xffff_ffffL;
        reg(VirtioMmio.DEVICE_FEATURES_SEL, 1);
        long high = reg(VirtioMmio.DEVICE_FEATURES) & 0xffff_ffffL;
        return high << 32 | low;
    }

    /** Resets the device and negotiates {@code features & offered}; returns the status read back. */
    int negotiate(long features) {
        reg(VirtioMmio.STATUS, 0);
        reg(VirtioMmio.STATUS, VirtioMmio.STATUS_ACKNOWLEDGE);
        reg(VirtioMmio.STATUS, VirtioMmio.STATUS_ACKNOWLEDGE | VirtioMmio.STATUS_DRIVER);
        long accepted = features & deviceFeatures();
        reg(VirtioMmio.DRIVER_FEATURES_SEL, 0);
        reg(VirtioMmio.DRIVER_FEATURES, accepted & 0xffff_ffffL);
        reg(VirtioMmio.DRIVER_FEATURES_SEL, 1);
        reg(VirtioMmio.DRIVER_FEATURES, accepted >>> 32);
        reg(VirtioMmio.STATUS, VirtioMmio.STATUS_ACKNOWLEDGE | VirtioMmio.STATUS_DRIVER | VirtioMmio.STATUS_FEATURES_OK);
        return reg(VirtioMmio.STATUS);
    }

    void driverOk() {
        reg(VirtioMmio.STATUS, reg(VirtioMmio.STATUS) | VirtioMmio.STATUS_DRIVER_OK);
    }

    long alloc(int size, int align) {
        next = (next + align - 1) & -align;
        long at = next;
        next += size;
        if (next > RAM_BASE + RAM_SIZE) {
            throw new IllegalStateException("test RAM exhausted");
        }
        return at;
    }

    long buffer(byte[] contents) {
        long at = alloc(contents.length, 16);
        memory.write(at, contents, 0, contents.length);
        return at;
    }

    byte[] bytes(long address, int length) {
        byte[] out = new byte[length];
        memory.read(address, out, 0, length);
        return out;
    }

    /** Interrupt status acknowledged, as a driver's handler does; returns what it was. */
    int ackInterrupt() {
        int isr = reg(VirtioMmio.INTERRUPT_STATUS);
        reg(VirtioMmio.INTERRUPT_ACK, isr);
        return isr;
    }

    Queue queue(int index, int size) {
        reg(VirtioMmio.QUEUE_SEL, index);
        Queue q = new Queue(index, size, alloc(16 * size, 16), alloc(6 + 2 * size, 2), alloc(6 + 8 * size, 4));
        reg(VirtioMmio.QUEUE_NUM, size);
        reg(VirtioMmio.QUEUE_DESC_LOW, q.desc);
        reg(VirtioMmio.QUEUE_DESC_HIGH, q.desc >>> 32);
        reg(VirtioMmio.QUEUE_DRIVER_LOW, q.avail);
        reg(VirtioMmio.QUEUE_DRIVER_HIGH, q.avail >>> 32);
        reg(VirtioMmio.QUEUE_DEVICE_LOW, q.used);
        reg(VirtioMmio.QUEUE_DEVICE_HIGH, q.used >>> 32);
        reg(VirtioMmio.QUEUE_READY, 1);
        assertEquals(1, reg(VirtioMmio.QUEUE_READY), "queue " + index + " ready");
        return q;
    }

    /** A split virtqueue as the driver sees it. */
    final class Queue {
        final int index;
        final int size;
        final long desc;
        final long avail;
        final long used;
        int nextDesc;
        int availIdx;
        int usedSeen;

        Queue(int index, int size, long desc, long avail, long used) {
            this.index = index;
            this.size = size;
            this.desc = desc;
            this.avail = avail;
            this.used = used;
        }

        void writeDescriptor(long table, int i, long address, int length, int flags, int nextIndex) {
            long at = table + 16L * i;
            memory.write(at, 8, address);
            memory.write(at + 8, 4, length);
            memory.write(at + 12, 2, flags);
            memory.write(at + 14, 2, nextIndex);
        }

        /** Lays out a direct chain; returns its head without publishing it. */
        int chain(Buf... bufs) {
            int head = nextDesc;
            for (int i = 0; i < bufs.length; i++) {
                int me = (head + i) % size;
                int flags = (bufs[i].write() ? Virtqueue.DESC_F_WRITE : 0) | (i + 1 < bufs.length ? Virtqueue.DESC_F_NEXT : 0);
                writeDescriptor(desc, me, bufs[i].address(), bufs[i].length(), flags, (me + 1) % size);
            }
            nextDesc = (head + bufs.length) % size;
            return head;
        }

        /** Lays out an indirect table holding the chain, and one descriptor pointing at it; returns the head. */
        int indirect(Buf... bufs) {
            long table = alloc(16 * bufs.length, 16);
            for (int i = 0; i < bufs.length; i++) {
                int flags = (bufs[i].write() ? Virtqueue.DESC_F_WRITE : 0) | (i + 1 < bufs.length ? Virtqueue.DESC_F_NEXT : 0);
                writeDescriptor(table, i, bufs[i].address(), bufs[i].length(), flags, i + 1);
            }
            int head = nextDesc;
            writeDescriptor(desc, head, table, 16 * bufs.length, Virtqueue.DESC_F_INDIRECT, 0);
            nextDesc = (head + 1) % size;
            return head;
        }

        /** Makes a chain available (without notifying). */
        void publish(int head) {
            memory.write(avail + 4 + 2L * (availIdx % size), 2, head);
            availIdx = (availIdx + 1) & 0xffff;
            memory.write(avail + 2, 2, availIdx);
        }

        void kick() {
            reg(VirtioMmio.QUEUE_NOTIFY, index);
        }

        /** Publishes a direct chain and notifies. */
        int submit(Buf... bufs) {
            int head = chain(bufs);
            publish(head);
            kick();
            return head;
        }

        void setAvailFlags(int flags) {
            memory.write(avail, 2, flags);
        }

        void setUsedEvent(int event) {
            memory.write(avail + 4 + 2L * size, 2, event);
        }

        int availEvent() {
            return (int) memory.read(used + 4 + 8L * size, 2);
        }

        int usedIdx() {
            return (int) memory.read(used + 2, 2);
        }

        /** @return the used elements the device added since the last call; asks for an interrupt on the next one */
        List<Used> takeUsed() {
            List<Used> out = new ArrayList<>();
            int idx = usedIdx();
            while (usedSeen != idx) {
                long at = used + 4 + 8L * (usedSeen % size);
                out.add(new Used((int) memory.read(at, 4), (int) memory.read(at + 4, 4)));
                usedSeen = (usedSeen + 1) & 0xffff;
            }
            // As Linux re-enables callbacks: interrupt me for the next completion (with event indexes).
            setUsedEvent(usedSeen);
            return out;
        }
    }
}
