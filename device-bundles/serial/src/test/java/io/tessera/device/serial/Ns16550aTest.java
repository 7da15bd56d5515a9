package io.tessera.device.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.chardev.CharDevice;
import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import io.tessera.core.memory.BusErrorException;
import io.tessera.core.memory.MmioRegion;
import io.tessera.core.runtime.chardev.RingBufferCharDevice;
import io.tessera.core.runtime.chardev.SocketCharDeviceBackend;
import io.tessera.device.testing.Configs;
import io.tessera.device.testing.ManualClock;
import io.tessera.device.testing.RecordingInterruptController;
import io.tessera.device.testing.TestMachine;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UART through the system address space, with no CPU: registers, FIFOs, interrupts, state. */
class Ns16550aTest {

    private static final long BASE = 0x1000_0000L;
    private static final int IRQ = 10;

    private ManualClock clock;
    private TestMachine machine;
    private RecordingInterruptController plic;
    private RingBufferCharDevice console;
    private Ns16550a uart;

    @BeforeEach
    void realize() {
        clock = new ManualClock();
        machine = new TestMachine(clock);
        plic = new RecordingInterruptController(64);
        console = new RingBufferCharDevice("serial0", 1 << 20);
        uart = create(machine, plic, console, Map.of());
    }

    private static Ns16550a create(TestMachine machine, RecordingInterruptController plic, CharDevice console,
            Map<String, Object> overrides) {
        return new Ns16550a(Configs.config(Ns16550a.Config.class, overrides), Configs.properties("uart0"), machine.machine(),
                plic, console);
    }

    private int rd(int reg) {
        return (int) machine.memory.read(BASE + reg, 1);
    }

    private void wr(int reg, int value) {
        machine.memory.write(BASE + reg, 1, value);
    }

    private boolean line() {
        return plic.line(IRQ).level();
    }

    private void input(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        console.inject(bytes, 0, bytes.length);
    }

    private String output() {
        return new String(console.drain(), StandardCharsets.ISO_8859_1);
    }

    /** Loops back {@code count} bytes 0, 1, 2, ... through THR. */
    private void loopBytes(int count) {
        for (int i = 0; i < count; i++) {
            wr(Ns16550a.THR, i);
        }
    }

    @Test
    void defaultsAreThoseOfQemuVirt() throws Exception {
        assertEquals(0x1000_0000L, Ns16550a.Config.class.getMethod("base").getDefaultValue());
        assertEquals(10, Ns16550a.Config.class.getMethod("irq").getDefaultValue());
        assertEquals(0, Ns16550a.Config.class.getMethod("reg$_$shift").getDefaultValue());
        var mapping = machine.mappings().getFirst();
        assertEquals("uart0", mapping.owner());
        assertEquals(BASE, mapping.base());
        assertEquals(0x100, mapping.region().size());
        assertEquals(MmioRegion.SIZE_1, ((MmioRegion) mapping.region()).accessSizes());
        assertEquals("ns16550a", uart.type());
        assertEquals("uart0", uart.id());
    }

    @Test
    void powerOnValuesAreThoseOfQemu() {
        assertEquals(0x00, rd(Ns16550a.IER));
        assertEquals(0x01, rd(Ns16550a.IIR));
        assertEquals(0x00, rd(Ns16550a.LCR));
        assertEquals(0x08, rd(Ns16550a.MCR));
        assertEquals(0x60, rd(Ns16550a.LSR));
        assertEquals(0xb0, rd(Ns16550a.MSR));
        assertEquals(0x00, rd(Ns16550a.SCR));
        wr(Ns16550a.LCR, 0x80);
        assertEquals(0x0c, rd(Ns16550a.DLL));
        assertEquals(0x00, rd(Ns16550a.DLM));
        assertFalse(line());
    }

