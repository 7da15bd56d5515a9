package io.tessera.device.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.block.raw.RawDriver;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.bus.SystemBus;
import io.tessera.core.chardev.ByteReceiver;
import io.tessera.core.chardev.CharDevice;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.irq.InterruptController;
import io.tessera.core.irq.IrqLine;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.BusErrorException;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.memory.MemoryRegion;
import io.tessera.core.memory.MmioHandler;
import io.tessera.core.memory.MmioRegion;
import io.tessera.core.memory.RamRegion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DS components built by hand, as SCR would: configuration, machine, controller, drivers. */
class VirtioDevicesTest {

    static final long SLOT7 = 0x1000_8000L;

    @TempDir
    Path dir;

    final ContainerRegion root = new ContainerRegion("system", Long.MAX_VALUE);
    final RamRegion ram = RamRegion.ram("ram", 1 << 20);
    final AddressSpace memory;
    final Machine machine;
    final Controller plic = new Controller();

    VirtioDevicesTest() {
        root.addSubregion(0x8000_0000L, ram);
        memory = AddressSpace.create("test", root);
        // The board's empty transport in the slot (DeviceID 0) at priority 0, as QEMU's virt has.
        root.addSubregionOverlap(SLOT7, new MmioRegion("virtio-mmio-empty", 0x200, new MmioHandler() {
            @Override
            public long read(long offset, int size) {
                return offset == 0 ? VirtioMmio.MAGIC : offset == 4 ? 2 : 0;
            }

            @Override
            public void write(long offset, int size, long value) {
            }
        }), 0);
        machine = machine();
    }

    @AfterEach
    void freeRam() {
        ram.close();
    }

    /** An interrupt controller with 16 recording lines. */
    static final class Controller implements InterruptController {
        final GuestDriver.RecordingIrq[] lines = new GuestDriver.RecordingIrq[16];

        Controller() {
            for (int i = 0; i < lines.length; i++) {
                lines[i] = new GuestDriver.RecordingIrq();
            }
        }

        @Override
        public String id() {
            return "plic0";
        }

        @Override
        public int lineCount() {
            return lines.length;
        }

        @Override
        public IrqLine line(int number) {
            if (number < 0 || number >= lines.length) {
                throw new IllegalArgumentException("plic0 has inputs 0.." + (lines.length - 1) + ", not " + number);
            }
            return lines[number];
        }
    }

