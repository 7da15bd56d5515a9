package io.tessera.core.clock;

/**
 * The guest's notion of time: nanoseconds that advance only while the machine runs. Devices
 * (timers, RTCs, watchdogs) read it and arm {@link Timer}s against it instead of using host
 * time, so that pausing a machine (for a debugger, a snapshot or a migration) is invisible to
 * the guest: no timer interrupt piles up and no deadline expires while nothing could run.
 *
 * <p>Implementations are thread-safe: vCPU threads, device threads and the monitor may all
 * read the clock and arm timers concurrently.
 */
public interface VirtualClock {

    /**
     * Reads the current virtual time. It starts at zero when the clock is created, never goes
     * backwards, and stays constant while the clock is paused.
     *
     * @return the virtual time in nanoseconds
     */
    long nanos();

    /**
     * Tells whether virtual time currently advances. While it does not, no timer callback is
     * started, whatever the deadlines.
     *
     * @return {@code true} while the clock runs, {@code false} while it is paused or closed
     */
    boolean isRunning();

    /**
     * Creates a timer on this clock, initially disarmed. The callback runs on a thread owned by
     * the clock, once per expiry, and is never started while the clock is paused; it should be
     * short (raise an interrupt line, re-arm itself) because timers of one clock may share one
     * thread. An exception thrown by the callback is logged and does not affect other timers.
     *
     * @param callback what to do when the timer expires
     * @return a new, disarmed timer
     * @throws IllegalStateException if the clock has been closed
     */
    Timer newTimer(Runnable callback);
}