    @Test
    void transmittedBytesGoToTheCharacterDeviceAtOnce() {
        for (byte b : "hello\n".getBytes(StandardCharsets.US_ASCII)) {
            wr(Ns16550a.THR, b);
            assertEquals(0x60, rd(Ns16550a.LSR) & 0x60, "THRE and TEMT again as soon as the write returns");
        }
        assertEquals("hello\n", output());
    }

    @Test
    void loopbackEchoesIntoTheReceiverAndNotOut() {
        wr(Ns16550a.MCR, Ns16550a.MCR_LOOP | Ns16550a.MCR_OUT2 | Ns16550a.MCR_RTS);
        assertEquals(0x90, rd(Ns16550a.MSR) & 0xf0, "Linux's loopback probe: OUT2 reads as DCD, RTS as CTS");
        wr(Ns16550a.THR, 'A');
        assertEquals(0x61, rd(Ns16550a.LSR), "DR, THRE, TEMT");
        assertEquals('A', rd(Ns16550a.RBR));
        assertEquals(0x60, rd(Ns16550a.LSR));
        assertEquals("", output(), "nothing leaves the chip in loopback");

        input("x");
        assertEquals(0x60, rd(Ns16550a.LSR), "host input waits while in loopback");
        wr(Ns16550a.MCR, Ns16550a.MCR_OUT2);
        assertEquals(0x61, rd(Ns16550a.LSR));
        assertEquals('x', rd(Ns16550a.RBR));
        wr(Ns16550a.THR, 'B');
        assertEquals("B", output());
    }

    @Test
    void divisorLatchSharesOffsetsZeroAndOneWhileDlabIsSet() {
        wr(Ns16550a.IER, 0x05);
        wr(Ns16550a.LCR, 0x83);
        wr(Ns16550a.DLL, 0x34);
        wr(Ns16550a.DLM, 0x12);
        assertEquals(0x34, rd(Ns16550a.DLL));
        assertEquals(0x12, rd(Ns16550a.DLM));
        assertEquals("", output(), "a DLL write is no transmission");
        wr(Ns16550a.LCR, 0x03);
        assertEquals(0x05, rd(Ns16550a.IER), "IER was kept behind DLM");
        assertEquals(0x03, rd(Ns16550a.LCR));
        wr(Ns16550a.THR, 'z');
        assertEquals("z", output());
        wr(Ns16550a.LCR, 0x80);
        assertEquals(0x34, rd(Ns16550a.DLL), "a THR write leaves the divisor alone");
        assertEquals(0x12, rd(Ns16550a.DLM));
    }

    @Test
    void registersRepeatEveryEightBytesAndScratchKeepsItsValue() {
        wr(Ns16550a.SCR, 0xa5);
        assertEquals(0xa5, rd(Ns16550a.SCR));
        assertEquals(0xa5, rd(0xf8 + Ns16550a.SCR));
        assertEquals(0x60, rd(0x40 + Ns16550a.LSR));
    }

    @Test
    void wideAccessesAreSplitIntoRegisterAccesses() {
        // A 32-bit read at 4 reads MCR, LSR, MSR and SCR, as four byte lanes would.
        wr(Ns16550a.SCR, 0x5a);
        assertEquals(0x5a_b0_60_08L, machine.memory.read(BASE + 4, 4));
    }

    @Test
    void fifoRaisesReceivedDataAtEachTriggerLevel() {
        int[] levels = {1, 4, 8, 14};
        wr(Ns16550a.MCR, Ns16550a.MCR_LOOP);
        wr(Ns16550a.IER, Ns16550a.IER_RDI);
        for (int i = 0; i < levels.length; i++) {
            wr(Ns16550a.FCR, i << 6 | Ns16550a.FCR_FE | Ns16550a.FCR_RFR);
            loopBytes(levels[i] - 1);
            assertEquals(0xc1, rd(Ns16550a.IIR), "below trigger level " + levels[i]);
            assertFalse(line());
            wr(Ns16550a.THR, 0x55);
            assertEquals(0xc4, rd(Ns16550a.IIR), "at trigger level " + levels[i]);
            assertTrue(line());
            rd(Ns16550a.RBR);
            assertEquals(0xc1, rd(Ns16550a.IIR), "below again after one read, level " + levels[i]);
            assertFalse(line());
        }
    }

