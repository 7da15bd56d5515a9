package io.tessera.machine.spike;

import io.tessera.core.clock.Timer;
import io.tessera.core.memory.MmioHandler;
import io.tessera.isa.riscv.platform.RiscvCpu;
import io.tessera.isa.riscv.platform.Timebase;
import java.util.List;

/**
 * SiFive's core-local interruptor as spike and QEMU place it: a software-interrupt register
 * per hart (MSIP, offset 4 * hart), a timer compare register per hart (mtimecmp, 0x4000 +
 * 8 * hart) and the shared counter mtime (0xbff8), which counts the timebase.
 */
final class Clint implements MmioHandler {

    static final long SIZE = 0x10000;
    private static final long MTIMECMP = 0x4000;
    private static final long MTIME = 0xbff8;

    private final List<RiscvCpu> harts;
    private final Timebase timebase;
    private final int[] msip;
    private final long[] mtimecmp;
    private final Timer[] timers;
    private long mtimeOffset;

    Clint(List<RiscvCpu> harts, Timebase timebase) {
        this.harts = List.copyOf(harts);
        this.timebase = timebase;
        this.msip = new int[harts.size()];
        this.mtimecmp = new long[harts.size()];
        this.timers = new Timer[harts.size()];
        for (int i = 0; i < harts.size(); i++) {
            int hart = i;
            mtimecmp[i] = -1;
            timers[i] = timebase.clock().newTimer(() -> updateTimer(hart));
        }
    }

    private long mtime() {
        return timebase.ticks() + mtimeOffset;
    }

    @Override
    public synchronized long read(long offset, int size) {
        long value;
        int shift = (int) (offset & 7) * 8;
        if (offset < 4L * harts.size()) {
            return msip[(int) (offset / 4)];
        } else if (offset >= MTIMECMP && offset < MTIMECMP + 8L * harts.size()) {
            value = mtimecmp[(int) ((offset - MTIMECMP) / 8)];
        } else if (offset >= MTIME && offset < MTIME + 8) {
            value = mtime();
        } else {
            return 0;
        }
        return size == 8 ? value : (value >>> shift) & ((1L << (8 * size)) - 1);
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (offset < 4L * harts.size()) {
            int hart = (int) (offset / 4);
            msip[hart] = (int) value & 1;
            harts.get(hart).setInterruptPending(RiscvCpu.MACHINE_SOFTWARE_INTERRUPT, msip[hart] != 0);
        } else if (offset >= MTIMECMP && offset < MTIMECMP + 8L * harts.size()) {
            int hart = (int) ((offset - MTIMECMP) / 8);
            mtimecmp[hart] = merge(mtimecmp[hart], offset, size, value);
            updateTimer(hart);
        } else if (offset >= MTIME && offset < MTIME + 8) {
            mtimeOffset = merge(mtime(), offset, size, value) - timebase.ticks();
            for (int hart = 0; hart < harts.size(); hart++) {
                updateTimer(hart);
            }
        }
    }

    /** A 4-byte write replaces one half of a 64-bit register, as 32-bit software does. */
    private static long merge(long old, long offset, int size, long value) {
        if (size == 8) {
            return value;
        }
        int shift = (int) (offset & 7) * 8;
        long mask = ((1L << (8 * size)) - 1) << shift;
        return (old & ~mask) | ((value << shift) & mask);
    }

    /** MTIP is level: pending while mtime >= mtimecmp; otherwise wake up when it will be. */
    private synchronized void updateTimer(int hart) {
        long compare = mtimecmp[hart];
        boolean due = Long.compareUnsigned(mtime(), compare) >= 0;
        harts.get(hart).setInterruptPending(RiscvCpu.MACHINE_TIMER_INTERRUPT, due);
        if (due) {
            timers[hart].cancel();
        } else {
            timers[hart].armAt(timebase.nanosAt(compare - mtimeOffset));
        }
    }

    void close() {
        for (Timer timer : timers) {
            timer.cancel();
        }
    }
}