    private Machine machine() {
        SystemBus bus = (SystemBus) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SystemBus.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "memory" -> memory;
                    case "mapOverlap" -> {
                        MemoryRegion region = (MemoryRegion) args[2];
                        long base = (Long) args[1];
                        root.addSubregionOverlap(base, region, (Integer) args[3]);
                        yield new SystemBus.Mapping() {
                            @Override
                            public String owner() {
                                return (String) args[0];
                            }

                            @Override
                            public long base() {
                                return base;
                            }

                            @Override
                            public MemoryRegion region() {
                                return region;
                            }

                            @Override
                            public void unmap() {
                                root.removeSubregion(region);
                            }
                        };
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (Machine) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Machine.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "memory" -> memory;
                    case "systemBus" -> bus;
                    case "name" -> "m0";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A component property type instance: the given values, the annotation's defaults for the rest. */
    @SuppressWarnings("unchecked")
    static <A> A config(Class<A> type, Map<String, Object> values) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (values.containsKey(method.getName())) {
                return values.get(method.getName());
            }
            if (method.getDefaultValue() != null) {
                return method.getDefaultValue();
            }
            if (method.getDeclaringClass() == Object.class || method.getName().equals("annotationType")) {
                throw new UnsupportedOperationException(method.getName());
            }
            return null;
        });
    }

    private static Map<String, Object> props(String id) {
        return Map.of(DeviceConstants.ID, id, DeviceConstants.MACHINE, "m0");
    }

    private Path image(int size) throws IOException {
        Path path = dir.resolve("disk.img");
        Files.write(path, new byte[size]);
        return path;
    }

    private static final List<BlockDriver> DRIVERS = List.of(new FileDriver(), new RawDriver());

    @Test
    void aBlockDeviceCoversTheEmptySlotAndLeavesItOnUnplug() throws IOException {
        Path path = image(1 << 20);
        assertEquals(0, memory.read(SLOT7 + VirtioMmio.DEVICE_ID, 4), "the empty transport");
        VirtioBlkDevice blk = new VirtioBlkDevice(config(VirtioBlkDevice.Config.class, Map.of("drive", path.toString())),
                props("vda"), machine, plic, new FileDriver(), DRIVERS);
        assertEquals("vda", blk.id());
        assertEquals("virtio-blk-device", blk.type());
        assertEquals(VirtioMmio.MAGIC, memory.read(SLOT7, 4));
        assertEquals(2, memory.read(SLOT7 + VirtioMmio.DEVICE_ID, 4));
        assertEquals((1 << 20) / 512, memory.read(SLOT7 + 0x100, 8));

        blk.unrealize();
        assertEquals(0, memory.read(SLOT7 + VirtioMmio.DEVICE_ID, 4), "the empty transport again");
        assertTrue(Files.isWritable(path));
    }

    @Test
    void theFormatIsProbedOrNamed() throws IOException {
        Path path = image(4096);
        BlockDriver fancy = new BlockDriver() {
            @Override
            public String format() {
                return "fancy";
            }

            @Override
            public boolean isProtocol() {
                return false;
            }

            @Override
            public int probe(byte[] header, String filename) {
                return header.length >= 4 && header[0] == 'F' && header[1] == 'A' && header[2] == 'N' && header[3] == 'C' ? 100 : 0;
            }

            @Override
            public BlockNode open(BlockOpenRequest request) throws IOException {
                throw new IOException("fancy images cannot be opened here");
            }
        };
        List<BlockDriver> drivers = List.of(new FileDriver(), fancy, new RawDriver());
        try (BlockNode node = DriveOpener.open(path.toString(), "", false, new FileDriver(), drivers)) {
            assertEquals("raw", node.format());
        }
        Files.write(path, "FANCY".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> DriveOpener.open(path.toString(), "", false, new FileDriver(), drivers));
        assertTrue(e.getMessage().contains("fancy"), e.getMessage());
        try (BlockNode node = DriveOpener.open(path.toString(), "raw", true, new FileDriver(), drivers)) {
            assertEquals("raw", node.format());
            assertTrue(node.isReadOnly());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> DriveOpener.open(path.toString(), "qcow2", false, new FileDriver(), drivers));
        assertTrue(unknown.getMessage().contains("qcow2") && unknown.getMessage().contains("fancy, raw"), unknown.getMessage());
    }

    @Test
    void aBadConfigurationFailsTheRealizationWithAMessage() throws IOException {
        Path missing = dir.resolve("missing.img");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new VirtioBlkDevice(
                config(VirtioBlkDevice.Config.class, Map.of("drive", missing.toString())), props("vda"), machine, plic, new FileDriver(), DRIVERS));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        IllegalArgumentException noDrive = assertThrows(IllegalArgumentException.class, () -> new VirtioBlkDevice(
                config(VirtioBlkDevice.Config.class, Map.of()), props("vda"), machine, plic, new FileDriver(), DRIVERS));
        assertTrue(noDrive.getMessage().contains("drive"), noDrive.getMessage());

        Path path = image(4096);
        IllegalArgumentException cache = assertThrows(IllegalArgumentException.class, () -> new VirtioBlkDevice(
                config(VirtioBlkDevice.Config.class, Map.of("drive", path.toString(), "cache", "none")), props("vda"), machine, plic,
                new FileDriver(), DRIVERS));
        assertTrue(cache.getMessage().contains("writethrough"), cache.getMessage());

        IllegalArgumentException irq = assertThrows(IllegalArgumentException.class, () -> new VirtioBlkDevice(
                config(VirtioBlkDevice.Config.class, Map.of("drive", path.toString(), "irq", 99)), props("vda"), machine, plic,
                new FileDriver(), DRIVERS));
        assertTrue(irq.getMessage().contains("99"), irq.getMessage());
        // The failed realization released the image: it opens read-write again, and the slot is empty.
        new VirtioBlkDevice(config(VirtioBlkDevice.Config.class, Map.of("drive", path.toString())), props("vda"), machine, plic,
                new FileDriver(), DRIVERS).unrealize();
        assertEquals(0, memory.read(SLOT7 + VirtioMmio.DEVICE_ID, 4));
    }

    @Test
    void rngAndConsoleDevicesMapAndWire() {
        VirtioRngDevice rng = new VirtioRngDevice(config(VirtioRngDevice.Config.class, Map.of("base", 0x1000_1000L, "irq", 1)),
                props("rng0"), machine, plic);
        assertEquals(4, memory.read(0x1000_1000L + VirtioMmio.DEVICE_ID, 4));

        List<byte[]> written = new ArrayList<>();
        ByteReceiver[] receiver = new ByteReceiver[1];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CharDevice chardev = new CharDevice() {
            @Override
            public String id() {
                return "console0";
            }

            @Override
            public synchronized void write(byte[] data, int offset, int length) {
                out.write(data, offset, length);
                written.add(java.util.Arrays.copyOfRange(data, offset, offset + length));
            }

            @Override
            public void setReceiver(ByteReceiver r) {
                receiver[0] = r;
            }

            @Override
            public void close() {
            }
        };
        VirtioConsoleDevice console = new VirtioConsoleDevice(config(VirtioConsoleDevice.Config.class, Map.of("base", 0x1000_2000L, "irq", 2)),
                props("con0"), machine, plic, chardev);
        assertEquals(3, memory.read(0x1000_2000L + VirtioMmio.DEVICE_ID, 4));
        assertTrue(receiver[0] != null);
        memory.write(0x1000_2000L + 0x108, 4, 'k');
        assertEquals("k", out.toString(java.nio.charset.StandardCharsets.US_ASCII));

        // Reset and unplug lower the line and disconnect the chardev.
        console.reset();
        console.unrealize();
        assertNull(receiver[0]);
        rng.unrealize();
        assertThrows(BusErrorException.class, () -> memory.read(0x1000_1000L, 4));
        assertThrows(BusErrorException.class, () -> memory.read(0x1000_2000L, 4));
        assertTrue(!plic.lines[1].level() && !plic.lines[2].level());
    }
}
