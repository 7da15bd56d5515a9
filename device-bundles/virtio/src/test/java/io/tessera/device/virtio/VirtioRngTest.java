package io.tessera.device.virtio;

import static io.tessera.device.virtio.GuestDriver.Buf;
import static io.tessera.device.virtio.GuestDriver.Used;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtioRngTest {

    @Test
    void fillsTheGuestsBuffers() {
        try (GuestDriver guest = new GuestDriver(new RngModel(new SecureRandom()))) {
            assertEquals(4, guest.reg(VirtioMmio.DEVICE_ID));
            assertEquals(VirtioMmio.TRANSPORT_FEATURES, guest.deviceFeatures());
            assertTrue((guest.negotiate(-1L) & VirtioMmio.STATUS_FEATURES_OK) != 0);
            GuestDriver.Queue q = guest.queue(0, 8);
            guest.driverOk();

            long a = guest.alloc(64, 16);
            long b = guest.alloc(32, 16);
            long c = guest.alloc(100, 16);
            int head1 = q.submit(new Buf(a, 64, true));
            int head2 = q.submit(new Buf(b, 32, true), new Buf(c, 100, true));
            assertEquals(List.of(new Used(head1, 64), new Used(head2, 132)), q.takeUsed());
            assertFalse(Arrays.equals(new byte[64], guest.bytes(a, 64)), "random bytes, not zeroes");
            assertFalse(Arrays.equals(new byte[100], guest.bytes(c, 100)));
            assertFalse(Arrays.equals(guest.bytes(a, 32), guest.bytes(b, 32)));
            assertTrue(guest.irq.level());
        }
    }

    @Test
    void boundsAHugeRequest() {
        try (GuestDriver guest = new GuestDriver(new RngModel(new SecureRandom()))) {
            guest.negotiate(-1L);
            GuestDriver.Queue q = guest.queue(0, 8);
            guest.driverOk();
            long big = guest.alloc(RngModel.MAX_REQUEST * 2, 16);
            int head = q.submit(new Buf(big, RngModel.MAX_REQUEST * 2, true));
            assertEquals(List.of(new Used(head, RngModel.MAX_REQUEST)), q.takeUsed());
            // A request with nothing to fill completes empty.
            int empty = q.submit(new Buf(guest.alloc(8, 8), 8, false));
            assertEquals(List.of(new Used(empty, 0)), q.takeUsed());
        }
    }
}
