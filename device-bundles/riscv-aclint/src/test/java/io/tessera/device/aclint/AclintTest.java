package io.tessera.device.aclint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.device.testing.ManualClock;
import io.tessera.isa.riscv.platform.RiscvCpu;
import io.tessera.isa.riscv.platform.Timebase;
import org.junit.jupiter.api.Test;

class AclintTest {

    private final FakeHarts harts = new FakeHarts(2);
    private final ManualClock clock = new ManualClock();
    private final MachineTimer timer = new MachineTimer(harts.harts, new Timebase(clock, 10_000_000), MtimerDevice.MTIME);

    @Test
    void msipRaisesAndClearsTheHartsSoftwareInterrupt() {
        SoftwareInterrupts mswi = new SoftwareInterrupts(harts.harts);
        mswi.write(4, 4, 0xffff_ffffL);
        assertTrue(harts.level(1, RiscvCpu.MACHINE_SOFTWARE_INTERRUPT));
        assertFalse(harts.level(0, RiscvCpu.MACHINE_SOFTWARE_INTERRUPT));
        assertEquals(1, mswi.read(4, 4), "only bit 0 is kept");
        mswi.write(4, 4, 0);
        assertFalse(harts.level(1, RiscvCpu.MACHINE_SOFTWARE_INTERRUPT));
        mswi.write(8, 4, 1);   // no hart 2: ignored
        assertEquals(0, mswi.read(8, 4));
    }

    @Test
    void mtimeCountsTheTimebase() {
        clock.advanceTo(1_000_000);   // 1 ms at 10 MHz
        assertEquals(10_000, timer.read(MtimerDevice.MTIME, 8));
        assertEquals(10_000, timer.read(MtimerDevice.MTIME, 4));
        assertEquals(0, timer.read(MtimerDevice.MTIME + 4, 4));
    }

    @Test
    void timerInterruptIsALevelThatFollowsMtimecmp() {
        assertFalse(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT), "mtimecmp resets to all ones");
        timer.write(0, 8, 500);   // hart 0 at 50 us
        assertFalse(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT));
        clock.advanceTo(49_999);
        assertFalse(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT));
        clock.advanceTo(50_000);
        assertTrue(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT));
        assertFalse(harts.level(1, RiscvCpu.MACHINE_TIMER_INTERRUPT));
        timer.write(0, 8, 1000);
        assertFalse(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT), "a later compare value lowers MTIP");
    }

    @Test
    void aResetKeepsMtimeInStepWithTheHartsTimeCsrAndClearsTheCompares() {
        timer.write(0, 8, 500);
        timer.write(MtimerDevice.MTIME, 8, 7);   // the guest moved MTIME away from the timebase
        clock.advanceTo(2_000_000);              // 2 ms: the timebase (the time CSR) is at 20,000
        timer.reset();
        assertEquals(20_000, timer.read(MtimerDevice.MTIME, 8), "MTIME is the time CSR's value again");
        assertEquals(-1L, timer.read(0, 8));
        assertFalse(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT));
    }

    @Test
    void anMtimecmpOfAllOnesArmsNoTimerAfterMtimeWasMovedEither() {
        clock.advanceTo(1_000_000);
        timer.write(MtimerDevice.MTIME, 8, 5);        // MTIME behind the timebase
        timer.write(0, 8, -1L);
        timer.write(8, 8, -2L);
        clock.advanceTo(2_000_000);
        assertFalse(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT));
        assertEquals(0, clock.armedTimers(), "a compare value that is never reached must not arm a timer");
        timer.write(MtimerDevice.MTIME, 8, 1L << 40); // and ahead of it
        timer.write(0, 8, (1L << 40) + 100);
        assertEquals(1, clock.armedTimers());
        clock.advanceTo(2_000_000 + 9_999);
        assertFalse(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT));
        clock.advanceTo(2_000_000 + 10_000);          // 100 ticks at 10 MHz
        assertTrue(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT));
    }

    @Test
    void anMtimecmpOfAllOnesArmsNoTimer() {
        timer.write(0, 8, -1L);
        clock.advanceTo(1);
        assertFalse(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT));
        assertEquals(0, clock.armedTimers(), "a compare value that is never reached must not arm a timer");
    }

    @Test
    void halfWritesOfMtimecmpCombine() {
        timer.write(8 + 4, 4, 0);
        timer.write(8, 4, 0x1234);
        assertEquals(0x1234, timer.read(8, 8));
        assertEquals(0, timer.read(12, 4));
    }

    @Test
    void writingMtimeMovesTheCounterAndReevaluatesTimers() {
        timer.write(0, 8, 100_000);
        timer.write(MtimerDevice.MTIME, 8, 100_000);
        assertTrue(harts.level(0, RiscvCpu.MACHINE_TIMER_INTERRUPT));
        assertEquals(100_000, timer.read(MtimerDevice.MTIME, 8));
        clock.advanceTo(1_000);
        assertEquals(100_010, timer.read(MtimerDevice.MTIME, 8));
    }

    @Test
    void stateRoundTrip() {
        timer.write(0, 8, 777);
        timer.write(MtimerDevice.MTIME, 8, 5);
        MachineTimer other = new MachineTimer(harts.harts, new Timebase(clock, 10_000_000), MtimerDevice.MTIME);
        other.restore(timer.mtime(), timer.compares());
        assertEquals(777, other.read(0, 8));
        assertEquals(5, other.read(MtimerDevice.MTIME, 8));
    }
}
