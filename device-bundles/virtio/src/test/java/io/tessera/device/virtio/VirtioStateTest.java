package io.tessera.device.virtio;

import static io.tessera.device.virtio.GuestDriver.Buf;
import static io.tessera.device.virtio.GuestDriver.Used;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import io.tessera.core.device.StateSchema;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Saving a device's state and restoring it into a new instance, as a bundle update does. */
class VirtioStateTest {

    private static final StateSchema RNG = VirtioMmio.schema("virtio-rng-device", b -> { });
    private static final StateSchema CONSOLE = VirtioMmio.schema("virtio-console-device", ConsoleModel::stateFields);

    @Test
    void aRunningQueueContinuesInTheNewInstance() throws InvalidStateException {
        try (GuestDriver guest = new GuestDriver(new RngModel(new SecureRandom()))) {
            guest.negotiate(-1L);
            GuestDriver.Queue q = guest.queue(0, 8);
            guest.driverOk();
            int first = q.submit(new Buf(guest.alloc(16, 16), 16, true));
            assertEquals(List.of(new Used(first, 16)), q.takeUsed());
            assertTrue(guest.irq.level());

            DeviceState state = guest.device.saveState(RNG);
            assertEquals(1, state.version());
            guest.replaceDevice(new RngModel(new SecureRandom()));
            guest.device.restoreState(RNG.accept(state));

            assertEquals(guest.reg(VirtioMmio.STATUS), state.getInt("status"));
            assertEquals(VirtioMmio.INT_USED_BUFFER, guest.ackInterrupt());
            guest.reg(VirtioMmio.QUEUE_SEL, 0);
            assertEquals(1, guest.reg(VirtioMmio.QUEUE_READY));
            int second = q.submit(new Buf(guest.alloc(8, 8), 8, true));
            assertEquals(List.of(new Used(second, 8)), q.takeUsed());
            assertEquals(2, q.usedIdx());
            assertTrue(guest.irq.level(), "event index state carried over: the driver asked for this interrupt");
        }
    }

    @Test
    void consoleInputNotYetDeliveredIsKept() throws InvalidStateException {
        ConsoleModel console = new ConsoleModel((data, offset, length) -> { });
        try (GuestDriver guest = new GuestDriver(console)) {
            console.receive("kept".getBytes(StandardCharsets.US_ASCII), 0, 4);
            DeviceState state = guest.device.saveState(CONSOLE);
            ConsoleModel next = new ConsoleModel((data, offset, length) -> { });
            guest.replaceDevice(next);
            guest.device.restoreState(CONSOLE.accept(state));
            assertEquals(4, next.pendingInput());
            guest.negotiate(-1L);
            GuestDriver.Queue rx = guest.queue(ConsoleModel.RECEIVEQ, 8);
            guest.queue(ConsoleModel.TRANSMITQ, 8);
            guest.driverOk();
            long buffer = guest.alloc(16, 16);
            rx.submit(new Buf(buffer, 16, true));
            assertArrayEquals("kept".getBytes(StandardCharsets.US_ASCII), guest.bytes(buffer, 4));
        }
    }

    @Test
    void impossibleStatesAreRefusedAndChangeNothing() throws InvalidStateException {
        try (GuestDriver guest = new GuestDriver(new RngModel(new SecureRandom()))) {
            guest.negotiate(-1L);
            GuestDriver.Queue q = guest.queue(0, 8);
            guest.driverOk();
            DeviceState good = guest.device.saveState(RNG);

            long[] queues = good.getLongs("queues");
            queues[2] = 0x1000; // descriptor table outside RAM
            assertRefused(guest, with(good, "queues", queues), "not in RAM");
            queues = good.getLongs("queues");
            queues[0] = 1024; // larger than the maximum
            assertRefused(guest, with(good, "queues", queues), "maximum");
            assertRefused(guest, with(good, "queues", new long[Virtqueue.SAVED * 2]), "queues");
            assertRefused(guest, with(good, "negotiated", -1L), "not offered");
            assertRefused(guest, with(good, "status", 0x1ff), "byte");
            assertThrows(InvalidStateException.class, () -> RNG.accept(with(good, "queues", new long[3])));
            assertThrows(InvalidStateException.class, () -> CONSOLE.accept(good));

            // The device kept its state through the refusals.
            int head = q.submit(new Buf(guest.alloc(8, 8), 8, true));
            assertEquals(List.of(new Used(head, 8)), q.takeUsed());
        }
    }

    private static DeviceState with(DeviceState state, String field, Object value) {
        Map<String, Object> fields = new HashMap<>(state.fields());
        fields.put(field, value);
        return new DeviceState(state.schema(), state.version(), fields);
    }

    private static void assertRefused(GuestDriver guest, DeviceState state, String part) {
        InvalidStateException e = assertThrows(InvalidStateException.class, () -> guest.device.restoreState(RNG.accept(state)));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
