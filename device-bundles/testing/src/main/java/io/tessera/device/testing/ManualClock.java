package io.tessera.device.testing;

import io.tessera.core.clock.Timer;
import io.tessera.core.clock.VirtualClock;
import java.util.ArrayList;
import java.util.List;

/**
 * A virtual clock whose time moves only when the test says so. Moving it runs the timers that
 * fall due on the caller's thread, in deadline order (timers with the same deadline in the
 * order they were armed), with {@link #nanos()} reading each timer's deadline while its
 * callback runs; a timer a callback re-arms within the step fires in the same step.
 */
public final class ManualClock implements VirtualClock {

    private final List<ManualTimer> timers = new ArrayList<>();
    private long now;
    private long armings;

    /** A clock at virtual time zero, with no timers. */
    public ManualClock() {
    }

    @Override
    public synchronized long nanos() {
        return now;
    }

    /** @return always {@code true}: time stands still between steps, but timers may be armed */
    @Override
    public boolean isRunning() {
        return true;
    }

    @Override
    public synchronized Timer newTimer(Runnable callback) {
        ManualTimer timer = new ManualTimer(callback);
        timers.add(timer);
        return timer;
    }

    /**
     * Advances virtual time by {@code nanos}, running every timer that falls due, earliest first.
     *
     * @param nanos how far to move, zero or more
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("virtual time does not go backwards: advance(" + nanos + ")");
        }
        long target;
        synchronized (this) {
            target = now + nanos < now ? Long.MAX_VALUE : now + nanos;
        }
        runUntil(target);
    }

    /**
     * Moves virtual time to {@code nanos}, running every timer that falls due, earliest first.
     *
     * @param nanos the virtual time to reach, not before {@link #nanos()}
     * @throws IllegalArgumentException if {@code nanos} is before the current virtual time
     */
    public void advanceTo(long nanos) {
        synchronized (this) {
            if (nanos < now) {
                throw new IllegalArgumentException("virtual time does not go backwards: " + now + " -> " + nanos);
            }
        }
        runUntil(nanos);
    }

    /** @return how many of this clock's timers are armed now */
    public synchronized int armedTimers() {
        return (int) timers.stream().filter(t -> t.armed).count();
    }

    private void runUntil(long target) {
        while (true) {
            ManualTimer due = null;
            synchronized (this) {
                for (ManualTimer t : timers) {
                    if (t.armed && t.deadline <= target && (due == null || t.deadline < due.deadline
                            || t.deadline == due.deadline && t.order < due.order)) {
                        due = t;
                    }
                }
                if (due == null) {
                    now = target;
                    return;
                }
                now = Math.max(now, due.deadline);
                due.armed = false;
            }
            due.callback.run();
        }
    }

    /** A timer of this clock; its state is guarded by the clock's monitor. */
    private final class ManualTimer implements Timer {
        private final Runnable callback;
        private boolean armed;
        private long deadline;
        private long order;

        ManualTimer(Runnable callback) {
            this.callback = callback;
        }

        @Override
        public void armAt(long virtualNanos) {
            synchronized (ManualClock.this) {
                armed = true;
                deadline = Math.max(0, virtualNanos);
                order = armings++;
            }
        }

        @Override
        public void armAfter(long delayNanos) {
            if (delayNanos < 0) {
                throw new IllegalArgumentException("negative delay " + delayNanos);
            }
            synchronized (ManualClock.this) {
                long at = now + delayNanos;
                armAt(at < now ? Long.MAX_VALUE : at);
            }
        }

        @Override
        public void cancel() {
            synchronized (ManualClock.this) {
                armed = false;
            }
        }

        @Override
        public boolean isArmed() {
            synchronized (ManualClock.this) {
                return armed;
            }
        }

        @Override
        public long deadline() {
            synchronized (ManualClock.this) {
                return armed ? deadline : -1;
            }
        }
    }
}
