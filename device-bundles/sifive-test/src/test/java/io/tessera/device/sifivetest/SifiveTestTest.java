package io.tessera.device.sifivetest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import io.tessera.core.memory.BusErrorException;
import io.tessera.core.memory.MmioRegion;
import io.tessera.device.testing.Configs;
import io.tessera.device.testing.TestMachine;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test finisher through the system address space: what each write does to the machine. */
class SifiveTestTest {

    private static final long BASE = 0x10_0000L;

    private TestMachine machine;
    private SifiveTest finisher;
    /** For each exit or shutdown: whether the ending thread held the finisher's monitor. */
    private final List<Boolean> endedHoldingFinisher = new CopyOnWriteArrayList<>();

    @BeforeEach
    void realize() {
        machine = new TestMachine();
        finisher = create(machine);
        machine.whenEnded(() -> endedHoldingFinisher.add(Thread.holdsLock(finisher)));
    }

    private static SifiveTest create(TestMachine machine) {
        return new SifiveTest(Configs.config(SifiveTest.Config.class, Map.of()), Configs.properties("test0"), machine.machine());
    }

    @Test
    void defaultsAreThoseOfQemuVirt() throws Exception {
        assertEquals(0x10_0000L, SifiveTest.Config.class.getMethod("base").getDefaultValue());
        var mapping = machine.mappings().getFirst();
        assertEquals(BASE, mapping.base());
        assertEquals(0x1000, mapping.region().size());
        assertEquals(MmioRegion.SIZE_2 | MmioRegion.SIZE_4, ((MmioRegion) mapping.region()).accessSizes());
        assertEquals("sifive-test", finisher.type());
        assertEquals("test0", finisher.id());
    }

    @Test
    void passExitsWithStatusZero() {
        machine.memory.write(BASE, 4, 0x5555);
        assertEquals(List.of(0), machine.exits);
    }

    @Test
    void passIgnoresTheCodeBits() {
        machine.memory.write(BASE, 4, 0x0042_5555);
        assertEquals(List.of(0), machine.exits);
    }

    @Test
    void failExitsWithTheCodeInTheHighHalf() {
        machine.memory.write(BASE, 4, 0x0003_3333);
        assertEquals(List.of(3), machine.exits);
    }

    @Test
    void failTakesSixteenBitCodes() {
        machine.memory.write(BASE, 4, 0xffff_3333L);
        assertEquals(List.of(0xffff), machine.exits);
    }

    @Test
    void openSbisSixteenBitPowerOffWorks() {
        machine.memory.write(BASE, 2, 0x5555);
        assertEquals(List.of(0), machine.exits);
    }

    @Test
    void sixtyFourBitWriteUsesItsLowWord() {
        machine.memory.write(BASE, 8, 0x0000_0000_0007_3333L);
        assertEquals(List.of(7), machine.exits);
    }

    @Test
    void resetAsksTheMachineForAResetAndEndsNothing() {
        machine.memory.write(BASE, 2, 0x7777);
        assertEquals(List.of(Thread.currentThread().getName()), machine.resetRequests);
        assertTrue(machine.shutdowns.isEmpty());
        assertTrue(machine.exits.isEmpty());
        assertEquals(0, finisher.ignoredWrites());
    }

    @Test
    void theMachineIsEndedOnTheWritingThreadHoldingNoDeviceLock() {
        machine.memory.write(BASE, 4, 0x0001_3333);
        machine.memory.write(BASE, 4, 0x5555);
        assertEquals(List.of(false, false), endedHoldingFinisher);
    }

    @Test
    void otherValuesAndOffsetsAreIgnoredAndCounted() {
        machine.memory.write(BASE, 4, 0x1234);
        machine.memory.write(BASE, 4, 0x3334);
        machine.memory.write(BASE, 4, 0);
        machine.memory.write(BASE + 4, 4, 0x5555);
        machine.memory.write(BASE + 0xffc, 2, 0x3333);
        assertTrue(machine.exits.isEmpty());
        assertTrue(machine.shutdowns.isEmpty());
        assertEquals(5, finisher.ignoredWrites());
    }

    @Test
    void readsReturnZero() {
        machine.memory.write(BASE, 4, 0x1234);
        assertEquals(0, machine.memory.read(BASE, 4));
        assertEquals(0, machine.memory.read(BASE, 2));
        assertEquals(0, machine.memory.read(BASE, 1));
        assertEquals(0, machine.memory.read(BASE + 0x800, 8));
        assertTrue(machine.exits.isEmpty());
    }

    @Test
    void unrealizeUnmaps() {
        finisher.unrealize();
        assertTrue(machine.mappings().isEmpty());
        assertThrows(BusErrorException.class, () -> machine.memory.write(BASE, 4, 0x5555));
        assertTrue(machine.exits.isEmpty());
    }

    @Test
    void stateRoundTripsAndResetKeepsTheCount() throws Exception {
        machine.memory.write(BASE, 4, 1);
        machine.memory.write(BASE, 4, 2);
        finisher.reset();
        DeviceState saved = finisher.saveState();
        assertEquals("sifive-test", saved.schema());
        assertEquals(1, saved.version());
        assertEquals(2L, saved.getLong("ignoredWrites"));
        SifiveTest copy = create(new TestMachine());
        copy.restoreState(saved);
        assertEquals(saved, copy.saveState());
        assertEquals(2, copy.ignoredWrites());
    }

    @Test
    void impossibleStatesAreRefused() {
        DeviceState good = finisher.saveState();
        InvalidStateException e = assertThrows(InvalidStateException.class,
                () -> finisher.restoreState(new DeviceState("sifive-test", 1, Map.of("ignoredWrites", -1L))));
        assertTrue(e.getMessage().contains("ignoredWrites"), e.getMessage());
        assertThrows(InvalidStateException.class,
                () -> finisher.restoreState(new DeviceState("sifive-test", 1, Map.of("ignoredWrites", 1))));
        assertEquals(good, finisher.saveState());
    }
}
