package io.tessera.device.virtio;

import static io.tessera.device.virtio.GuestDriver.Buf;
import static io.tessera.device.virtio.GuestDriver.Used;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.block.raw.RawDriver;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtioBlkTest {

    static final long VERSION_1 = 1L << VirtioMmio.F_VERSION_1;
    static final long INDIRECT = 1L << VirtioMmio.F_INDIRECT_DESC;
    static final long EVENT_IDX = 1L << VirtioMmio.F_EVENT_IDX;
    static final long ALL = -1L;
    static final int IMAGE_SIZE = 64 * 1024;

    @TempDir
    Path dir;

    private Path image;
    private BlockNode node;
    private GuestDriver guest;

    private static byte pattern(long offset) {
        return (byte) (offset * 13 + 7);
    }

    private GuestDriver open(boolean readOnly, boolean writeback) throws IOException {
        byte[] bytes = new byte[IMAGE_SIZE];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = pattern(i);
        }
        image = dir.resolve("disk.img");
        Files.write(image, bytes);
        node = new BlockGraph(new FileDriver(), List.<BlockDriver>of(new FileDriver(), new RawDriver())).open(image.toString(), "", readOnly);
        guest = new GuestDriver(new BlkModel(node, readOnly, writeback, "SERIAL-123"));
        return guest;
    }

    @AfterEach
    void close() throws IOException {
        if (node != null) {
            node.close();
        }
        if (guest != null) {
            guest.close();
        }
    }

    private static byte[] header(int type, long sector) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(0).putLong(sector).array();
    }

    private GuestDriver.Queue ready(long features) {
        int status = guest.negotiate(features);
        assertTrue((status & VirtioMmio.STATUS_FEATURES_OK) != 0, "FEATURES_OK accepted");
        GuestDriver.Queue q = guest.queue(0, 16);
        guest.driverOk();
        return q;
    }

    @Test
    void identifiesAsAVirtioBlockDeviceOnAVersion2Transport() throws IOException {
        open(false, true);
        assertEquals(0x74726976, guest.reg(VirtioMmio.MAGIC_VALUE));
        assertEquals(2, guest.reg(VirtioMmio.VERSION));
        assertEquals(2, guest.reg(VirtioMmio.DEVICE_ID));
        assertEquals(0x554d4551, guest.reg(VirtioMmio.VENDOR_ID));
        long features = guest.deviceFeatures();
        for (int bit : new int[] {VirtioMmio.F_VERSION_1, VirtioMmio.F_INDIRECT_DESC, VirtioMmio.F_EVENT_IDX, BlkModel.F_SEG_MAX,
                BlkModel.F_BLK_SIZE, BlkModel.F_FLUSH, BlkModel.F_DISCARD, BlkModel.F_WRITE_ZEROES}) {
            assertTrue((features & (1L << bit)) != 0, "feature " + bit);
        }
        assertFalse((features & (1L << BlkModel.F_RO)) != 0);
        guest.reg(VirtioMmio.QUEUE_SEL, 0);
        assertEquals(256, guest.reg(VirtioMmio.QUEUE_NUM_MAX));
        guest.reg(VirtioMmio.QUEUE_SEL, 1);
        assertEquals(0, guest.reg(VirtioMmio.QUEUE_NUM_MAX));
        // Configuration: capacity in sectors (two 32-bit halves, as Linux reads it), seg_max, blk_size.
        assertEquals(IMAGE_SIZE / 512, guest.device.read(0x100, 4));
        assertEquals(0, guest.device.read(0x104, 4));
        assertEquals(IMAGE_SIZE / 512, guest.device.read(0x100, 8));
        assertEquals(254, guest.device.read(0x10c, 4));
        assertEquals(512, guest.device.read(0x114, 4));
        assertEquals(1, guest.device.read(0x128, 4));
        assertEquals(0x3f, guest.device.read(0x126, 1));
        assertEquals(0, guest.reg(VirtioMmio.CONFIG_GENERATION));
    }

    @Test
    void aChainedReadCopiesTheImageAndInterrupts() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1);
        long hdr = guest.buffer(header(BlkModel.T_IN, 3));
        long data1 = guest.alloc(512, 16);
        long data2 = guest.alloc(1024, 16);
        long status = guest.buffer(new byte[] {(byte) 0xff});
        int head = q.submit(new Buf(hdr, 16, false), new Buf(data1, 512, true), new Buf(data2, 1024, true), new Buf(status, 1, true));

        assertEquals(List.of(new Used(head, 1537)), q.takeUsed());
        assertEquals(BlkModel.S_OK, guest.bytes(status, 1)[0]);
        assertArrayEquals(expected(3 * 512, 512), guest.bytes(data1, 512));
        assertArrayEquals(expected(4 * 512, 1024), guest.bytes(data2, 1024));
        assertTrue(guest.irq.level());
        assertEquals(VirtioMmio.INT_USED_BUFFER, guest.ackInterrupt());
        assertFalse(guest.irq.level());
    }

    @Test
    void aWriteSplitAcrossBuffersAndTheHeaderReachesTheImage() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1);
        byte[] hdr = header(BlkModel.T_OUT, 10);
        byte[] data = new byte[1024];
        Arrays.fill(data, (byte) 0xab);
        data[1023] = 0x11;
        // The header itself split in two, the data in 3 pieces: any layout is allowed in virtio 1.x.
        int head = q.submit(new Buf(guest.buffer(Arrays.copyOfRange(hdr, 0, 5)), 5, false),
                new Buf(guest.buffer(Arrays.copyOfRange(hdr, 5, 16)), 11, false),
                new Buf(guest.buffer(Arrays.copyOfRange(data, 0, 100)), 100, false),
                new Buf(guest.buffer(Arrays.copyOfRange(data, 100, 612)), 512, false),
                new Buf(guest.buffer(Arrays.copyOfRange(data, 612, 1024)), 412, false),
                new Buf(guest.alloc(1, 1), 1, true));
        List<Used> used = q.takeUsed();
        assertEquals(List.of(new Used(head, 1)), used);
        byte[] after = Files.readAllBytes(image);
        assertArrayEquals(data, Arrays.copyOfRange(after, 5120, 6144));
        assertEquals(pattern(5119), after[5119]);
        assertEquals(pattern(6144), after[6144]);
    }

    @Test
    void anIndirectRequestReadsAndStatusesCome() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1 | INDIRECT);
        long data = guest.alloc(2048, 16);
        long status = guest.buffer(new byte[] {(byte) 0xff});
        int head = q.indirect(new Buf(guest.buffer(header(BlkModel.T_IN, 100)), 16, false), new Buf(data, 2048, true),
                new Buf(status, 1, true));
        q.publish(head);
        q.kick();
        assertEquals(List.of(new Used(head, 2049)), q.takeUsed());
        assertEquals(0, guest.bytes(status, 1)[0]);
        assertArrayEquals(expected(100 * 512, 2048), guest.bytes(data, 2048));
    }

    @Test
    void indirectWithoutTheFeatureNeedsReset() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1);
        int head = q.indirect(new Buf(guest.buffer(header(BlkModel.T_IN, 0)), 16, false), new Buf(guest.alloc(1, 1), 1, true));
        q.publish(head);
        q.kick();
        assertNeedsReset(q);
    }

    @Test
    void eventIndexesSuppressInterruptsAndAskForNotifications() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1 | EVENT_IDX);
        // The first completion always interrupts.
        q.setUsedEvent(0);
        q.submit(flushRequest());
        assertEquals(1, q.usedIdx());
        assertEquals(1, guest.irq.raises());
        assertEquals(1, q.availEvent(), "avail_event: notify me after avail index 1");
        guest.ackInterrupt();

        // The driver wants an interrupt only once used idx passes 2 (after the third completion).
        q.setUsedEvent(2);
        q.submit(flushRequest());
        assertEquals(2, q.usedIdx());
        assertEquals(1, guest.irq.raises(), "suppressed: used_event 2 not reached");
        assertFalse(guest.irq.level());
        q.submit(flushRequest());
        assertEquals(3, q.usedIdx());
        assertEquals(2, guest.irq.raises());
        assertEquals(3, q.availEvent());
        guest.ackInterrupt();

        // Two requests in one batch that both jump over used_event: one interrupt.
        q.setUsedEvent(3);
        q.publish(q.chain(flushRequest()));
        q.publish(q.chain(flushRequest()));
        q.kick();
        assertEquals(5, q.usedIdx());
        assertEquals(3, guest.irq.raises());
    }

    @Test
    void theNoInterruptFlagSuppressesWithoutEventIndexes() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1);
        q.setAvailFlags(Virtqueue.AVAIL_F_NO_INTERRUPT);
        q.submit(flushRequest());
        assertEquals(1, q.usedIdx());
        assertEquals(0, guest.irq.raises());
        q.setAvailFlags(0);
        q.submit(flushRequest());
        assertEquals(1, guest.irq.raises());
    }

    @Test
    void aDescriptorLoopDoesNotHangAndNeedsReset() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1);
        long hdr = guest.buffer(header(BlkModel.T_IN, 0));
        q.writeDescriptor(q.desc, 0, hdr, 16, Virtqueue.DESC_F_NEXT, 1);
        q.writeDescriptor(q.desc, 1, guest.alloc(512, 16), 512, Virtqueue.DESC_F_NEXT | Virtqueue.DESC_F_WRITE, 0);
        q.publish(0);
        assertTimeoutPreemptively(Duration.ofSeconds(10), q::kick);
        assertNeedsReset(q);
        // Further notifications are ignored until the driver resets the device.
        q.publish(0);
        assertTimeoutPreemptively(Duration.ofSeconds(10), q::kick);
        assertEquals(0, q.usedIdx());

        // A reset clears it and the device works again.
        q = ready(VERSION_1);
        assertEquals(0, guest.reg(VirtioMmio.STATUS) & VirtioMmio.STATUS_NEEDS_RESET);
        q.submit(flushRequest());
        assertEquals(1, q.usedIdx());
    }

    @Test
    void anIndirectLoopAndAChainLongerThanTheQueueNeedReset() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1 | INDIRECT);
        long table = guest.alloc(16 * 2, 16);
        q.writeDescriptor(table, 0, guest.buffer(header(BlkModel.T_IN, 0)), 16, Virtqueue.DESC_F_NEXT, 1);
        q.writeDescriptor(table, 1, guest.alloc(16, 16), 16, Virtqueue.DESC_F_NEXT | Virtqueue.DESC_F_WRITE, 1);
        q.writeDescriptor(q.desc, 0, table, 32, Virtqueue.DESC_F_INDIRECT, 0);
        q.publish(0);
        assertTimeoutPreemptively(Duration.ofSeconds(10), q::kick);
        assertNeedsReset(q);

        q = ready(VERSION_1 | INDIRECT);
        Buf[] many = new Buf[17];
        many[0] = new Buf(guest.buffer(header(BlkModel.T_IN, 0)), 16, false);
        for (int i = 1; i < many.length; i++) {
            many[i] = new Buf(guest.alloc(512, 16), i == many.length - 1 ? 1 : 512, true);
        }
        q.publish(q.indirect(many));
        q.kick();
        assertNeedsReset(q);
    }

    @Test
    void buffersOutsideRamNeedReset() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1);
        q.submit(new Buf(guest.buffer(header(BlkModel.T_IN, 0)), 16, false),
                new Buf(GuestDriver.RAM_BASE + GuestDriver.RAM_SIZE - 256, 512, true), new Buf(guest.alloc(1, 1), 1, true));
        assertNeedsReset(q);

        q = ready(VERSION_1);
        q.submit(new Buf(0x1000, 16, false), new Buf(guest.alloc(1, 1), 1, true));
        assertNeedsReset(q);

        q = ready(VERSION_1);
        q.submit(new Buf(guest.buffer(header(BlkModel.T_IN, 0)), 16, false), new Buf(-16, 0x7fff_ffff, true));
        assertNeedsReset(q);
    }

    @Test
    void impossibleIndexesNeedReset() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1);
        q.publish(40); // head outside a 16-entry table
        q.kick();
        assertNeedsReset(q);

        q = ready(VERSION_1);
        guest.memory.write(q.avail + 2, 2, 17); // 17 chains in a queue of 16
        q.kick();
        assertNeedsReset(q);

        q = ready(VERSION_1);
        q.submit(new Buf(guest.alloc(4, 4), 4, false), new Buf(guest.alloc(1, 1), 1, true)); // no full header
        assertNeedsReset(q);

        q = ready(VERSION_1);
        long hdr = guest.buffer(header(BlkModel.T_IN, 0));
        q.submit(new Buf(guest.alloc(512, 16), 512, true), new Buf(hdr, 16, false), new Buf(guest.alloc(1, 1), 1, true));
        assertNeedsReset(q);
    }

    @Test
    void badQueueLayoutsNeedReset() throws IOException {
        open(false, true);
        guest.negotiate(VERSION_1);
        guest.reg(VirtioMmio.QUEUE_SEL, 0);
        guest.reg(VirtioMmio.QUEUE_NUM, 12); // not a power of two
        guest.reg(VirtioMmio.QUEUE_DESC_LOW, GuestDriver.RAM_BASE);
        guest.reg(VirtioMmio.QUEUE_DRIVER_LOW, GuestDriver.RAM_BASE + 0x1000);
        guest.reg(VirtioMmio.QUEUE_DEVICE_LOW, GuestDriver.RAM_BASE + 0x2000);
        guest.reg(VirtioMmio.QUEUE_READY, 1);
        assertEquals(0, guest.reg(VirtioMmio.QUEUE_READY));
        assertTrue((guest.reg(VirtioMmio.STATUS) & VirtioMmio.STATUS_NEEDS_RESET) != 0);

        guest.negotiate(VERSION_1);
        guest.reg(VirtioMmio.QUEUE_NUM, 16);
        guest.reg(VirtioMmio.QUEUE_DESC_LOW, 0x1000_0000L); // not RAM
        guest.reg(VirtioMmio.QUEUE_DRIVER_LOW, GuestDriver.RAM_BASE + 0x1000);
        guest.reg(VirtioMmio.QUEUE_DEVICE_LOW, GuestDriver.RAM_BASE + 0x2000);
        guest.reg(VirtioMmio.QUEUE_READY, 1);
        assertEquals(0, guest.reg(VirtioMmio.QUEUE_READY));
        assertTrue((guest.reg(VirtioMmio.STATUS) & VirtioMmio.STATUS_NEEDS_RESET) != 0);
    }

    @Test
    void aReadOnlyDriveRefusesWritesWithIoerr() throws IOException {
        open(true, true);
        assertTrue((guest.deviceFeatures() & (1L << BlkModel.F_RO)) != 0);
        assertFalse((guest.deviceFeatures() & (1L << BlkModel.F_DISCARD)) != 0);
        GuestDriver.Queue q = ready(VERSION_1);
        long status = guest.buffer(new byte[] {(byte) 0xff});
        byte[] data = new byte[512];
        Arrays.fill(data, (byte) 1);
        q.submit(new Buf(guest.buffer(header(BlkModel.T_OUT, 0)), 16, false), new Buf(guest.buffer(data), 512, false),
                new Buf(status, 1, true));
        assertEquals(1, q.takeUsed().size());
        assertEquals(BlkModel.S_IOERR, guest.bytes(status, 1)[0]);
        assertEquals(pattern(0), Files.readAllBytes(image)[0]);
        assertEquals(0, guest.reg(VirtioMmio.STATUS) & VirtioMmio.STATUS_NEEDS_RESET);
        assertEquals(1, guest.device.read(0x122, 2), "num_queues, the end of the configuration without discard");
        assertEquals(0xffff_ffffL, guest.device.read(0x124, 4));

        // Reads still work.
        long in = guest.alloc(512, 16);
        q.submit(new Buf(guest.buffer(header(BlkModel.T_IN, 1)), 16, false), new Buf(in, 512, true), new Buf(status, 1, true));
        assertEquals(BlkModel.S_OK, guest.bytes(status, 1)[0]);
        assertArrayEquals(expected(512, 512), guest.bytes(in, 512));
    }

    @Test
    void rangesPastTheCapacityAndOddLengthsAreIoErrors() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1);
        long status = guest.buffer(new byte[] {(byte) 0xff});
        q.submit(new Buf(guest.buffer(header(BlkModel.T_IN, IMAGE_SIZE / 512 - 1)), 16, false), new Buf(guest.alloc(1024, 16), 1024, true),
                new Buf(status, 1, true));
        assertEquals(BlkModel.S_IOERR, guest.bytes(status, 1)[0]);
        q.submit(new Buf(guest.buffer(header(BlkModel.T_IN, -1L)), 16, false), new Buf(guest.alloc(512, 16), 512, true),
                new Buf(status, 1, true));
        assertEquals(BlkModel.S_IOERR, guest.bytes(status, 1)[0]);
        q.submit(new Buf(guest.buffer(header(BlkModel.T_OUT, 0)), 16, false), new Buf(guest.alloc(100, 16), 100, false),
                new Buf(status, 1, true));
        assertEquals(BlkModel.S_IOERR, guest.bytes(status, 1)[0]);
        // The last sector is fine.
        q.submit(new Buf(guest.buffer(header(BlkModel.T_IN, IMAGE_SIZE / 512 - 1)), 16, false), new Buf(guest.alloc(512, 16), 512, true),
                new Buf(status, 1, true));
        assertEquals(BlkModel.S_OK, guest.bytes(status, 1)[0]);
        assertEquals(4, q.takeUsed().size());
        assertEquals(Files.size(image), IMAGE_SIZE);
    }

    @Test
    void getIdFlushUnsupportedDiscardAndWriteZeroes() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(ALL);
        long status = guest.buffer(new byte[] {(byte) 0xff});

        long id = guest.alloc(20, 16);
        q.submit(new Buf(guest.buffer(header(BlkModel.T_GET_ID, 0)), 16, false), new Buf(id, 20, true), new Buf(status, 1, true));
        assertEquals(BlkModel.S_OK, guest.bytes(status, 1)[0]);
        assertEquals("SERIAL-123", new String(guest.bytes(id, 20), StandardCharsets.US_ASCII).replace("\0", ""));

        q.submit(flushRequest(status));
        assertEquals(BlkModel.S_OK, guest.bytes(status, 1)[0]);

        q.submit(new Buf(guest.buffer(header(99, 0)), 16, false), new Buf(status, 1, true));
        assertEquals(BlkModel.S_UNSUPP, guest.bytes(status, 1)[0]);

        q.submit(new Buf(guest.buffer(header(BlkModel.T_WRITE_ZEROES, 0)), 16, false), new Buf(guest.buffer(segment(2, 3, 0)), 16, false),
                new Buf(status, 1, true));
        assertEquals(BlkModel.S_OK, guest.bytes(status, 1)[0]);
        byte[] after = Files.readAllBytes(image);
        assertArrayEquals(new byte[1536], Arrays.copyOfRange(after, 1024, 2560));
        assertEquals(pattern(1023), after[1023]);
        assertEquals(pattern(2560), after[2560]);

        q.submit(new Buf(guest.buffer(header(BlkModel.T_DISCARD, 0)), 16, false), new Buf(guest.buffer(segment(8, 8, 0)), 16, false),
                new Buf(status, 1, true));
        assertEquals(BlkModel.S_OK, guest.bytes(status, 1)[0]);
        // Discard with the unmap flag, write zeroes with an unknown flag, two segments: unsupported.
        q.submit(new Buf(guest.buffer(header(BlkModel.T_DISCARD, 0)), 16, false), new Buf(guest.buffer(segment(8, 8, 1)), 16, false),
                new Buf(status, 1, true));
        assertEquals(BlkModel.S_UNSUPP, guest.bytes(status, 1)[0]);
        q.submit(new Buf(guest.buffer(header(BlkModel.T_WRITE_ZEROES, 0)), 16, false), new Buf(guest.buffer(segment(8, 8, 2)), 16, false),
                new Buf(status, 1, true));
        assertEquals(BlkModel.S_UNSUPP, guest.bytes(status, 1)[0]);
        byte[] two = new byte[32];
        System.arraycopy(segment(0, 1, 0), 0, two, 0, 16);
        System.arraycopy(segment(4, 1, 0), 0, two, 16, 16);
        q.submit(new Buf(guest.buffer(header(BlkModel.T_WRITE_ZEROES, 0)), 16, false), new Buf(guest.buffer(two), 32, false),
                new Buf(status, 1, true));
        assertEquals(BlkModel.S_UNSUPP, guest.bytes(status, 1)[0]);
        // Past the end.
        q.submit(new Buf(guest.buffer(header(BlkModel.T_WRITE_ZEROES, 0)), 16, false),
                new Buf(guest.buffer(segment(IMAGE_SIZE / 512 - 1, 2, 0)), 16, false), new Buf(status, 1, true));
        assertEquals(BlkModel.S_IOERR, guest.bytes(status, 1)[0]);
        assertEquals(IMAGE_SIZE, Files.size(image));
    }

    @Test
    void writethroughDoesNotOfferFlush() throws IOException {
        open(false, false);
        assertFalse((guest.deviceFeatures() & (1L << BlkModel.F_FLUSH)) != 0);
        GuestDriver.Queue q = ready(VERSION_1);
        long status = guest.buffer(new byte[] {(byte) 0xff});
        byte[] data = new byte[512];
        Arrays.fill(data, (byte) 0x77);
        q.submit(new Buf(guest.buffer(header(BlkModel.T_OUT, 1)), 16, false), new Buf(guest.buffer(data), 512, false),
                new Buf(status, 1, true));
        assertEquals(BlkModel.S_OK, guest.bytes(status, 1)[0]);
        assertEquals(0x77, Files.readAllBytes(image)[512]);
    }

    @Test
    void aLegacyDriverIsRefusedAtFeaturesOk() throws IOException {
        open(false, true);
        int status = guest.negotiate(INDIRECT);
        assertEquals(0, status & VirtioMmio.STATUS_FEATURES_OK);
        // Accepting a feature that was not offered is refused too.
        guest.reg(VirtioMmio.STATUS, 0);
        guest.reg(VirtioMmio.DRIVER_FEATURES_SEL, 0);
        guest.reg(VirtioMmio.DRIVER_FEATURES, 1L << BlkModel.F_RO);
        guest.reg(VirtioMmio.DRIVER_FEATURES_SEL, 1);
        guest.reg(VirtioMmio.DRIVER_FEATURES, 1);
        guest.reg(VirtioMmio.STATUS, VirtioMmio.STATUS_ACKNOWLEDGE | VirtioMmio.STATUS_DRIVER | VirtioMmio.STATUS_FEATURES_OK);
        assertEquals(0, guest.reg(VirtioMmio.STATUS) & VirtioMmio.STATUS_FEATURES_OK);
    }

    @Test
    void resetDropsTheQueuesAndLowersTheInterrupt() throws IOException {
        open(false, true);
        GuestDriver.Queue q = ready(VERSION_1);
        q.submit(flushRequest());
        assertTrue(guest.irq.level());
        guest.reg(VirtioMmio.STATUS, 0);
        assertFalse(guest.irq.level());
        assertEquals(0, guest.reg(VirtioMmio.STATUS));
        assertEquals(0, guest.reg(VirtioMmio.INTERRUPT_STATUS));
        guest.reg(VirtioMmio.QUEUE_SEL, 0);
        assertEquals(0, guest.reg(VirtioMmio.QUEUE_READY));
        assertEquals(0, guest.reg(VirtioMmio.QUEUE_DESC_LOW));
        assertEquals(256, guest.reg(VirtioMmio.QUEUE_NUM_MAX));
        // Notifications after the reset reach no queue.
        q.publish(q.chain(flushRequest()));
        q.kick();
        assertEquals(1, q.usedIdx());
        // Buffers made available before DRIVER_OK are served at DRIVER_OK.
        guest.negotiate(VERSION_1);
        GuestDriver.Queue again = guest.queue(0, 16);
        again.publish(again.chain(flushRequest()));
        again.kick();
        assertEquals(0, again.usedIdx());
        guest.driverOk();
        assertEquals(1, again.usedIdx());
    }

    @Test
    void oddRegisterAccessesAreIgnoredNotThrown() throws IOException {
        open(false, true);
        assertEquals(0, guest.device.read(VirtioMmio.MAGIC_VALUE, 1));
        assertEquals(0, guest.device.read(VirtioMmio.MAGIC_VALUE + 2, 4));
        assertEquals(0, guest.device.read(0x0f0, 4));
        assertEquals(0xffff_ffffL, guest.device.read(0x1f0, 4), "past the configuration space, as QEMU");
        assertEquals(0xffff_ffffL, guest.device.read(0x138, 4), "crossing its end, as QEMU");
        assertEquals(0, guest.device.read(0x138, 1));
        guest.device.write(VirtioMmio.MAGIC_VALUE, 4, 1);
        guest.device.write(VirtioMmio.STATUS, 2, 1);
        guest.device.write(0x100, 4, 1);
        guest.device.write(0x1f0, 4, 1);
        guest.reg(VirtioMmio.QUEUE_SEL, 7);
        guest.reg(VirtioMmio.QUEUE_NUM, 16);
        guest.reg(VirtioMmio.QUEUE_READY, 1);
        guest.reg(VirtioMmio.QUEUE_NOTIFY, 7);
        assertEquals(0, guest.reg(VirtioMmio.QUEUE_READY));
        assertEquals(0x74726976, guest.reg(VirtioMmio.MAGIC_VALUE));
        assertNotEquals(0, guest.device.read(0x100, 4));
        assertEquals(-1, guest.reg(VirtioMmio.SHM_LEN_LOW));
    }

    private Buf[] flushRequest() {
        return flushRequest(guest.alloc(1, 1));
    }

    private Buf[] flushRequest(long status) {
        return new Buf[] {new Buf(guest.buffer(header(BlkModel.T_FLUSH, 0)), 16, false), new Buf(status, 1, true)};
    }

    private static byte[] segment(long sector, int sectors, int flags) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(sector).putInt(sectors).putInt(flags).array();
    }

    private void assertNeedsReset(GuestDriver.Queue q) {
        assertTrue((guest.reg(VirtioMmio.STATUS) & VirtioMmio.STATUS_NEEDS_RESET) != 0, "DEVICE_NEEDS_RESET set");
        assertEquals(0, q.usedIdx(), "nothing completed");
        assertTrue(guest.irq.level(), "configuration change interrupt");
        assertEquals(VirtioMmio.INT_CONFIG, guest.ackInterrupt() & VirtioMmio.INT_CONFIG);
    }

    private static byte[] expected(long offset, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = pattern(offset + i);
        }
        return out;
    }
}
