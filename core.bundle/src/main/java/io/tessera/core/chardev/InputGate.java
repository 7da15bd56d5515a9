package io.tessera.core.chardev;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Input flow control for a {@link CharDevice} backend: its input thread waits here until the
 * receiver has {@link ByteReceiver#room() room}, and {@link CharDevice#roomAvailable()} calls
 * {@link #signal()}. The gate's lock is never held while the receiver is called, so a receiver
 * that signals while holding its own lock (a UART on a vCPU thread) cannot deadlock with the
 * input thread asking it for room.
 */
public final class InputGate {

    /** How long a wait lasts at most, should a receiver not signal; a bound, not the mechanism. */
    private static final long RECHECK_MILLIS = 100;

    // Guarded by this.
    private boolean signalled;

    /** Wakes the input thread to ask the receiver again. Never blocks for long. */
    public synchronized void signal() {
        signalled = true;
        notifyAll();
    }

    /**
     * Waits until the receiver has room or the device closes. Without a receiver input is
     * discarded anyway ({@link CharDevice#setReceiver}), so there is room for {@code most}.
     *
     * @param receiver the device's receiver now, possibly null
     * @param closed whether the device has closed
     * @param most the most bytes the caller will deliver at once
     * @return how many bytes to deliver at most (1 to {@code most}), or 0 once closed
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public int awaitRoom(Supplier<ByteReceiver> receiver, BooleanSupplier closed, int most) throws InterruptedException {
        while (!closed.getAsBoolean()) {
            ByteReceiver r = receiver.get();
            int room = r == null ? most : r.room();
            if (room > 0) {
                return Math.min(room, most);
            }
            synchronized (this) {
                if (!signalled) {
                    wait(RECHECK_MILLIS);
                }
                signalled = false;
            }
        }
        return 0;
    }
}
