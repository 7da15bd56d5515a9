package io.tessera.device.virtio;

import static io.tessera.device.virtio.GuestDriver.Buf;
import static io.tessera.device.virtio.GuestDriver.Used;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class VirtioConsoleTest {

    /** The host side of the console: what the guest wrote. */
    static final class Output implements ConsoleModel.Sink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(byte[] data, int offset, int length) {
            bytes.write(data, offset, length);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private final Output output = new Output();
    private final ConsoleModel console = new ConsoleModel(output);

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void guestOutputReachesTheHostInOrder() {
        try (GuestDriver guest = new GuestDriver(console)) {
            assertEquals(3, guest.reg(VirtioMmio.DEVICE_ID));
            assertTrue((guest.deviceFeatures() & (1L << ConsoleModel.F_EMERG_WRITE)) != 0);
            assertFalse((guest.deviceFeatures() & (1L << ConsoleModel.F_MULTIPORT)) != 0);
            guest.negotiate(-1L);
            guest.queue(ConsoleModel.RECEIVEQ, 16);
            GuestDriver.Queue tx = guest.queue(ConsoleModel.TRANSMITQ, 16);
            guest.driverOk();

            int head = tx.submit(new Buf(guest.buffer(ascii("hel")), 3, false), new Buf(guest.buffer(ascii("lo\n")), 3, false));
            assertEquals("hello\n", output.text());
            assertEquals(List.of(new Used(head, 0)), tx.takeUsed());
            assertTrue(guest.irq.level());

            tx.publish(tx.chain(new Buf(guest.buffer(ascii("a")), 1, false)));
            tx.publish(tx.chain(new Buf(guest.buffer(ascii("b")), 1, false)));
            tx.kick();
            assertEquals("hello\nab", output.text());

            // Emergency write, a 32-bit write of emerg_wr.
            guest.device.write(0x100 + 8, 4, 'Z');
            assertEquals("hello\nabZ", output.text());
        }
    }

    @Test
    void hostInputWaitsForReceiveBuffers() {
        try (GuestDriver guest = new GuestDriver(console)) {
            console.receive(ascii("xabcx"), 1, 3);
            assertEquals(3, console.pendingInput());

            guest.negotiate(-1L);
            GuestDriver.Queue rx = guest.queue(ConsoleModel.RECEIVEQ, 16);
            guest.queue(ConsoleModel.TRANSMITQ, 16);
            long first = guest.alloc(2, 2);
            long second = guest.alloc(16, 16);
            int h1 = rx.chain(new Buf(first, 2, true));
            rx.publish(h1);
            int h2 = rx.chain(new Buf(second, 16, true));
            rx.publish(h2);
            assertEquals(3, console.pendingInput(), "nothing delivered before DRIVER_OK");
            guest.driverOk();
            assertEquals(List.of(new Used(h1, 2), new Used(h2, 1)), rx.takeUsed());
            assertEquals("ab", new String(guest.bytes(first, 2), StandardCharsets.ISO_8859_1));
            assertEquals("c", new String(guest.bytes(second, 1), StandardCharsets.ISO_8859_1));
            assertEquals(0, console.pendingInput());
            assertTrue(guest.irq.level());
            guest.ackInterrupt();

            // Input with no buffer is kept until the driver adds one and notifies.
            console.receive(ascii("later"), 0, 5);
            assertEquals(5, console.pendingInput());
            assertFalse(guest.irq.level());
            long third = guest.alloc(64, 16);
            int h3 = rx.submit(new Buf(third, 64, true));
            assertEquals(List.of(new Used(h3, 5)), rx.takeUsed());
            assertEquals("later", new String(guest.bytes(third, 5), StandardCharsets.ISO_8859_1));
            assertTrue(guest.irq.level());

            // Input arriving while a buffer waits goes straight in.
            long fourth = guest.alloc(64, 16);
            int h4 = rx.submit(new Buf(fourth, 64, true));
            assertEquals(List.of(), rx.takeUsed());
            console.receive(ascii("now"), 0, 3);
            assertEquals(List.of(new Used(h4, 3)), rx.takeUsed());
        }
    }

    @Test
    void inputIsBoundedWhileTheGuestDoesNotRead() {
        try (GuestDriver guest = new GuestDriver(console)) {
            console.receive(new byte[40_000], 0, 40_000);
            console.receive(new byte[40_000], 0, 40_000);
            assertEquals(ConsoleModel.INPUT_LIMIT, console.pendingInput());
            guest.negotiate(-1L);
            GuestDriver.Queue rx = guest.queue(ConsoleModel.RECEIVEQ, 16);
            guest.queue(ConsoleModel.TRANSMITQ, 16);
            guest.driverOk();
            rx.submit(new Buf(guest.alloc(4096, 16), 4096, true));
            assertEquals(ConsoleModel.INPUT_LIMIT - 4096, console.pendingInput());
        }
    }

    @Test
    void aFullInputBufferHasNoRoomAndSaysSoOnceTheGuestHasReadHalf() {
        java.util.concurrent.atomic.AtomicInteger signals = new java.util.concurrent.atomic.AtomicInteger();
        ConsoleModel flowControlled = new ConsoleModel(output, signals::incrementAndGet);
        try (GuestDriver guest = new GuestDriver(flowControlled)) {
            assertEquals(ConsoleModel.INPUT_LIMIT, flowControlled.room());
            flowControlled.receive(new byte[ConsoleModel.INPUT_LIMIT], 0, ConsoleModel.INPUT_LIMIT);
            assertEquals(0, flowControlled.room());
            guest.negotiate(-1L);
            GuestDriver.Queue rx = guest.queue(ConsoleModel.RECEIVEQ, 16);
            guest.queue(ConsoleModel.TRANSMITQ, 16);
            guest.driverOk();
            rx.submit(new Buf(guest.alloc(4096, 16), 4096, true));
            assertEquals(0, signals.get(), "4 KiB read is not yet half");
            for (int i = 0; i < 7; i++) {
                rx.submit(new Buf(guest.alloc(4096, 16), 4096, true));
            }
            assertEquals(1, signals.get(), "half read: the character device hears it once");
            assertEquals(ConsoleModel.INPUT_LIMIT / 2, flowControlled.room());
        }
    }

    @Test
    void outputWaitingForTheHostIsBounded() {
        try (GuestDriver guest = new GuestDriver(console)) {
            guest.negotiate(-1L);
            guest.queue(ConsoleModel.RECEIVEQ, 16);
            GuestDriver.Queue tx = guest.queue(ConsoleModel.TRANSMITQ, 16);
            guest.driverOk();
            int size = ConsoleModel.OUTPUT_LIMIT + 4096;
            long big = guest.alloc(size, 16);
            int head = tx.submit(new Buf(big, size / 2, false), new Buf(big + size / 2, size - size / 2, false));
            assertEquals(List.of(new Used(head, 0)), tx.takeUsed());
            assertEquals(ConsoleModel.OUTPUT_LIMIT, output.text().length());
            // Once handed over, the room is back.
            tx.submit(new Buf(guest.buffer(ascii("more")), 4, false));
            assertTrue(output.text().endsWith("more"));
        }
    }

    @Test
    void inputFromAnotherThreadAndOutputTogether() throws InterruptedException {
        try (GuestDriver guest = new GuestDriver(console)) {
            guest.negotiate(-1L);
            GuestDriver.Queue rx = guest.queue(ConsoleModel.RECEIVEQ, 128);
            GuestDriver.Queue tx = guest.queue(ConsoleModel.TRANSMITQ, 128);
            guest.driverOk();
            long inbox = guest.alloc(128 * 8, 16);
            for (int i = 0; i < 64; i++) {
                rx.publish(rx.chain(new Buf(inbox + 8L * i, 8, true)));
            }
            CountDownLatch done = new CountDownLatch(1);
            Thread host = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    console.receive(new byte[] {(byte) i}, 0, 1);
                }
                done.countDown();
            });
            host.start();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                String line = "line " + i + "\n";
                expected.append(line);
                tx.submit(new Buf(guest.buffer(ascii(line)), line.length(), false));
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(expected.toString(), output.text());
            int delivered = rx.takeUsed().stream().mapToInt(Used::length).sum();
            assertEquals(200, delivered + console.pendingInput());
        }
    }
}
