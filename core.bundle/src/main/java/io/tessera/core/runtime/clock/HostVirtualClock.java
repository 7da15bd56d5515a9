package io.tessera.core.runtime.clock;

import io.tessera.core.clock.Timer;
import io.tessera.core.clock.VirtualClock;

import java.lang.System.Logger.Level;
import java.util.Comparator;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link VirtualClock} whose virtual time follows the host's monotonic clock
 * ({@link System#nanoTime()}) while running and stands still while paused, so a guest sees no
 * time pass across a pause. Timers are ordered by virtual deadline and fired by one daemon
 * scheduler thread, {@code tessera-clock-<name>}; since deadlines are virtual, resuming
 * naturally re-schedules each pending timer for the virtual time it still had left.
 *
 * <p>Guarantees beyond the interface: once {@link #pause()} or {@link #close()} returns, no
 * timer callback is running or will start before the next {@link #resume()} (unless they were
 * called from a callback, which cannot wait for itself). One consequence: do not call them while
 * holding a lock that a timer callback may take.
 *
 * <p>All state is guarded by one lock, except that {@link #nanos()} takes no lock: it reads an
 * immutable snapshot of the time base through a volatile field. Virtual time stays monotonic
 * across pause and resume all the same: pausing first publishes a snapshot that sends readers
 * to the lock, then reads the host clock and publishes the paused time, so a lock-free read
 * that saw the running snapshot both before and after its own host clock read took that read
 * before the paused time was fixed.
 */
public final class HostVirtualClock implements VirtualClock, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HostVirtualClock.class.getName());

    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the scheduler must re-evaluate: run state, closing, or a new earliest timer. */
    private final Condition changed = lock.newCondition();
    /** Signalled when a callback finishes, for pause and close to wait on. */
    private final Condition idle = lock.newCondition();
    /** Armed timers, earliest deadline first, ties in arming order. */
    private final NavigableSet<HostTimer> queue = new TreeSet<>(
            Comparator.<HostTimer>comparingLong(t -> t.deadline).thenComparingLong(t -> t.order));
    private final Thread scheduler;

    /**
     * The time base, replaced whole (under lock) and read without it by {@link #nanos()}: while
     * running, virtual time is {@code virtualBase + (System.nanoTime() - hostBase)}; paused, it
     * is {@code virtualBase}. A snapshot with {@code settling} set is being replaced: readers
     * wait for the lock.
     */
    private record TimeBase(boolean running, long virtualBase, long hostBase, boolean settling) {
        long at(long host) {
            return running ? virtualBase + (host - hostBase) : virtualBase;
        }
    }

    private volatile TimeBase base;

    // All guarded by lock.
    private boolean running;
    /** Threads inside pause() or close() waiting for a callback to end; no callback starts meanwhile. */
    private int waiters;
    private boolean closed;
    private boolean inCallback;
    private long armings;

    /**
     * Creates a clock at virtual time zero and starts its scheduler thread.
     *
     * @param name a short name for the clock, typically the machine's, used in the scheduler
     *        thread's name {@code tessera-clock-<name>}
     * @param running whether virtual time starts advancing at once; a clock created paused starts
     *        on the first {@link #resume()}
     */
    public HostVirtualClock(String name, boolean running) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a clock needs a non-blank name");
        }
        this.name = name;
        this.running = running;
        this.base = new TimeBase(running, 0, System.nanoTime(), false);
        this.scheduler = Thread.ofPlatform()
                .name("tessera-clock-" + name)
                .daemon(true)
                .unstarted(this::schedule);
        scheduler.start();
    }

    /** @return the name given at construction */
    public String name() {
        return name;
    }

    @Override
    public long nanos() {
        TimeBase b = base;
        if (!b.settling()) {
            if (!b.running()) {
                return b.virtualBase();
            }
            long now = b.at(System.nanoTime());
            if (base == b) {
                return now;
            }
        }
        // The time base is being replaced (or just was): ask under the lock.
        lock.lock();
        try {
            return nowLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isRunning() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Timer newTimer(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("clock '" + name + "' is closed");
            }
            return new HostTimer(callback);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops virtual time. Pending timers stay armed but are held back until {@link #resume()}.
     * Waits for a timer callback in progress to return first, so the stop is observed as
     * happening after it; called from a callback, it stops the clock at once instead. Does
     * nothing if the clock is already paused or closed.
     */
    public void pause() {
        lock.lock();
        try {
            if (!running) {
                return;
            }
            if (Thread.currentThread() != scheduler) {
                waitForCallbackLocked();
            }
            if (running) {
                stopLocked();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets virtual time advance again from where it stopped; timers whose deadline is now
     * reached fire promptly, the others after the virtual time they had left. Does nothing if
     * the clock is running.
     *
     * @throws IllegalStateException if the clock has been closed
     */
    public void resume() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("clock '" + name + "' is closed");
            }
            if (running) {
                return;
            }
            running = true;
            base = new TimeBase(true, base.virtualBase(), System.nanoTime(), false);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Pauses the clock for good, disarms every timer and ends the scheduler thread. Afterwards
     * {@link #nanos()} stays frozen, arming a timer has no effect and {@link #newTimer} throws.
     * Waits for a callback in progress like {@link #pause()} does. Idempotent.
     */
    @Override
    public void close() {
        boolean fromScheduler = Thread.currentThread() == scheduler;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (!fromScheduler) {
                waitForCallbackLocked();
                if (closed) {
                    return;
                }
            }
            if (running) {
                stopLocked();
            }
            closed = true;
            for (HostTimer t : queue) {
                t.armed = false;
            }
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (!fromScheduler) {
            try {
                scheduler.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "HostVirtualClock[" + name + ", " + (closed ? "closed" : running ? "running" : "paused")
                    + ", " + nowLocked() + " ns, " + queue.size() + " armed]";
        } finally {
            lock.unlock();
        }
    }

    /** Holds back new callbacks and waits for the one in progress, if any, to return. */
    private void waitForCallbackLocked() {
        waiters++;
        try {
            while (inCallback) {
                idle.awaitUninterruptibly();
            }
        } finally {
            waiters--;
        }
    }

    private long nowLocked() {
        return base.at(System.nanoTime());
    }

    /**
     * Stops virtual time where it is. Readers without the lock are sent to it first, so none
     * can return a time read from the host clock after the one the clock stops at.
     */
    private void stopLocked() {
        TimeBase was = base;
        base = new TimeBase(was.running(), was.virtualBase(), was.hostBase(), true);
        long stoppedAt = was.at(System.nanoTime());
        base = new TimeBase(false, stoppedAt, 0, false);
        running = false;
    }

    /** The scheduler thread: sleeps until the earliest deadline or a change, fires due timers. */
    private void schedule() {
        lock.lock();
        try {
            while (!closed) {
                if (!running || waiters > 0 || queue.isEmpty()) {
                    changed.awaitUninterruptibly();
                    continue;
                }
                HostTimer first = queue.first();
                long wait = first.deadline - nowLocked();
                if (wait > 0) {
                    try {
                        changed.awaitNanos(wait);
                    } catch (InterruptedException e) {
                        // Nobody has business interrupting this thread; re-check the state.
                    }
                    continue;
                }
                queue.pollFirst();
                first.armed = false;
                inCallback = true;
                lock.unlock();
                try {
                    first.callback.run();
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, () -> "timer callback failed on clock '" + name + "'", t);
                } finally {
                    Thread.interrupted(); // a callback's stray interrupt must not leak into the next wait
                    lock.lock();
                    inCallback = false;
                    idle.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A timer of this clock; its fields are guarded by the clock's lock. */
    private final class HostTimer implements Timer {
        private final Runnable callback;
        private long deadline;
        private long order;
        private boolean armed;

        HostTimer(Runnable callback) {
            this.callback = callback;
        }

        @Override
        public void armAt(long virtualNanos) {
            lock.lock();
            try {
                armLocked(Math.max(0, virtualNanos));
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void armAfter(long delayNanos) {
            if (delayNanos < 0) {
                throw new IllegalArgumentException("negative timer delay: " + delayNanos);
            }
            lock.lock();
            try {
                long now = nowLocked();
                long at = now + delayNanos;
                armLocked(at < now ? Long.MAX_VALUE : at);
            } finally {
                lock.unlock();
            }
        }

        private void armLocked(long at) {
            if (armed) {
                queue.remove(this);
                armed = false;
            }
            if (closed) {
                return;
            }
            deadline = at;
            order = armings++;
            armed = true;
            queue.add(this);
            if (queue.first() == this) {
                changed.signalAll();
            }
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                if (armed) {
                    queue.remove(this);
                    armed = false;
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean isArmed() {
            lock.lock();
            try {
                return armed;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public long deadline() {
            lock.lock();
            try {
                return armed ? deadline : -1;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            long d = deadline();
            return "Timer[" + name + (d < 0 ? ", disarmed]" : ", at " + d + " ns]");
        }
    }
}
