package io.tessera.device.goldfish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import io.tessera.core.memory.BusErrorException;
import io.tessera.core.memory.MmioRegion;
import io.tessera.core.runtime.clock.HostVirtualClock;
import io.tessera.device.testing.Configs;
import io.tessera.device.testing.ManualClock;
import io.tessera.device.testing.RecordingInterruptController;
import io.tessera.device.testing.TestMachine;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Goldfish RTC through the system address space, with a virtual clock the test steps. */
class GoldfishRtcTest {

    private static final long BASE = 0x10_1000L;
    private static final int IRQ = 11;
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private ManualClock clock;
    private TestMachine machine;
    private RecordingInterruptController plic;
    private GoldfishRtc rtc;
    private long hostBefore;
    private long hostAfter;

    @BeforeEach
    void realize() {
        clock = new ManualClock();
        clock.advance(777 * SECOND); // the machine has run a while: virtual time is not wall time
        machine = new TestMachine(clock);
        plic = new RecordingInterruptController(64);
        hostBefore = hostNanos();
        rtc = create(machine, plic);
        hostAfter = hostNanos();
    }

    private static GoldfishRtc create(TestMachine machine, RecordingInterruptController plic) {
        return new GoldfishRtc(Configs.config(GoldfishRtc.Config.class, Map.of()), Configs.properties("rtc0"), machine.machine(), plic);
    }

