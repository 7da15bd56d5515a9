package io.tessera.core.accel;

import java.util.Objects;

/**
 * Whether an {@link Accelerator} works on this host, with the reason when it does not (for
 * example "/dev/kvm: permission denied; add the user to the kvm group").
 *
 * @param available whether the accelerator can be used
 * @param reason why it cannot, for the user; empty when it is available
 */
public record Availability(boolean available, String reason) {

    private static final Availability YES = new Availability(true, "");

    /** Checks that an unavailable accelerator says why. */
    public Availability {
        Objects.requireNonNull(reason, "reason");
        if (!available && reason.isBlank()) {
            throw new IllegalArgumentException("an unavailable accelerator must say why");
        }
    }

    /** @return the availability of an accelerator that works on this host */
    public static Availability yes() {
        return YES;
    }

    /**
     * @param reason why the accelerator cannot be used, phrased for the user
     * @return the availability of an accelerator that does not work on this host
     */
    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
