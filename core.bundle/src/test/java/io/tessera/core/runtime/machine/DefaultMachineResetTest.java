package io.tessera.core.runtime.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.isa.Cpu;
import io.tessera.core.isa.Isa;
import io.tessera.core.isa.RegisterInfo;
import io.tessera.core.machine.MachineAssembly;
import io.tessera.core.machine.MachineState;
import io.tessera.core.memory.RamRegion;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Machine reset without an accelerator: what is reset, in which order, and what the images become. */
class DefaultMachineResetTest {

    private static final long RAM_BASE = 0x8000_0000L;
    private static final long RESET_VECTOR = 0x1000;

    /** What happened during resets, in order. */
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final DefaultMachine machine = new DefaultMachine("m", "test", Map.of(), m -> {
        throw new AssertionError("no accelerator in this test");
    }, m -> events.add("devices"));
    private final FakeCpu cpu = new FakeCpu();

    @AfterEach
    void dispose() {
        machine.dispose();
    }

    private MachineAssembly boardWithAnImage() {
        MachineAssembly assembly = machine.assembly();
        RamRegion ram = RamRegion.ram("ram", 0x10000);
        assembly.closeOnDestroy(ram);
        assembly.systemBus().map("board", RAM_BASE, ram);
        assembly.addCpu(cpu);
        assembly.loadImage(RAM_BASE + 0x100, new byte[] {1, 2, 3, 4});
        assembly.onReset(() -> {
            events.add("board");
            cpu.setPc(RESET_VECTOR);
        });
        return assembly;
    }

    @Test
    void resetPutsTheImagesBackResetsCpusThenDevicesThenRunsTheBoardsSteps() {
        MachineAssembly assembly = boardWithAnImage();
        assertEquals(0x04030201L, assembly.memory().read(RAM_BASE + 0x100, 4));
        // The guest overwrites its firmware and moves on.
        assembly.memory().write(RAM_BASE + 0x100, 4, 0xdeadbeefL);
        cpu.setPc(RAM_BASE + 0x2000);
        machine.reset();
        assertEquals(0x04030201L, assembly.memory().read(RAM_BASE + 0x100, 4));
        assertEquals(List.of("cpu", "devices", "board"), events);
        assertEquals(RESET_VECTOR, cpu.pc());
        assertEquals(MachineState.CREATED, machine.state());
    }

    @Test
    void aRequestedResetHappensOnAThreadOfTheMachines() throws Exception {
        boardWithAnImage();
        machine.requestReset();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!events.contains("board")) {
            assertTrue(System.nanoTime() < deadline, "the requested reset did not happen");
            Thread.sleep(5);
        }
        assertTrue(cpu.resetThread.startsWith("machine-m-reset"), cpu.resetThread);
    }

    @Test
    void aShutDownMachineCannotBeResetAndRequestsAreIgnored() {
        boardWithAnImage();
        machine.shutdown();
        IllegalStateException e = assertThrows(IllegalStateException.class, machine::reset);
        assertEquals("machine 'm' is shut down; it cannot be reset", e.getMessage());
        machine.requestReset();
        assertTrue(events.isEmpty());
    }

    @Test
    void withRebootOffAGuestsResetRequestShutsTheMachineDown() {
        DefaultMachine noReboot = new DefaultMachine("n", "test", Map.of(MachineManagerImpl.REBOOT_OPTION, "off"), m -> {
            throw new AssertionError("no accelerator in this test");
        }, m -> events.add("devices"));
        try {
            noReboot.requestReset();
            assertEquals(MachineState.SHUTDOWN, noReboot.state());
            assertTrue(events.isEmpty());
        } finally {
            noReboot.dispose();
        }
    }

    /** A CPU that records its resets. */
    private final class FakeCpu implements Cpu {
        private long pc;
        private volatile String resetThread = "";

        @Override
        public int index() {
            return 0;
        }

        @Override
        public Isa isa() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<RegisterInfo> registers() {
            return List.of();
        }

        @Override
        public long readRegister(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void writeRegister(String name, long value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long pc() {
            return pc;
        }

        @Override
        public void setPc(long pc) {
            this.pc = pc;
        }

        @Override
        public void reset() {
            pc = 0;
            resetThread = Thread.currentThread().getName();
            events.add("cpu");
        }
    }
}