    @Test
    void fifoHoldsSixteenBytesInOrder() {
        wr(Ns16550a.FCR, 0xc1);
        wr(Ns16550a.MCR, Ns16550a.MCR_LOOP);
        loopBytes(16);
        for (int i = 0; i < 16; i++) {
            assertEquals(0x61, rd(Ns16550a.LSR), "byte " + i);
            assertEquals(i, rd(Ns16550a.RBR));
        }
        assertEquals(0x60, rd(Ns16550a.LSR));
        assertEquals(0, rd(Ns16550a.RBR), "an empty FIFO reads as zero");
    }

    @Test
    void hostInputFillsTheFifoUpToTheTriggerLevelThenWaitsForTheGuest() {
        wr(Ns16550a.FCR, 0x81); // trigger level 8
        wr(Ns16550a.IER, Ns16550a.IER_RDI);
        input("abcdefghijklmnopqrstuvwxyz");
        assertEquals(0xc4, rd(Ns16550a.IIR));
        assertTrue(line());
        StringBuilder got = new StringBuilder();
        while ((rd(Ns16550a.LSR) & Ns16550a.LSR_DR) != 0) {
            got.append((char) rd(Ns16550a.RBR));
        }
        assertEquals("abcdefghijklmnopqrstuvwxyz", got.toString(), "nothing lost, nothing reordered");
        assertEquals(0, rd(Ns16550a.LSR) & Ns16550a.LSR_OE);
        assertFalse(line());
    }

    @Test
    void hostInputWithoutFifoWaitsForEachByteToBeRead() {
        input("hi");
        assertEquals(0x61, rd(Ns16550a.LSR));
        assertEquals('h', rd(Ns16550a.RBR));
        assertEquals(0x61, rd(Ns16550a.LSR), "the next byte moved in, with no overrun");
        assertEquals('i', rd(Ns16550a.RBR));
        assertEquals(0x60, rd(Ns16550a.LSR));
    }

    @Test
    void characterTimeoutAfterFourCharacterTimes() {
        // 8N1 at divisor 1: 399193 baud, 10 bits, 25050 ns a character, 100200 ns for four.
        wr(Ns16550a.LCR, 0x83);
        wr(Ns16550a.DLL, 1);
        wr(Ns16550a.DLM, 0);
        wr(Ns16550a.LCR, 0x03);
        wr(Ns16550a.FCR, 0xc1); // trigger level 14
        wr(Ns16550a.IER, Ns16550a.IER_RDI);
        input("abc");
        assertEquals(0xc1, rd(Ns16550a.IIR));
        clock.advance(100_199);
        assertEquals(0xc1, rd(Ns16550a.IIR));
        assertFalse(line());
        clock.advance(1);
        assertEquals(0xcc, rd(Ns16550a.IIR), "character timeout");
        assertTrue(line());
        assertEquals('a', rd(Ns16550a.RBR));
        assertEquals(0xc1, rd(Ns16550a.IIR), "a read ends the timeout indication and restarts the count");
        clock.advance(100_200);
        assertEquals(0xcc, rd(Ns16550a.IIR));
        assertEquals('b', rd(Ns16550a.RBR));
        assertEquals('c', rd(Ns16550a.RBR));
        clock.advance(1_000_000);
        assertEquals(0xc1, rd(Ns16550a.IIR), "no timeout with the FIFO empty");
        assertFalse(line());
    }

