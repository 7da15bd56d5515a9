package io.tessera.core.clock;

/**
 * A one-shot deadline on a {@link VirtualClock}: once the clock's virtual time reaches the
 * deadline the timer disarms itself and its callback runs. Periodic behaviour is obtained by
 * re-arming from the callback, the way QEMU device models use {@code timer_mod}.
 *
 * <p>All methods are thread-safe and may be called from the timer's own callback. Arming,
 * re-arming and cancelling are atomic with respect to expiry: every arming fires at most once,
 * and an arming that was replaced or cancelled before it expired never fires. A callback that
 * has already started is not interrupted or waited for by {@link #cancel()}, so it is safe to
 * cancel while holding a lock that the callback takes.
 */
public interface Timer {

    /**
     * Arms the timer, replacing any pending deadline. A deadline that has already passed
     * expires as soon as the clock runs; a negative one is taken as zero.
     *
     * @param virtualNanos the absolute virtual time, in the clock's {@link VirtualClock#nanos()}
     *        scale, at which the callback should run
     */
    void armAt(long virtualNanos);

    /**
     * Arms the timer relative to the clock's current virtual time, replacing any pending
     * deadline. Equivalent to {@code armAt(clock.nanos() + delayNanos)}, saturating instead of
     * overflowing.
     *
     * @param delayNanos virtual nanoseconds from now, zero or more
     * @throws IllegalArgumentException if {@code delayNanos} is negative
     */
    void armAfter(long delayNanos);

    /** Disarms the timer; does nothing if it is not armed. */
    void cancel();

    /**
     * Tells whether a deadline is pending. The timer disarms itself just before its callback
     * starts, so this is {@code false} inside the callback unless the callback re-armed it.
     *
     * @return {@code true} while an expiry is pending
     */
    boolean isArmed();

    /**
     * Reports the pending deadline, for devices that expose "time until expiry" registers.
     *
     * @return the virtual time at which the timer will expire, or {@code -1} if it is not armed
     */
    long deadline();
}
