package io.tessera.isa.riscv.platform;

import io.tessera.core.clock.Timer;
import io.tessera.core.clock.VirtualClock;
import java.util.Objects;

/**
 * The platform's real-time counter (mtime, and the harts' time CSR): ticks at a fixed
 * frequency of the machine's virtual clock, so it stops while the machine is paused.
 *
 * @param clock the machine's virtual clock
 * @param frequencyHz ticks per second (QEMU's virt and spike boards: 10 MHz)
 */
public record Timebase(VirtualClock clock, long frequencyHz) {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** Checks the arguments. */
    public Timebase {
        Objects.requireNonNull(clock, "clock");
        if (frequencyHz <= 0 || frequencyHz > NANOS_PER_SECOND) {
            throw new IllegalArgumentException("timebase frequency " + frequencyHz + " Hz is not in 1 Hz .. 1 GHz");
        }
    }

    /** @return the counter now */
    public long ticks() {
        return ticksAt(clock.nanos());
    }

    /** @return the counter at a virtual time, exactly (no overflow for centuries) */
    public long ticksAt(long nanos) {
        return nanos / NANOS_PER_SECOND * frequencyHz + nanos % NANOS_PER_SECOND * frequencyHz / NANOS_PER_SECOND;
    }

    /**
     * The first virtual time at which the counter reads {@code ticks} or more. Compare
     * registers (mtimecmp, stimecmp) are unsigned: a count of 2^63 or more, which virtual time
     * never reaches (all ones is software's usual "never"), gives {@link Long#MAX_VALUE}.
     *
     * @param ticks an unsigned counter value
     */
    public long nanosAt(long ticks) {
        if (ticks < 0) {
            return Long.MAX_VALUE;
        }
        long whole = ticks / frequencyHz;
        if (whole >= Long.MAX_VALUE / NANOS_PER_SECOND) {
            return Long.MAX_VALUE;
        }
        long rest = ticks % frequencyHz;
        return whole * NANOS_PER_SECOND + (rest * NANOS_PER_SECOND + frequencyHz - 1) / frequencyHz;
    }

    /**
     * Arms {@code timer} for when the counter reaches {@code ticks} (unsigned), or cancels it
     * when the counter never will: what every compare register does with its timer.
     */
    public void arm(Timer timer, long ticks) {
        long at = nanosAt(ticks);
        if (at == Long.MAX_VALUE) {
            timer.cancel();
        } else {
            timer.armAt(at);
        }
    }
}