    @Test
    void characterTimeoutIsMaskedWithReceivedDataInterrupts() {
        wr(Ns16550a.FCR, 0xc1);
        input("a");
        clock.advance(10_000_000);
        assertEquals(0xc1, rd(Ns16550a.IIR));
        wr(Ns16550a.IER, Ns16550a.IER_RDI);
        assertEquals(0xcc, rd(Ns16550a.IIR), "pending, and shown once ERBFI is set");
    }

    @Test
    void interruptIdentificationFollowsThePriorities() {
        wr(Ns16550a.FCR, 0x01); // FIFO, trigger level 1
        wr(Ns16550a.MCR, Ns16550a.MCR_LOOP | Ns16550a.MCR_OUT2);
        wr(Ns16550a.IER, 0x0f);
        wr(Ns16550a.MCR, Ns16550a.MCR_LOOP | Ns16550a.MCR_OUT2 | Ns16550a.MCR_RTS); // CTS changes: DCTS
        loopBytes(17); // the 17th overruns

        assertEquals(0xc6, rd(Ns16550a.IIR), "receiver line status first");
        assertTrue(line());
        assertEquals(0x63, rd(Ns16550a.LSR), "OE, DR, THRE, TEMT");
        assertEquals(0xc4, rd(Ns16550a.IIR), "then received data");
        for (int i = 0; i < 16; i++) {
            assertEquals(i, rd(Ns16550a.RBR));
        }
        assertEquals(0xc2, rd(Ns16550a.IIR), "then THR empty; reading IIR acknowledges it");
        assertEquals(0xc0, rd(Ns16550a.IIR), "then modem status");
        assertTrue(line());
        assertEquals(0x91, rd(Ns16550a.MSR), "DCD and CTS from OUT2 and RTS, DCTS");
        assertEquals(0xc1, rd(Ns16550a.IIR), "nothing left");
        assertFalse(line());
        assertEquals(0x90, rd(Ns16550a.MSR), "delta bits cleared by reading");
    }

    @Test
    void lineStatusInterruptNeedsElsi() {
        wr(Ns16550a.MCR, Ns16550a.MCR_LOOP);
        wr(Ns16550a.IER, Ns16550a.IER_RDI);
        loopBytes(2);
        assertEquals(0x04, rd(Ns16550a.IIR), "overrun, but only received data is enabled");
        wr(Ns16550a.IER, Ns16550a.IER_RDI | Ns16550a.IER_RLSI);
        assertEquals(0x06, rd(Ns16550a.IIR));
    }

    @Test
    void enablingEtbeiWithThrEmptyRaisesThreEvenAfterAcknowledgement() {
        assertEquals(0x01, rd(Ns16550a.IIR));
        wr(Ns16550a.IER, Ns16550a.IER_THRI);
        assertTrue(line(), "THRE interrupt as soon as ETBEI is set");
        assertEquals(0x02, rd(Ns16550a.IIR), "reading IIR acknowledges THRE");
        assertFalse(line());
        assertEquals(0x01, rd(Ns16550a.IIR));
        // Linux's 8250 startup test: IER off and on again must raise THRE again.
        wr(Ns16550a.IER, 0);
        wr(Ns16550a.IER, Ns16550a.IER_THRI);
        assertTrue(line());
        assertEquals(0x02, rd(Ns16550a.IIR));
        int raises = plic.line(IRQ).raises();
        wr(Ns16550a.THR, 'x');
        assertEquals(raises + 1, plic.line(IRQ).raises(), "each transmitted byte leaves THR empty again");
        wr(Ns16550a.IER, 0);
        assertFalse(line());
    }

    @Test
    void writingThrAcknowledgesAndReraisesThre() {
        wr(Ns16550a.IER, Ns16550a.IER_THRI);
        wr(Ns16550a.THR, 'a');
        assertEquals(0x02, rd(Ns16550a.IIR));
        assertFalse(line());
        wr(Ns16550a.THR, 'b');
        assertTrue(line());
        assertEquals("ab", output());
    }

