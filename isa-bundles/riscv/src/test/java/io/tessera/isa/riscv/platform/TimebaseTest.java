package io.tessera.isa.riscv.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.clock.Timer;
import io.tessera.core.clock.VirtualClock;
import org.junit.jupiter.api.Test;

class TimebaseTest {

    /** A timer that only remembers how it was armed. */
    private static final class RecordingTimer implements Timer {
        long deadline = -1;

        @Override
        public void armAt(long virtualNanos) {
            deadline = virtualNanos;
        }

        @Override
        public void armAfter(long delayNanos) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void cancel() {
            deadline = -1;
        }

        @Override
        public boolean isArmed() {
            return deadline >= 0;
        }

        @Override
        public long deadline() {
            return deadline;
        }
    }

    private static final VirtualClock STOPPED = new VirtualClock() {
        @Override
        public long nanos() {
            return 0;
        }

        @Override
        public boolean isRunning() {
            return false;
        }

        @Override
        public Timer newTimer(Runnable callback) {
            return new RecordingTimer();
        }
    };

    private final Timebase timebase = new Timebase(STOPPED, 10_000_000);

    @Test
    void ticksAndNanosAgreeBothWays() {
        assertEquals(0, timebase.nanosAt(0));
        assertEquals(100, timebase.nanosAt(1));
        assertEquals(1_000_000_000L, timebase.nanosAt(10_000_000));
        assertEquals(10_000_000, timebase.ticksAt(timebase.nanosAt(10_000_000)));
        assertEquals(2, timebase.ticksAt(250), "ticks count whole periods");
    }

    @Test
    void compareValuesAreUnsignedAndTheTopHalfIsNever() {
        assertEquals(Long.MAX_VALUE, timebase.nanosAt(-1L), "all ones, software's 'never'");
        assertEquals(Long.MAX_VALUE, timebase.nanosAt(Long.MIN_VALUE), "2^63 ticks");
        assertEquals(Long.MAX_VALUE, timebase.nanosAt(Long.MAX_VALUE));
    }

    @Test
    void armingForNeverCancelsInsteadOfFiringAtOnce() {
        RecordingTimer timer = new RecordingTimer();
        timebase.arm(timer, 500);
        assertEquals(50_000, timer.deadline());
        timebase.arm(timer, 0xffff_ffff_ffff_fffeL);
        assertFalse(timer.isArmed());
        timebase.arm(timer, 7);
        assertTrue(timer.isArmed());
    }
}
