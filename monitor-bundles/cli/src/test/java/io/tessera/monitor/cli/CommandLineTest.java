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
        CommandLine line = CommandLine.parse(List.of("-M", "spike,smp=4", "-m", "size=1G", "-accel", "tcg,threshold=0,cache=64M", "-S"), "none");
        assertEquals("spike", line.machineType());
        assertEquals(Map.of("smp", "4", "memory", "1G", "accel", "tcg,threshold=0,cache=64M"), line.options());
        assertTrue(line.startPaused());
        assertEquals("none", CommandLine.parse(List.of("-nographic"), "none").machineType());
        assertEquals(Map.of("reboot", "off"), CommandLine.parse(List.of("-no-reboot"), "none").options());
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
                () -> CommandLine.parse(List.of("-serial", "pty"), "none"));
        assertTrue(serial.getMessage().contains("valid: stdio, mon:stdio, null, none, file:PATH, tcp:HOST:PORT"), serial.getMessage());
        CommandLine.UsageException two = assertThrows(CommandLine.UsageException.class,
                () -> CommandLine.parse(List.of("-M", "virt", "-machine", "spike"), "none"));
        assertTrue(two.getMessage().contains("two boards"), two.getMessage());
    }

    @Test
    void serialTakesSocketsAndChardevsWhichTheChardevOptionDefines() throws Exception {
        assertEquals("tcp::4444,server,nowait", CommandLine.parse(List.of("-serial", "tcp::4444,server,nowait"), "none").serial());
        assertEquals("unix:/tmp/c.sock,server=on", CommandLine.parse(List.of("-serial", "unix:/tmp/c.sock,server=on"), "none").serial());
        CommandLine line = CommandLine.parse(List.of("-chardev", "socket,id=con,host=127.0.0.1,port=4444,server=on,wait=off",
                "-chardev", "file,path=/tmp/log,id=log", "-chardev", "null,id=quiet", "-serial", "chardev:con"), "virt");
        assertEquals("chardev:con", line.serial());
        assertEquals(List.of("con", "log", "quiet"), List.copyOf(line.charDevices().keySet()));
        assertEquals("socket,host=127.0.0.1,port=4444,server=on,wait=off", line.charDevices().get("con"));
        assertEquals("file,path=/tmp/log", line.charDevices().get("log"));
        assertEquals("null", line.charDevices().get("quiet"));
    }

    @Test
    void chardevMistakesAreNamedWithWhatIsValid() {
        assertUsage(List.of("-chardev", "socket,port=4444"), "'-chardev socket,port=4444' has no id; use -chardev socket,id=ID[,options]");
        assertUsage(List.of("-chardev", "id=c0"), "names no backend; use -chardev BACKEND,id=ID[,options] with BACKEND one of null, file");
        assertUsage(List.of("-chardev", "null,id=c0", "-chardev", "file,path=/x,id=c0"), "id=c0 is taken by '-chardev null'");
        assertUsage(List.of("-chardev", "null,id=c0", "-serial", "chardev:c1"), "'-serial chardev:c1': no -chardev has id=c1; -chardev ids: c0");
    }

    @Test
    void qemusVirtioSerialSpellingBecomesOneVirtioConsolePerPair() throws Exception {
        List<CommandLine.Device> devices = VirtioSerialSpelling.translate(List.of(
                new CommandLine.Device("virtio-rng-device", Map.of()),
                new CommandLine.Device("virtio-serial-device", Map.of()),
                new CommandLine.Device("virtconsole", Map.of("chardev", "c0")),
                new CommandLine.Device("virtio-serial-device", Map.of("id", "vser1")),
                new CommandLine.Device("virtconsole", Map.of("chardev", "c1", "id", "con1"))));
        assertEquals(List.of(new CommandLine.Device("virtio-rng-device", Map.of()),
                new CommandLine.Device("virtio-console-device", Map.of("chardev", "c0")),
                new CommandLine.Device("virtio-console-device", Map.of("chardev", "c1", "id", "con1"))), devices);
        CommandLine.UsageException two = assertThrows(CommandLine.UsageException.class, () -> VirtioSerialSpelling.translate(List.of(
                new CommandLine.Device("virtio-serial-device", Map.of()),
                new CommandLine.Device("virtconsole", Map.of("chardev", "c0")),
                new CommandLine.Device("virtconsole", Map.of("chardev", "c1")))));
        assertTrue(two.getMessage().startsWith("-device virtconsole needs a -device virtio-serial-device of its own before it"), two.getMessage());
        CommandLine.UsageException lonely = assertThrows(CommandLine.UsageException.class, () -> VirtioSerialSpelling.translate(List.of(
                new CommandLine.Device("virtio-serial-device", Map.of()))));
        assertTrue(lonely.getMessage().startsWith("a -device virtio-serial-device has no virtconsole; use -device"), lonely.getMessage());
        CommandLine.UsageException port = assertThrows(CommandLine.UsageException.class, () -> VirtioSerialSpelling.translate(List.of(
                new CommandLine.Device("virtio-serial-device", Map.of()), new CommandLine.Device("virtserialport", Map.of("chardev", "c0")))));
        assertTrue(port.getMessage().contains("virtserialport is not supported"), port.getMessage());
        CommandLine.UsageException property = assertThrows(CommandLine.UsageException.class, () -> VirtioSerialSpelling.translate(List.of(
                new CommandLine.Device("virtio-serial-device", Map.of("max_ports", "2")))));
        assertEquals("-device virtio-serial-device has no property 'max_ports' here; properties: id", property.getMessage());
    }

    @Test
    void everyChardevUseNamesADefinedChardevAndEachHasOneFrontEnd() throws Exception {
        CommandLineDevices.checkCharDeviceUses(CommandLine.parse(List.of("-chardev", "null,id=c0", "-chardev", "null,id=c1",
                "-serial", "chardev:c0", "-device", "virtio-console-device,chardev=c1"), "virt"));
        assertUses(List.of("-device", "virtio-console-device,chardev=c9", "-chardev", "null,id=c0"),
                "-device virtio-console-device,chardev=c9: no -chardev has id=c9; -chardev ids: c0");
        assertUses(List.of("-chardev", "null,id=c0", "-serial", "chardev:c0", "-device", "virtio-serial-device",
                "-device", "virtconsole,chardev=c0"),
                "-chardev c0 is used by both '-serial chardev:c0' and '-device virtio-console-device,chardev=c0'; a character device has one front end");
        assertUses(List.of("-device", "virtio-console-device"), "-device virtio-console-device needs chardev=ID, the id of a -chardev; -chardev ids: (none)");
    }

    private static void assertUsage(List<String> args, String message) {
        CommandLine.UsageException e = assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse(args, "virt"));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static void assertUses(List<String> args, String message) throws Exception {
        CommandLine line = CommandLine.parse(args, "virt");
        CommandLine.UsageException e = assertThrows(CommandLine.UsageException.class, () -> CommandLineDevices.checkCharDeviceUses(line));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
