package io.tessera.device.aclint;

import io.tessera.core.clock.Timer;
import io.tessera.core.memory.MmioHandler;
import io.tessera.isa.riscv.platform.RiscvCpu;
import io.tessera.isa.riscv.platform.Timebase;
import java.util.List;

/**
 * The register file of an ACLINT MTIMER device: a 64-bit MTIMECMP per hart at 8 * hart and
 * the shared 64-bit MTIME at the end of the block, which counts the timebase. MTIP is a level:
 * pending while MTIME >= MTIMECMP, so a virtual-clock timer wakes the hart when it becomes so.
 */
final class MachineTimer implements MmioHandler {

    private final List<RiscvCpu> harts;
    private final Timebase timebase;
    private final long mtimeOffset;
    private final long[] compare;
    private final Timer[] timers;
    private long adjustment;

    /** @param mtimeOffset where MTIME sits in the block (0x7ff8 in the ACLINT and CLINT layouts) */
    MachineTimer(List<RiscvCpu> harts, Timebase timebase, long mtimeOffset) {
        this.harts = List.copyOf(harts);
        this.timebase = timebase;
        this.mtimeOffset = mtimeOffset;
        this.compare = new long[harts.size()];
        this.timers = new Timer[harts.size()];
        for (int i = 0; i < harts.size(); i++) {
            int hart = i;
            compare[i] = -1;
            timers[i] = timebase.clock().newTimer(() -> update(hart));
        }
    }

    long mtime() {
        return timebase.ticks() + adjustment;
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset < 8L * harts.size()) {
            return Harts.extract(compare[(int) (offset / 8)], offset, size);
        } else if (offset >= mtimeOffset && offset < mtimeOffset + 8) {
            return Harts.extract(mtime(), offset, size);
        }
        return 0;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (offset < 8L * harts.size()) {
            int hart = (int) (offset / 8);
            compare[hart] = Harts.merge(compare[hart], offset, size, value);
            update(hart);
        } else if (offset >= mtimeOffset && offset < mtimeOffset + 8) {
            setMtime(Harts.merge(mtime(), offset, size, value));
        }
    }

    private void setMtime(long value) {
        adjustment = value - timebase.ticks();
        for (int hart = 0; hart < harts.size(); hart++) {
            update(hart);
        }
    }

    private synchronized void update(int hart) {
        long ticks = timebase.ticks();
        long mtime = ticks + adjustment;
        boolean due = Long.compareUnsigned(mtime, compare[hart]) >= 0;
        harts.get(hart).setInterruptPending(RiscvCpu.MACHINE_TIMER_INTERRUPT, due);
        if (due) {
            timers[hart].cancel();
            return;
        }
        // Not due, so MTIMECMP is above MTIME: the difference is the (unsigned) tick count to
        // wait for. Counted from the timebase's own ticks, not as MTIMECMP - adjustment, which
        // wraps for a compare near all ones once MTIME was moved (a timer in the past that
        // re-armed itself for ever); a wait beyond the timebase's range arms nothing.
        long at = ticks + (compare[hart] - mtime);
        if (Long.compareUnsigned(at, ticks) < 0) {
            timers[hart].cancel();
        } else {
            timebase.arm(timers[hart], at);
        }
    }

    /**
     * Compares back to all ones (no interrupt) and MTIME back in step with the timebase. The
     * privileged spec resets MTIME to 0, but the harts' time CSR reads the timebase itself,
     * which goes on across a machine reset; zeroing MTIME alone would put every MTIMECMP that
     * firmware computes from rdtime the machine's whole uptime in the future.
     */
    synchronized void reset() {
        java.util.Arrays.fill(compare, -1);
        adjustment = 0;
        for (int hart = 0; hart < harts.size(); hart++) {
            update(hart);
        }
    }

    synchronized long[] compares() {
        return compare.clone();
    }

    synchronized void restore(long mtime, long[] compares) {
        System.arraycopy(compares, 0, compare, 0, compare.length);
        setMtime(mtime);
    }

    void close() {
        for (Timer timer : timers) {
            timer.cancel();
        }
    }
}