    @Test
    void overrunWithoutFifoKeepsTheNewestByteAndSetsOe() {
        wr(Ns16550a.MCR, Ns16550a.MCR_LOOP);
        wr(Ns16550a.THR, 1);
        wr(Ns16550a.THR, 2);
        assertEquals(0x63, rd(Ns16550a.LSR));
        assertEquals(0x61, rd(Ns16550a.LSR), "reading LSR clears OE");
        assertEquals(2, rd(Ns16550a.RBR));
    }

    @Test
    void overrunWithFifoKeepsTheFirstSixteenBytes() {
        wr(Ns16550a.FCR, 0x01);
        wr(Ns16550a.MCR, Ns16550a.MCR_LOOP);
        loopBytes(17);
        assertEquals(Ns16550a.LSR_OE, rd(Ns16550a.LSR) & Ns16550a.LSR_OE);
        for (int i = 0; i < 16; i++) {
            assertEquals(i, rd(Ns16550a.RBR));
        }
        assertEquals(0x60, rd(Ns16550a.LSR));
    }

    @Test
    void hostInputBeyondTheBufferIsDroppedWithOverrun() {
        byte[] flood = new byte[Ns16550a.HOST_INPUT_CAPACITY + 10];
        for (int i = 0; i < flood.length; i++) {
            flood[i] = (byte) i;
        }
        console.inject(flood, 0, flood.length);
        assertEquals(0x63, rd(Ns16550a.LSR), "the guest did not read: bytes were lost");
        int count = 0;
        while ((rd(Ns16550a.LSR) & Ns16550a.LSR_DR) != 0) {
            assertEquals(count & 0xff, rd(Ns16550a.RBR), "byte " + count);
            count++;
        }
        assertEquals(Ns16550a.HOST_INPUT_CAPACITY, count, "as much as the buffer holds; the newest bytes dropped");
    }

    @Test
    void fifoControlClearsTheReceiverAndSwitchingClearsBoth() {
        wr(Ns16550a.FCR, 0x01);
        wr(Ns16550a.MCR, Ns16550a.MCR_LOOP);
        loopBytes(3);
        wr(Ns16550a.FCR, 0x01 | Ns16550a.FCR_RFR);
        assertEquals(0x60, rd(Ns16550a.LSR));
        loopBytes(2);
        wr(Ns16550a.FCR, 0x00);
        assertEquals(0x60, rd(Ns16550a.LSR), "disabling the FIFOs empties them");
        assertEquals(0x01, rd(Ns16550a.IIR), "no FIFO bits in IIR");
    }

