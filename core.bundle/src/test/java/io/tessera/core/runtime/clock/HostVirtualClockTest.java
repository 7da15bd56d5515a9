package io.tessera.core.runtime.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.core.clock.Timer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks virtual-time facts and event ordering only: the build machine is shared and noisy, so
 * no assertion depends on how fast host time passes, and every wait has a generous bound.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HostVirtualClockTest {

    private static final long GENEROUS_SECONDS = 30;
    private static final long MS = 1_000_000;

    private final List<HostVirtualClock> clocks = new ArrayList<>();

    private HostVirtualClock clock(boolean running) {
        HostVirtualClock clock = new HostVirtualClock("test", running);
        clocks.add(clock);
        return clock;
    }

    @AfterEach
    void closeClocks() {
        clocks.forEach(HostVirtualClock::close);
    }

    /** Polls until the clock has reached {@code target}; fails after a generous host-time bound. */
    private static void awaitVirtualTime(HostVirtualClock clock, long target) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(GENEROUS_SECONDS);
        while (clock.nanos() < target) {
            assertTrue(System.nanoTime() < giveUp, "virtual time did not reach " + target + ": " + clock);
            Thread.sleep(1);
        }
    }

    @Test
    void aClockCreatedPausedStaysAtZero() throws InterruptedException {
        HostVirtualClock clock = clock(false);
        assertFalse(clock.isRunning());
        assertEquals(0, clock.nanos());
        Thread.sleep(20);
        assertEquals(0, clock.nanos());
    }

    @Test
    void virtualTimeDoesNotAdvanceWhilePaused() throws InterruptedException {
        HostVirtualClock clock = clock(true);
        assertTrue(clock.isRunning());
        awaitVirtualTime(clock, 1 * MS);

        clock.pause();
        assertFalse(clock.isRunning());
        long frozen = clock.nanos();
        Thread.sleep(200);
        assertEquals(frozen, clock.nanos(), "virtual time moved while paused");

        long hostBeforeResume = System.nanoTime();
        clock.resume();
        long afterResume = clock.nanos();
        long hostElapsed = System.nanoTime() - hostBeforeResume;
        assertTrue(clock.isRunning());
        assertTrue(afterResume >= frozen, "virtual time went backwards across a pause");
        assertTrue(afterResume - frozen <= hostElapsed,
                "the paused interval was counted: " + (afterResume - frozen) + " ns virtual vs "
                        + hostElapsed + " ns of host time since resume");
        awaitVirtualTime(clock, frozen + 1 * MS);
    }

    @Test
    void virtualTimeNeverGoesBackwards() {
        HostVirtualClock clock = clock(true);
        long last = clock.nanos();
        for (int i = 0; i < 10_000; i++) {
            if (i % 1000 == 0) {
                clock.pause();
            } else if (i % 1000 == 500) {
                clock.resume();
            }
            long now = clock.nanos();
            assertTrue(now >= last, "time went from " + last + " to " + now);
            last = now;
        }
    }

    @Test
    void aTimerFiresAfterItsDeadlineOnTheClockThread() throws Exception {
        HostVirtualClock clock = clock(true);
        CompletableFuture<Long> firedAt = new CompletableFuture<>();
        AtomicBoolean armedInCallback = new AtomicBoolean(true);
        CompletableFuture<Thread> callbackThread = new CompletableFuture<>();
        Timer[] timer = new Timer[1];
        timer[0] = clock.newTimer(() -> {
            armedInCallback.set(timer[0].isArmed());
            callbackThread.complete(Thread.currentThread());
            firedAt.complete(clock.nanos());
        });
        assertFalse(timer[0].isArmed());
        assertEquals(-1, timer[0].deadline());

        long deadline = clock.nanos() + 20 * MS;
        timer[0].armAt(deadline);
        assertTrue(timer[0].isArmed() || firedAt.isDone());

        long at = firedAt.get(GENEROUS_SECONDS, TimeUnit.SECONDS);
        assertTrue(at >= deadline, "fired at " + at + ", before its deadline " + deadline);
        assertFalse(armedInCallback.get(), "a firing timer is disarmed before its callback runs");
        assertFalse(timer[0].isArmed());
        assertEquals(-1, timer[0].deadline());
        Thread thread = callbackThread.get();
        assertEquals("tessera-clock-test", thread.getName());
        assertTrue(thread.isDaemon());
    }

    @Test
    void armAfterCountsFromTheCurrentVirtualTime() throws Exception {
        HostVirtualClock clock = clock(false);
        runUntil(clock, 5 * MS);
        CompletableFuture<Long> firedAt = new CompletableFuture<>();
        Timer timer = clock.newTimer(() -> firedAt.complete(clock.nanos()));
        long before = clock.nanos();
        timer.armAfter(10 * MS);
        assertEquals(before + 10 * MS, timer.deadline(), "paused, so no time passed while arming");
        clock.resume();
        assertTrue(firedAt.get(GENEROUS_SECONDS, TimeUnit.SECONDS) >= before + 10 * MS);
        assertThrows(IllegalArgumentException.class, () -> timer.armAfter(-1));
        timer.armAfter(Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, timer.deadline(), "a huge delay saturates instead of overflowing");
    }

    /** Runs the clock until it has passed {@code target}, then pauses it there. */
    private static void runUntil(HostVirtualClock clock, long target) throws InterruptedException {
        clock.resume();
        awaitVirtualTime(clock, target);
        clock.pause();
    }

    @Test
    void timersFireInDeadlineOrder() throws Exception {
        HostVirtualClock clock = clock(false);
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(3);
        for (String name : List.of("c", "a", "b")) {
            long deadline = switch (name) {
                case "a" -> 1 * MS;
                case "b" -> 2 * MS;
                default -> 3 * MS;
            };
            clock.newTimer(() -> {
                order.add(name);
                all.countDown();
            }).armAt(deadline);
        }
        clock.resume();
        assertTrue(all.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertEquals(List.of("a", "b", "c"), order);
    }

    @Test
    void aTimerArmedWhilePausedWaitsForResume() throws Exception {
        HostVirtualClock clock = clock(false);
        CountDownLatch fired = new CountDownLatch(1);
        AtomicBoolean clockRanDuringCallback = new AtomicBoolean();
        Timer timer = clock.newTimer(() -> {
            clockRanDuringCallback.set(clock.isRunning());
            fired.countDown();
        });
        timer.armAt(0); // already due: only the pause holds it back

        assertFalse(fired.await(200, TimeUnit.MILLISECONDS), "fired while the clock was paused");
        assertTrue(timer.isArmed());

        clock.resume();
        assertTrue(fired.await(GENEROUS_SECONDS, TimeUnit.SECONDS), "did not fire after resume");
        assertTrue(clockRanDuringCallback.get());
    }

    @Test
    void pausingHoldsBackAPendingTimerAndResumingKeepsItsVirtualDeadline() throws Exception {
        HostVirtualClock clock = clock(true);
        CompletableFuture<Long> firedAt = new CompletableFuture<>();
        Timer timer = clock.newTimer(() -> firedAt.complete(clock.nanos()));
        long deadline = clock.nanos() + 300 * MS;
        timer.armAt(deadline);
        clock.pause();
        long pausedAt = clock.nanos();
        assumeTrue(pausedAt < deadline, "the host was too slow to pause before the deadline");

        Thread.sleep(500); // longer than the virtual time left, in host time
        assertFalse(firedAt.isDone(), "fired while paused");
        assertEquals(pausedAt, clock.nanos());
        assertEquals(deadline, timer.deadline());

        clock.resume();
        long at = firedAt.get(GENEROUS_SECONDS, TimeUnit.SECONDS);
        assertTrue(at >= deadline, "fired at " + at + ", before its deadline " + deadline);
    }

    @Test
    void cancelPreventsFiring() throws Exception {
        HostVirtualClock clock = clock(false);
        AtomicInteger cancelledFirings = new AtomicInteger();
        Timer cancelled = clock.newTimer(cancelledFirings::incrementAndGet);
        CountDownLatch sentinel = new CountDownLatch(1);
        Timer later = clock.newTimer(sentinel::countDown);

        cancelled.armAt(1 * MS);
        later.armAt(20 * MS);
        cancelled.cancel();
        assertFalse(cancelled.isArmed());
        assertEquals(-1, cancelled.deadline());
        cancelled.cancel(); // idempotent

        clock.resume();
        assertTrue(sentinel.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, cancelledFirings.get(), "a cancelled timer fired");
    }

    @Test
    void cancelFromAnEarlierCallbackPreventsFiring() throws Exception {
        HostVirtualClock clock = clock(false);
        AtomicInteger victimFirings = new AtomicInteger();
        Timer victim = clock.newTimer(victimFirings::incrementAndGet);
        clock.newTimer(victim::cancel).armAt(1 * MS);
        CountDownLatch sentinel = new CountDownLatch(1);
        clock.newTimer(sentinel::countDown).armAt(20 * MS);
        victim.armAt(10 * MS);

        clock.resume();
        assertTrue(sentinel.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, victimFirings.get());
    }

    @Test
    void reArmingMovesTheDeadlineAndFiresOnce() throws Exception {
        HostVirtualClock clock = clock(false);
        List<String> order = new CopyOnWriteArrayList<>();
        CompletableFuture<Long> movedFiredAt = new CompletableFuture<>();
        Timer moved = clock.newTimer(() -> {
            order.add("moved");
            movedFiredAt.complete(clock.nanos());
        });
        Timer middle = clock.newTimer(() -> order.add("middle"));
        CountDownLatch end = new CountDownLatch(1);
        Timer last = clock.newTimer(() -> {
            order.add("last");
            end.countDown();
        });

        moved.armAt(1 * MS);
        middle.armAt(10 * MS);
        last.armAt(60 * MS);
        moved.armAt(40 * MS); // later than "middle" now
        assertEquals(40 * MS, moved.deadline());

        clock.resume();
        assertTrue(end.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertEquals(List.of("middle", "moved", "last"), order, "the old deadline still counted, or fired twice");
        assertTrue(movedFiredAt.get() >= 40 * MS);
    }

    @Test
    void reArmingEarlierTakesEffect() throws Exception {
        HostVirtualClock clock = clock(true);
        CountDownLatch fired = new CountDownLatch(1);
        Timer timer = clock.newTimer(fired::countDown);
        timer.armAfter(TimeUnit.HOURS.toNanos(1));
        Thread.sleep(20); // let the scheduler sleep towards the far deadline
        timer.armAfter(1 * MS);
        assertTrue(fired.await(GENEROUS_SECONDS, TimeUnit.SECONDS), "the scheduler kept waiting for the old deadline");
    }

    @Test
    void concurrentArmingAndCancellingLeavesNothingPending() throws Exception {
        HostVirtualClock clock = clock(true);
        AtomicInteger firings = new AtomicInteger();
        Timer timer = clock.newTimer(firings::incrementAndGet);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int seed = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 2_000; i++) {
                    switch ((i + seed) % 3) {
                        case 0 -> timer.armAfter((i % 7) * 10_000L);
                        case 1 -> timer.armAt(clock.nanos());
                        default -> timer.cancel();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        timer.cancel();
        assertFalse(timer.isArmed());
        clock.pause(); // waits for a callback that started before the cancel
        int settled = firings.get();
        clock.resume();
        Thread.sleep(50);
        assertEquals(settled, firings.get(), "a cancelled timer fired");
        assertEquals(-1, timer.deadline());
    }

    @Test
    void aCallbackCanReArmItsTimer() throws Exception {
        HostVirtualClock clock = clock(true);
        List<Long> firings = new CopyOnWriteArrayList<>();
        List<Long> deadlines = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(5);
        Timer[] timer = new Timer[1];
        timer[0] = clock.newTimer(() -> {
            firings.add(clock.nanos());
            done.countDown();
            if (done.getCount() > 0) {
                timer[0].armAfter(2 * MS);
                deadlines.add(timer[0].deadline());
            }
        });
        timer[0].armAfter(2 * MS);
        deadlines.add(0, timer[0].deadline());

        assertTrue(done.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertEquals(5, firings.size());
        for (int i = 0; i < 5; i++) {
            assertTrue(firings.get(i) >= deadlines.get(i), "firing " + i + " came before its deadline");
        }
    }

    @Test
    void aFailingCallbackDoesNotStopOtherTimers() throws Exception {
        HostVirtualClock clock = clock(false);
        clock.newTimer(() -> {
            throw new IllegalStateException("expected by the test");
        }).armAt(1 * MS);
        CountDownLatch after = new CountDownLatch(1);
        clock.newTimer(after::countDown).armAt(5 * MS);
        clock.resume();
        assertTrue(after.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void pauseWaitsForACallbackInProgress() throws Exception {
        HostVirtualClock clock = clock(true);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean callbackDone = new AtomicBoolean();
        clock.newTimer(() -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            callbackDone.set(true);
        }).armAt(0);
        assertTrue(entered.await(GENEROUS_SECONDS, TimeUnit.SECONDS));

        CompletableFuture<Boolean> doneWhenPauseReturned = new CompletableFuture<>();
        Thread pauser = Thread.ofPlatform().start(() -> {
            clock.pause();
            doneWhenPauseReturned.complete(callbackDone.get());
        });
        Thread.sleep(100);
        assertFalse(doneWhenPauseReturned.isDone(), "pause returned while a callback was running");

        release.countDown();
        assertTrue(doneWhenPauseReturned.get(GENEROUS_SECONDS, TimeUnit.SECONDS));
        pauser.join();
        assertFalse(clock.isRunning());
    }

    @Test
    void closeDisarmsEverythingAndFreezesTime() throws Exception {
        HostVirtualClock clock = clock(true);
        AtomicInteger firings = new AtomicInteger();
        Timer timer = clock.newTimer(firings::incrementAndGet);
        timer.armAfter(TimeUnit.HOURS.toNanos(1));

        clock.close();
        assertFalse(clock.isRunning());
        assertFalse(timer.isArmed());
        long frozen = clock.nanos();
        Thread.sleep(20);
        assertEquals(frozen, clock.nanos());

        timer.armAt(0);
        assertFalse(timer.isArmed(), "arming a timer of a closed clock has no effect");
        assertThrows(IllegalStateException.class, clock::resume);
        assertThrows(IllegalStateException.class, () -> clock.newTimer(() -> { }));
        clock.close(); // idempotent
        clock.pause(); // harmless
        assertEquals(0, firings.get());
    }
}
