package io.tessera.device.virtio;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two log channels of a device (as QEMU's {@code LOG_GUEST_ERROR} and {@code LOG_UNIMP}):
 * what the guest did wrong, and what the model does not implement. Both are counted; the
 * first messages of each channel are logged and then only every 1000th, so a hostile guest
 * cannot flood the log.
 */
final class GuestLog {

    private static final Logger LOG = System.getLogger("io.tessera.device.virtio");
    private static final int ALWAYS = 20;

    private final String device;
    private final AtomicLong guestErrors = new AtomicLong();
    private final AtomicLong unimplemented = new AtomicLong();

    GuestLog(String device) {
        this.device = device;
    }

    /** Logs a guest mistake. */
    void guestError(String message) {
        log(guestErrors, "guest error", message);
    }

    /** Logs a guest request for something this model does not implement. */
    void unimplemented(String message) {
        log(unimplemented, "unimplemented", message);
    }

    /** Logs a host-side failure the guest sees as an error status (an I/O error of the image). */
    void hostError(String message, Throwable cause) {
        LOG.log(Level.WARNING, device + ": " + message, cause);
    }

    long guestErrors() {
        return guestErrors.get();
    }

    long unimplementedCount() {
        return unimplemented.get();
    }

    private void log(AtomicLong counter, String channel, String message) {
        long n = counter.incrementAndGet();
        if (n <= ALWAYS || n % 1000 == 0) {
            LOG.log(Level.WARNING, device + ": " + channel + ": " + message + (n > ALWAYS ? " (" + n + " so far)" : ""));
        }
    }
}