    @Test
    void inputFromAnotherThreadArrivesWhole() throws Exception {
        byte[] text = new byte[20_000];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ('a' + i % 26);
        }
        wr(Ns16550a.FCR, 0xc1);
        Thread typist = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < text.length; i += 7) {
                console.inject(text, i, Math.min(7, text.length - i));
            }
        });
        byte[] got = new byte[text.length];
        int n = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (n < got.length && System.nanoTime() < deadline) {
            if ((rd(Ns16550a.LSR) & Ns16550a.LSR_DR) != 0) {
                got[n++] = (byte) rd(Ns16550a.RBR);
            }
        }
        typist.join();
        assertArrayEquals(text, got);
        assertEquals(0, rd(Ns16550a.LSR) & Ns16550a.LSR_OE);
    }

    @Test
    void regShiftTwoSpacesRegistersFourBytesApartAndTakesWordAccesses() {
        TestMachine other = new TestMachine(clock);
        RingBufferCharDevice out = new RingBufferCharDevice("serial0", 64);
        create(other, plic, out, Map.of("reg$_$shift", 2));
        assertEquals(MmioRegion.ALL_SIZES, ((MmioRegion) other.mappings().getFirst().region()).accessSizes());
        other.memory.write(BASE + 4 * Ns16550a.SCR, 4, 0x1234_5677L);
        assertEquals(0x77, other.memory.read(BASE + 4 * Ns16550a.SCR, 4), "one register, its low byte");
        assertEquals(0x60, other.memory.read(BASE + 4 * Ns16550a.LSR, 4));
        other.memory.write(BASE, 4, 'w');
        assertArrayEquals(new byte[] {'w'}, out.drain());
    }

    @Test
    void regShiftThatDoesNotFitIsRefused() {
        TestMachine other = new TestMachine(clock);
        assertThrows(IllegalArgumentException.class, () -> create(other, plic, console, Map.of("reg$_$shift", 6)));
        assertThrows(IllegalArgumentException.class, () -> create(other, plic, console, Map.of("reg$_$shift", -1)));
        assertTrue(other.mappings().isEmpty());
    }

    @Test
    void unrealizeUnmapsLowersTheLineAndDisconnects() {
        wr(Ns16550a.IER, Ns16550a.IER_THRI);
        assertTrue(line());
        uart.unrealize();
        assertFalse(line());
        assertTrue(machine.mappings().isEmpty());
        assertThrows(BusErrorException.class, () -> rd(Ns16550a.LSR));
        input("ignored");
    }

    @Test
    void resetRestoresPowerOnValues() {
        wr(Ns16550a.LCR, 0x83);
        wr(Ns16550a.DLL, 1);
        wr(Ns16550a.LCR, 0x1b);
        wr(Ns16550a.FCR, 0xc1);
        wr(Ns16550a.MCR, Ns16550a.MCR_LOOP);
        wr(Ns16550a.IER, 0x0f);
        wr(Ns16550a.SCR, 0x42);
        loopBytes(3);
        assertTrue(line());
        uart.reset();
        assertFalse(line());
        assertEquals(0x00, rd(Ns16550a.IER));
        assertEquals(0x01, rd(Ns16550a.IIR));
        assertEquals(0x00, rd(Ns16550a.LCR));
        assertEquals(0x08, rd(Ns16550a.MCR));
        assertEquals(0x60, rd(Ns16550a.LSR));
        assertEquals(0xb0, rd(Ns16550a.MSR));
        assertEquals(0x00, rd(Ns16550a.SCR));
    }

    @Test
    void stateRoundTripsIntoAFreshInstance() throws Exception {
        wr(Ns16550a.LCR, 0x83);
        wr(Ns16550a.DLL, 1);
        wr(Ns16550a.DLM, 0);
        wr(Ns16550a.LCR, 0x03);
        wr(Ns16550a.FCR, 0xc1);
        wr(Ns16550a.IER, Ns16550a.IER_RDI | Ns16550a.IER_THRI);
        wr(Ns16550a.SCR, 0x77);
        input("0123456789abcdefghijklmnopqrstuvwxyz"); // 14 in the FIFO, 22 waiting
        rd(Ns16550a.RBR);
        clock.advance(50_000); // timeout armed, half gone
        DeviceState saved = uart.saveState();
        assertEquals("ns16550a", saved.schema());
        assertEquals(1, saved.version());
        assertEquals(50_200L, saved.getLong("timeoutRemaining"));

        ManualClock otherClock = new ManualClock();
        otherClock.advance(123_456_789);
        TestMachine other = new TestMachine(otherClock);
        RecordingInterruptController otherPlic = new RecordingInterruptController(64);
        RingBufferCharDevice otherConsole = new RingBufferCharDevice("serial0", 64);
        Ns16550a copy = create(other, otherPlic, otherConsole, Map.of());
        copy.restoreState(saved);
        assertEquals(saved, copy.saveState());
        assertEquals(line(), otherPlic.line(IRQ).level(), "the line is driven as it was");

        otherClock.advance(50_200);
        assertEquals(0xcc, other.memory.read(BASE + Ns16550a.IIR, 1), "the timeout kept its remaining time");
        StringBuilder got = new StringBuilder();
        while ((other.memory.read(BASE + Ns16550a.LSR, 1) & Ns16550a.LSR_DR) != 0) {
            got.append((char) other.memory.read(BASE + Ns16550a.RBR, 1));
        }
        assertEquals("123456789abcdefghijklmnopqrstuvwxyz", got.toString());
        other.memory.write(BASE + Ns16550a.LCR, 1, 0x80);
        assertEquals(1, other.memory.read(BASE + Ns16550a.DLL, 1));
    }

    @Test
    void impossibleStatesAreRefusedAndTheDeviceKeepsItsOwn() {
        wr(Ns16550a.SCR, 0x33);
        DeviceState good = uart.saveState();
        Map<String, Object> bad = new LinkedHashMap<>(good.fields());
        assertRefused(good, "ier", 0x10);
        assertRefused(good, "divisor", 0x10000);
        assertRefused(good, "fcr", 0x02);
        assertRefused(good, "rxFifo", new byte[3]); // FIFOs disabled
        assertRefused(good, "timeoutRemaining", -5L);
        Map<String, Object> overfull = new HashMap<>(bad);
        overfull.put("fcr", 0x01);
        overfull.put("lsr", 0x61);
        overfull.put("rxFifo", new byte[17]);
        assertThrows(InvalidStateException.class, () -> uart.restoreState(new DeviceState("ns16550a", 1, overfull)));
        Map<String, Object> noDataReady = new HashMap<>(bad);
        noDataReady.put("fcr", 0x01);
        noDataReady.put("rxFifo", new byte[2]);
        assertThrows(InvalidStateException.class, () -> uart.restoreState(new DeviceState("ns16550a", 1, noDataReady)));
        assertThrows(InvalidStateException.class, () -> uart.restoreState(new DeviceState("ns16550a", 2, good.fields())));
        assertEquals(good, uart.saveState());
        assertEquals(0x33, rd(Ns16550a.SCR));
    }

    private void assertRefused(DeviceState good, String field, Object value) {
        Map<String, Object> fields = new LinkedHashMap<>(good.fields());
        fields.put(field, value);
        InvalidStateException e = assertThrows(InvalidStateException.class,
                () -> uart.restoreState(new DeviceState(good.schema(), good.version(), fields)));
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    /**
     * Input flow control end to end: a peer sends three times what the host-side buffer holds
     * through a real unix socket; the socket backend holds back what does not fit, and the
     * guest, reading RBR, gets every byte in order, with no overrun.
     */
    @Test
    void inputFromABackendThatCanWaitIsNeverDropped(@TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path path = dir.resolve("uart.sock");
        byte[] sent = new byte[3 * Ns16550a.HOST_INPUT_CAPACITY + 123];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + (i >>> 8));
        }
        TestMachine board = new TestMachine(new ManualClock());
        try (CharDevice socket = new SocketCharDeviceBackend().open("serial0",
                Map.of("path", path.toString(), "server", "on", "wait", "off"));
                java.nio.channels.SocketChannel peer = java.nio.channels.SocketChannel.open(
                        java.net.UnixDomainSocketAddress.of(path))) {
            create(board, new RecordingInterruptController(64), socket, Map.of());
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    // Blocks while the UART holds the backend back: that is the flow control.
                    peer.write(java.nio.ByteBuffer.wrap(sent));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            int lsrSeen = 0;
            while (got.size() < sent.length) {
                assertTrue(System.nanoTime() < deadline, "only " + got.size() + " of " + sent.length + " bytes arrived");
                int lsr = (int) board.memory.read(BASE + Ns16550a.LSR, 1);
                lsrSeen |= lsr;
                if ((lsr & Ns16550a.LSR_DR) != 0) {
                    got.write((int) board.memory.read(BASE + Ns16550a.RBR, 1));
                } else {
                    Thread.sleep(1);
                }
            }
            sender.join();
            assertArrayEquals(sent, got.toByteArray());
            assertEquals(0, lsrSeen & Ns16550a.LSR_OE, "no overrun");
        }
    }
}