    private static long hostNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * SECOND + now.getNano();
    }

    private long rd(int offset) {
        return machine.memory.read(BASE + offset, 4);
    }

    private void wr(int offset, long value) {
        machine.memory.write(BASE + offset, 4, value);
    }

    /** Reads the time as Linux's driver does: TIME_LOW, then TIME_HIGH. */
    private long time() {
        long low = rd(GoldfishRtc.TIME_LOW);
        return rd(GoldfishRtc.TIME_HIGH) << 32 | low;
    }

    /** Sets the time as Linux's driver does: TIME_HIGH, then TIME_LOW. */
    private void setTime(long nanos) {
        wr(GoldfishRtc.TIME_HIGH, nanos >>> 32);
        wr(GoldfishRtc.TIME_LOW, nanos & 0xffff_ffffL);
    }

    /** Arms the alarm as Linux's driver does: ALARM_HIGH, then ALARM_LOW. */
    private void setAlarm(long nanos) {
        wr(GoldfishRtc.ALARM_HIGH, nanos >>> 32);
        wr(GoldfishRtc.ALARM_LOW, nanos & 0xffff_ffffL);
    }

    private boolean line() {
        return plic.line(IRQ).level();
    }

    @Test
    void defaultsAreThoseOfQemuVirt() throws Exception {
        assertEquals(0x10_1000L, GoldfishRtc.Config.class.getMethod("base").getDefaultValue());
        assertEquals(11, GoldfishRtc.Config.class.getMethod("irq").getDefaultValue());
        var mapping = machine.mappings().getFirst();
        assertEquals(BASE, mapping.base());
        assertEquals(0x1000, mapping.region().size());
        assertEquals(MmioRegion.SIZE_4, ((MmioRegion) mapping.region()).accessSizes());
        assertEquals("goldfish-rtc", rtc.type());
        assertEquals("rtc0", rtc.id());
        assertFalse(line());
        assertEquals(0, rd(GoldfishRtc.IRQ_ENABLED));
        assertEquals(0, rd(GoldfishRtc.ALARM_STATUS));
    }

    @Test
    void timeIsHostTimeAtRealizePlusVirtualTimeSince() {
        long t0 = time();
        assertTrue(t0 >= hostBefore && t0 <= hostAfter, "time " + t0 + " taken from the host at realize");
        assertEquals(t0, time(), "no virtual time passed, no time passed");
        clock.advance(5 * SECOND + 123);
        assertEquals(t0 + 5 * SECOND + 123, time());
    }

    @Test
    void readingTimeLowLatchesTimeHigh() {
        setTime(0x0000_0007_ffff_ff00L);
        assertEquals(0xffff_ff00L, rd(GoldfishRtc.TIME_LOW));
        clock.advance(0x200);
        assertEquals(7, rd(GoldfishRtc.TIME_HIGH), "the half latched with the low half read before");
        assertEquals(7, rd(GoldfishRtc.TIME_HIGH));
        assertEquals(0x100, rd(GoldfishRtc.TIME_LOW));
        assertEquals(8, rd(GoldfishRtc.TIME_HIGH));
    }

    @Test
    void aSixtyFourBitReadIsLowThenHigh() {
        setTime(0x1234_5678_9abc_def0L);
        assertEquals(0x1234_5678_9abc_def0L, machine.memory.read(BASE + GoldfishRtc.TIME_LOW, 8));
    }

    @Test
    void settingTimeKeepsTheOffset() {
        long y2k = 946_684_800L * SECOND;
        setTime(y2k);
        assertEquals(y2k, time());
        clock.advance(3 * SECOND);
        assertEquals(y2k + 3 * SECOND, time());
        wr(GoldfishRtc.TIME_LOW, 5);
        assertEquals((y2k + 3 * SECOND & ~0xffff_ffffL) | 5, time(), "TIME_LOW alone replaces the low half");
    }

    @Test
    void alarmRaisesTheLineWhenDueAndEnabled() {
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        long now = time();
        setAlarm(now + MS);
        assertEquals(1, rd(GoldfishRtc.ALARM_STATUS));
        assertEquals(now + MS, rd(GoldfishRtc.ALARM_HIGH) << 32 | rd(GoldfishRtc.ALARM_LOW));
        clock.advance(MS - 1);
        assertFalse(line());
        clock.advance(1);
        assertTrue(line(), "the alarm fired");
        assertEquals(0, rd(GoldfishRtc.ALARM_STATUS));
        wr(GoldfishRtc.CLEAR_INTERRUPT, 1);
        assertFalse(line());
        assertEquals(1, plic.line(IRQ).raises());
    }

    @Test
    void disabledInterruptStaysPendingUntilEnabled() {
        setAlarm(time() + MS);
        clock.advance(MS);
        assertFalse(line());
        assertEquals(0, rd(GoldfishRtc.ALARM_STATUS));
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        assertTrue(line());
        assertEquals(1, rd(GoldfishRtc.IRQ_ENABLED));
        wr(GoldfishRtc.IRQ_ENABLED, 0);
        assertFalse(line());
    }

    @Test
    void anAlarmInThePastFiresAtOnce() {
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        setAlarm(time() - SECOND);
        assertTrue(line());
        assertEquals(0, rd(GoldfishRtc.ALARM_STATUS));
    }

    @Test
    void clearAlarmDisarms() {
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        setAlarm(time() + MS);
        wr(GoldfishRtc.CLEAR_ALARM, 1);
        assertEquals(0, rd(GoldfishRtc.ALARM_STATUS));
        clock.advance(SECOND);
        assertFalse(line());
    }

    @Test
    void armingAgainReplacesThePendingAlarm() {
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        long now = time();
        setAlarm(now + MS);
        setAlarm(now + 3 * MS);
        clock.advance(2 * MS);
        assertFalse(line());
        clock.advance(MS);
        assertTrue(line());
    }

    @Test
    void settingTheTimeDoesNotMoveAPendingAlarmAsInQemu() {
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        setAlarm(time() + MS);
        setTime(time() - 3600 * SECOND);
        clock.advance(MS);
        assertTrue(line(), "the alarm keeps its virtual deadline");
    }

    @Test
    void alarmFiresOnTheRealClock() throws Exception {
        try (HostVirtualClock real = new HostVirtualClock("rtc-test", true)) {
            TestMachine realMachine = new TestMachine(real);
            RecordingInterruptController realPlic = new RecordingInterruptController(64);
            create(realMachine, realPlic);
            realMachine.memory.write(BASE + GoldfishRtc.IRQ_ENABLED, 4, 1);
            long low = realMachine.memory.read(BASE + GoldfishRtc.TIME_LOW, 4);
            long now = realMachine.memory.read(BASE + GoldfishRtc.TIME_HIGH, 4) << 32 | low;
            long at = now + 2 * MS;
            realMachine.memory.write(BASE + GoldfishRtc.ALARM_HIGH, 4, at >>> 32);
            realMachine.memory.write(BASE + GoldfishRtc.ALARM_LOW, 4, at & 0xffff_ffffL);
            long deadline = System.nanoTime() + 10 * SECOND;
            while (!realPlic.line(IRQ).level() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(realPlic.line(IRQ).level(), "the alarm fired on the clock's thread");
            low = realMachine.memory.read(BASE + GoldfishRtc.TIME_LOW, 4);
            assertTrue((realMachine.memory.read(BASE + GoldfishRtc.TIME_HIGH, 4) << 32 | low) >= at);
        }
    }

    @Test
    void unknownOffsetsReadZeroAndIgnoreWrites() {
        wr(0x20, 0xffff_ffffL);
        wr(GoldfishRtc.ALARM_STATUS, 1);
        assertEquals(0, rd(0x20));
        assertEquals(0, rd(0xffc));
        assertEquals(0, rd(GoldfishRtc.CLEAR_ALARM));
        assertEquals(0, rd(GoldfishRtc.ALARM_STATUS));
    }

    @Test
    void resetTakesHostTimeAgainAndDisarms() {
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        setTime(0);
        setAlarm(MS);
        clock.advance(MS);
        assertTrue(line());
        setAlarm(time() + MS);
        long before = hostNanos();
        rtc.reset();
        long after = hostNanos();
        assertFalse(line());
        assertEquals(0, rd(GoldfishRtc.ALARM_STATUS));
        assertEquals(0, rd(GoldfishRtc.IRQ_ENABLED));
        long t = time();
        assertTrue(t >= before && t <= after);
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        clock.advance(SECOND);
        assertFalse(line(), "the alarm was disarmed");
    }

    @Test
    void unrealizeUnmapsDisarmsAndLowersTheLine() {
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        setAlarm(time());
        assertTrue(line());
        setAlarm(time() + MS);
        rtc.unrealize();
        assertFalse(line());
        assertTrue(machine.mappings().isEmpty());
        assertThrows(BusErrorException.class, () -> rd(GoldfishRtc.TIME_LOW));
        clock.advance(SECOND);
        assertFalse(line());
    }

    @Test
    void stateRoundTripsIntoAnotherMachine() throws Exception {
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        long y2k = 946_684_800L * SECOND;
        setTime(y2k);
        setAlarm(y2k + 10 * MS);
        clock.advance(4 * MS);
        rd(GoldfishRtc.TIME_LOW);
        DeviceState saved = rtc.saveState();
        assertEquals("goldfish-rtc", saved.schema());
        assertEquals(1, saved.version());
        assertEquals(y2k + 4 * MS, saved.getLong("time"));

        ManualClock otherClock = new ManualClock();
        otherClock.advance(42 * SECOND);
        TestMachine other = new TestMachine(otherClock);
        RecordingInterruptController otherPlic = new RecordingInterruptController(64);
        GoldfishRtc copy = create(other, otherPlic);
        copy.restoreState(saved);
        assertEquals(saved, copy.saveState());
        long low = other.memory.read(BASE + GoldfishRtc.TIME_LOW, 4);
        assertEquals(y2k + 4 * MS, other.memory.read(BASE + GoldfishRtc.TIME_HIGH, 4) << 32 | low);
        otherClock.advance(6 * MS - 1);
        assertFalse(otherPlic.line(IRQ).level());
        otherClock.advance(1);
        assertTrue(otherPlic.line(IRQ).level(), "the alarm kept its remaining time");
    }

    @Test
    void pendingInterruptIsRestoredOnTheLine() throws Exception {
        wr(GoldfishRtc.IRQ_ENABLED, 1);
        setAlarm(time());
        DeviceState saved = rtc.saveState();
        RecordingInterruptController otherPlic = new RecordingInterruptController(64);
        GoldfishRtc copy = create(new TestMachine(new ManualClock()), otherPlic);
        copy.restoreState(saved);
        assertTrue(otherPlic.line(IRQ).level());
    }

    @Test
    void impossibleStatesAreRefusedAndTheDeviceKeepsItsOwn() {
        setTime(12345 * SECOND);
        DeviceState good = rtc.saveState();
        Map<String, Object> fields = new LinkedHashMap<>(good.fields());
        fields.put("timeHigh", 1L << 32);
        InvalidStateException e = assertThrows(InvalidStateException.class,
                () -> rtc.restoreState(new DeviceState("goldfish-rtc", 1, fields)));
        assertTrue(e.getMessage().contains("timeHigh"), e.getMessage());
        Map<String, Object> missing = new LinkedHashMap<>(good.fields());
        missing.remove("alarmNext");
        assertThrows(InvalidStateException.class, () -> rtc.restoreState(new DeviceState("goldfish-rtc", 1, missing)));
        assertThrows(InvalidStateException.class, () -> rtc.restoreState(new DeviceState("ns16550a", 1, good.fields())));
        assertEquals(good, rtc.saveState());
    }
}
