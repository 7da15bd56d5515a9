package io.tessera.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void aQemuCommandLineBecomesTheMachineAndItsOptions() throws Exception {
        CommandLine line = CommandLine.parse(List.of("-machine", "virt", "-nographic", "-m", "512", "-smp", "2",
                "-bios", "fw_dynamic.bin", "-kernel", "Image", "-initrd", "initrd.cpio.gz", "-append", "console=ttyS0"), "none");
        assertEquals("virt", line.machineType());
        assertEquals(Map.of("memory", "512M", "smp", "2", "bios", "fw_dynamic.bin", "kernel", "Image",
                "initrd", "initrd.cpio.gz", "append", "console=ttyS0"), line.options());
        assertFalse(line.startPaused());
    }

    @Test
    void machinePropertiesSizesAndTheAcceleratorAreUnderstood() throws Exception {
        CommandLine line = CommandLine.parse(List.of("-M", "spike,smp=4", "-m", "size=1G", "-accel", "interp,thread=multi", "-S"), "none");
        assertEquals("spike", line.machineType());
        assertEquals(Map.of("smp", "4", "memory", "1G", "accel", "interp"), line.options());
        assertTrue(line.startPaused());
        assertEquals("none", CommandLine.parse(List.of("-nographic"), "none").machineType());
    }

    @Test
    void whatCannotBeHonouredIsRefusedWithWhatIsValid() {
        CommandLine.UsageException unknown = assertThrows(CommandLine.UsageException.class,
                () -> CommandLine.parse(List.of("-frobnicate"), "none"));
        assertTrue(unknown.getMessage().contains("unknown option '-frobnicate'; valid: -machine"), unknown.getMessage());
        CommandLine.UsageException missing = assertThrows(CommandLine.UsageException.class,
                () -> CommandLine.parse(List.of("-kernel"), "none"));
        assertEquals("option '-kernel' needs a value", missing.getMessage());
        CommandLine.UsageException serial = assertThrows(CommandLine.UsageException.class,
                () -> CommandLine.parse(List.of("-serial", "tcp::4444"), "none"));
        assertTrue(serial.getMessage().contains("valid: stdio, mon:stdio"), serial.getMessage());
        CommandLine.UsageException two = assertThrows(CommandLine.UsageException.class,
                () -> CommandLine.parse(List.of("-M", "virt", "-machine", "spike"), "none"));
        assertTrue(two.getMessage().contains("two boards"), two.getMessage());
    }
}
