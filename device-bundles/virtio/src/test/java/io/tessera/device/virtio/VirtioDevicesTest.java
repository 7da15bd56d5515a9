package io.tessera.device.virtio;

import static io.tessera.device.testing.Configs.config;
import static io.tessera.device.testing.Configs.properties;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.block.raw.RawDriver;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.chardev.ByteReceiver;
import io.tessera.core.chardev.CharDevice;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.BusErrorException;
import io.tessera.core.memory.MmioHandler;
import io.tessera.core.memory.MmioRegion;
import io.tessera.core.memory.RamRegion;
import io.tessera.device.testing.RecordingInterruptController;
import io.tessera.device.testing.TestMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.io.UncheckedIOException;
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

    final TestMachine testMachine = new TestMachine();
    final RamRegion ram = RamRegion.ram("ram", 1 << 20);
    final AddressSpace memory = testMachine.memory;
    final Machine machine = testMachine.machine();
    final RecordingInterruptController plic = new RecordingInterruptController(16);

    VirtioDevicesTest() {
        memory.root().addSubregion(0x8000_0000L, ram);
        // The board's empty transport in the slot (DeviceID 0) at priority 0, as QEMU's virt has.
        memory.root().addSubregionOverlap(SLOT7, new MmioRegion("virtio-mmio-empty", 0x200, new MmioHandler() {
            @Override
            public long read(long offset, int size) {
                return offset == 0 ? VirtioMmio.MAGIC : offset == 4 ? 2 : 0;
            }

            @Override
            public void write(long offset, int size, long value) {
            }
        }), 0);
    }

    @AfterEach
    void freeRam() {
        ram.close();
    }

    private Path image(int size) throws IOException {
        Path path = dir.resolve("disk.img");
        Files.write(path, new byte[size]);
        return path;
    }

    private static final List<BlockDriver> DRIVERS = List.of(new FileDriver(), new RawDriver());

    /** The file protocol driver, counting the nodes it opened that are still open. */
    private static final class CountingFileDriver implements BlockDriver {
        private final FileDriver files = new FileDriver();
        final AtomicInteger open = new AtomicInteger();

        @Override
        public String format() {
            return files.format();
        }

        @Override
        public boolean isProtocol() {
            return true;
        }

        @Override
        public int probe(byte[] header, String filename) {
            return files.probe(header, filename);
        }

        @Override
        public BlockNode open(BlockOpenRequest request) throws IOException {
            BlockNode node = files.open(request);
            open.incrementAndGet();
            AtomicBoolean closed = new AtomicBoolean();
            return (BlockNode) Proxy.newProxyInstance(BlockNode.class.getClassLoader(), new Class<?>[] {BlockNode.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("close") && !closed.getAndSet(true)) {
                            open.decrementAndGet();
                        }
                        try {
                            return method.invoke(node, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    @Test
    void aBlockDeviceCoversTheEmptySlotAndLeavesItOnUnplug() throws IOException {
        Path path = image(1 << 20);
        assertEquals(0, memory.read(SLOT7 + VirtioMmio.DEVICE_ID, 4), "the empty transport");
        CountingFileDriver files = new CountingFileDriver();
        VirtioBlkDevice blk = new VirtioBlkDevice(config(VirtioBlkDevice.Config.class, Map.of("drive", path.toString())),
                properties("vda"), machine, plic, files, DRIVERS);
        assertEquals(1, files.open.get());
        assertEquals("vda", blk.id());
        assertEquals("virtio-blk-device", blk.type());
        assertEquals(VirtioMmio.MAGIC, memory.read(SLOT7, 4));
        assertEquals(2, memory.read(SLOT7 + VirtioMmio.DEVICE_ID, 4));
        assertEquals((1 << 20) / 512, memory.read(SLOT7 + 0x100, 8));

        blk.unrealize();
        assertEquals(0, memory.read(SLOT7 + VirtioMmio.DEVICE_ID, 4), "the empty transport again");
        assertEquals(0, files.open.get(), "unplugging closed the drive");
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
        try (BlockNode node = new BlockGraph(new FileDriver(), drivers).open(path.toString(), "", false)) {
            assertEquals("raw", node.format());
        }
        Files.write(path, "FANCY".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> new BlockGraph(new FileDriver(), drivers).open(path.toString(), "", false));
        assertTrue(e.getMessage().contains("fancy"), e.getMessage());
        try (BlockNode node = new BlockGraph(new FileDriver(), drivers).open(path.toString(), "raw", true)) {
            assertEquals("raw", node.format());
            assertTrue(node.isReadOnly());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new BlockGraph(new FileDriver(), drivers).open(path.toString(), "qcow2", false));
        assertTrue(unknown.getMessage().contains("qcow2") && unknown.getMessage().contains("fancy, raw"), unknown.getMessage());
    }

    @Test
    void aBadConfigurationFailsTheRealizationWithAMessage() throws IOException {
        Path missing = dir.resolve("missing.img");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new VirtioBlkDevice(
                config(VirtioBlkDevice.Config.class, Map.of("drive", missing.toString())), properties("vda"), machine, plic,
                new FileDriver(), DRIVERS));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        IllegalArgumentException noDrive = assertThrows(IllegalArgumentException.class, () -> new VirtioBlkDevice(
                config(VirtioBlkDevice.Config.class, Map.of()), properties("vda"), machine, plic, new FileDriver(), DRIVERS));
        assertTrue(noDrive.getMessage().contains("drive"), noDrive.getMessage());

        Path path = image(4096);
        IllegalArgumentException cache = assertThrows(IllegalArgumentException.class, () -> new VirtioBlkDevice(
                config(VirtioBlkDevice.Config.class, Map.of("drive", path.toString(), "cache", "none")), properties("vda"), machine, plic,
                new FileDriver(), DRIVERS));
        assertTrue(cache.getMessage().contains("writethrough"), cache.getMessage());

        CountingFileDriver files = new CountingFileDriver();
        IllegalArgumentException irq = assertThrows(IllegalArgumentException.class, () -> new VirtioBlkDevice(
                config(VirtioBlkDevice.Config.class, Map.of("drive", path.toString(), "irq", 99)), properties("vda"), machine, plic,
                files, DRIVERS));
        assertTrue(irq.getMessage().contains("99"), irq.getMessage());
        assertEquals(0, files.open.get(), "the failed realization closed the drive it had opened");
        assertEquals(0, memory.read(SLOT7 + VirtioMmio.DEVICE_ID, 4), "and left the slot empty");
    }

    @Test
    void rngAndConsoleDevicesMapAndWire() {
        VirtioRngDevice rng = new VirtioRngDevice(config(VirtioRngDevice.Config.class, Map.of("base", 0x1000_1000L, "irq", 1)),
                properties("rng0"), machine, plic);
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
                properties("con0"), machine, plic, chardev);
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
        assertTrue(!plic.line(1).level() && !plic.line(2).level());
    }
}
