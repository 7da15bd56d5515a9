package io.tessera.device.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.block.raw.RawDriver;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU as the oracle: the same register reads and the same request, laid out in RAM the same
 * way, on {@code qemu-system-riscv64 -machine virt} through its qtest protocol (no guest code)
 * and on Tessera's devices. Skipped when QEMU is not installed ({@code .ci/run} installs it).
 */
class QemuOracleTest {

    private static final Path QEMU = Path.of("/usr/bin/qemu-system-riscv64");
    private static final long SLOT7 = 0x1000_8000L;
    private static final long RAM = 0x8000_0000L;

    @TempDir
    Path dir;

    /** A running QEMU driven over qtest. */
    static final class Qtest implements AutoCloseable {
        private final Process process;
        private final Writer in;
        private final BufferedReader out;

        Qtest(List<String> args) throws IOException {
            List<String> command = new ArrayList<>(List.of(QEMU.toString(), "-machine", "virt", "-bios", "none", "-display", "none",
                    "-qtest", "stdio", "-global", "virtio-mmio.force-legacy=false"));
            command.addAll(args);
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        }

        String command(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
            while (true) {
                String answer = out.readLine();
                if (answer == null) {
                    throw new IOException("QEMU ended at '" + line + "'");
                }
                if (answer.startsWith("OK") || answer.startsWith("FAIL")) {
                    if (answer.startsWith("FAIL")) {
                        throw new IOException("QEMU refused '" + line + "': " + answer);
                    }
                    return answer;
                }
            }
        }

        long read(String width, long address) throws IOException {
            String value = command("read" + width + " 0x" + Long.toHexString(address)).substring(3).trim();
            return Long.parseUnsignedLong(value.substring(2), 16);
        }

        void write(String width, long address, long value) throws IOException {
            command("write" + width + " 0x" + Long.toHexString(address) + " 0x" + Long.toHexString(value));
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The two sides as one interface: 32-bit registers, and guest memory. */
    interface Side {
        long reg(long offset) throws IOException;

        void reg(long offset, long value) throws IOException;

        long mem(String width, long address) throws IOException;

        void mem(String width, long address, long value) throws IOException;
    }

    private static Side qemu(Qtest q) {
        return new Side() {
            @Override
            public long reg(long offset) throws IOException {
                return q.read("l", SLOT7 + offset);
            }

            @Override
            public void reg(long offset, long value) throws IOException {
                q.write("l", SLOT7 + offset, value);
            }

            @Override
            public long mem(String width, long address) throws IOException {
                return q.read(width, address);
            }

            @Override
            public void mem(String width, long address, long value) throws IOException {
                q.write(width, address, value);
            }
        };
    }

    private static Side tessera(GuestDriver g) {
        return new Side() {
            @Override
            public long reg(long offset) {
                return g.device.read(offset, 4);
            }

            @Override
            public void reg(long offset, long value) {
                g.device.write(offset, 4, value);
            }

            @Override
            public long mem(String width, long address) {
                return g.memory.read(address, size(width));
            }

            @Override
            public void mem(String width, long address, long value) {
                g.memory.write(address, size(width), value);
            }
        };
    }

    private static int size(String width) {
        return switch (width) {
            case "b" -> 1;
            case "w" -> 2;
            case "l" -> 4;
            default -> 8;
        };
    }

    private Path image() throws IOException {
        byte[] bytes = new byte[64 * 1024];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 13 + 7);
        }
        Path path = dir.resolve("oracle.img");
        Files.write(path, bytes);
        return path;
    }

    @Test
    void virtioBlkRegistersAndConfigurationMatchQemu() throws Exception {
        assumeTrue(Files.isExecutable(QEMU), "qemu-system-riscv64 is not installed");
        Path image = image();
        try (Qtest q = new Qtest(List.of("-drive", "file=" + image + ",format=raw,if=none,id=d0", "-device", "virtio-blk-device,drive=d0"));
                BlockNode node = new BlockGraph(new FileDriver(), List.<BlockDriver>of(new RawDriver())).open(image.toString(), "", false);
                GuestDriver guest = new GuestDriver(new BlkModel(node, false, true, ""))) {
            Side qemu = qemu(q);
            Side ours = tessera(guest);
            for (long offset : new long[] {VirtioMmio.MAGIC_VALUE, VirtioMmio.VERSION, VirtioMmio.DEVICE_ID, VirtioMmio.VENDOR_ID,
                VirtioMmio.STATUS, VirtioMmio.INTERRUPT_STATUS, VirtioMmio.CONFIG_GENERATION, VirtioMmio.SHM_LEN_LOW}) {
                assertEquals(qemu.reg(offset), ours.reg(offset), "register 0x" + Long.toHexString(offset));
            }
            // Every feature offered is one QEMU offers too.
            long qemuFeatures = features(qemu);
            long ourFeatures = features(ours);
            assertEquals(ourFeatures, ourFeatures & qemuFeatures, String.format("ours 0x%x, QEMU's 0x%x", ourFeatures, qemuFeatures));
            // The configuration space, byte by byte and past its end, but for the geometry QEMU
            // fills in for VIRTIO_BLK_F_GEOMETRY, which is not offered here, and for
            // write_zeroes_may_unmap, 1 in QEMU whose files punch holes, 0 here where they cannot.
            for (long offset = 0x100; offset < 0x140; offset++) {
                if ((offset < 0x110 || offset >= 0x114) && offset != 0x138) {
                    assertEquals(q.read("b", SLOT7 + offset), guest.device.read(offset, 1), "config byte 0x" + Long.toHexString(offset));
                }
            }
            assertEquals(0, guest.device.read(0x138, 1));
            for (long offset = 0x100; offset < 0x140; offset += 4) {
                if (offset != 0x110 && offset != 0x138) {
                    assertEquals(qemu.reg(offset), ours.reg(offset), "config word 0x" + Long.toHexString(offset));
                }
            }
        }
    }

    private static long features(Side side) throws IOException {
        side.reg(VirtioMmio.DEVICE_FEATURES_SEL, 1);
        long high = side.reg(VirtioMmio.DEVICE_FEATURES);
        side.reg(VirtioMmio.DEVICE_FEATURES_SEL, 0);
        return high << 32 | side.reg(VirtioMmio.DEVICE_FEATURES);
    }

    /** What a driver sees after a chained two-sector read with event indexes, or after a descriptor loop. */
    private static List<Long> request(Side side, IntUnaryOperator lastFlags) throws IOException, InterruptedException {
        side.reg(VirtioMmio.STATUS, 1);
        side.reg(VirtioMmio.STATUS, 3);
        side.reg(VirtioMmio.DRIVER_FEATURES_SEL, 1);
        side.reg(VirtioMmio.DRIVER_FEATURES, 1);
        side.reg(VirtioMmio.DRIVER_FEATURES_SEL, 0);
        side.reg(VirtioMmio.DRIVER_FEATURES, 1L << VirtioMmio.F_EVENT_IDX);
        side.reg(VirtioMmio.STATUS, 11);
        side.reg(VirtioMmio.QUEUE_SEL, 0);
        side.reg(VirtioMmio.QUEUE_NUM, 8);
        side.reg(VirtioMmio.QUEUE_DESC_LOW, RAM + 0x1000);
        side.reg(VirtioMmio.QUEUE_DRIVER_LOW, RAM + 0x2000);
        side.reg(VirtioMmio.QUEUE_DEVICE_LOW, RAM + 0x3000);
        side.reg(VirtioMmio.QUEUE_READY, 1);
        side.reg(VirtioMmio.STATUS, 15);
        side.mem("q", RAM + 0x4000, 0); // IN
        side.mem("q", RAM + 0x4008, 2); // sector 2
        descriptor(side, 0, RAM + 0x4000, 16, 1, 1);
        descriptor(side, 1, RAM + 0x5000, 1024, 3, 2);
        descriptor(side, 2, RAM + 0x6000, 1, lastFlags.applyAsInt(2), 0);
        side.mem("b", RAM + 0x6000, 0xff);
        side.mem("w", RAM + 0x2000, 0);
        side.mem("w", RAM + 0x2004, 0);
        side.mem("w", RAM + 0x2002, 1);
        side.reg(VirtioMmio.QUEUE_NOTIFY, 0);
        // QEMU completes the read in its main loop: wait until it did (or gave up on the chain).
        for (int i = 0; i < 500 && side.mem("w", RAM + 0x3002) == 0 && (side.reg(VirtioMmio.STATUS) & 64) == 0; i++) {
            Thread.sleep(10);
        }
        return List.of(side.mem("w", RAM + 0x3002), side.mem("l", RAM + 0x3004), side.mem("l", RAM + 0x3008),
                side.mem("w", RAM + 0x3000 + 4 + 8 * 8), side.mem("b", RAM + 0x6000), side.mem("q", RAM + 0x5000),
                side.mem("q", RAM + 0x53f8), side.reg(VirtioMmio.STATUS), side.reg(VirtioMmio.INTERRUPT_STATUS) & 1);
    }

    private static void descriptor(Side side, int index, long address, int length, int flags, int next) throws IOException {
        long at = RAM + 0x1000 + 16L * index;
        side.mem("q", at, address);
        side.mem("l", at + 8, length);
        side.mem("w", at + 12, flags);
        side.mem("w", at + 14, next);
    }

    @Test
    void aReadRequestAndADescriptorLoopEndAsInQemu() throws Exception {
        assumeTrue(Files.isExecutable(QEMU), "qemu-system-riscv64 is not installed");
        Path image = image();
        for (boolean loop : new boolean[] {false, true}) {
            IntUnaryOperator flags = i -> loop ? 3 : 2;
            try (Qtest q = new Qtest(List.of("-drive", "file=" + image + ",format=raw,if=none,id=d0", "-device", "virtio-blk-device,drive=d0"));
                    BlockNode node = new BlockGraph(new FileDriver(), List.<BlockDriver>of(new RawDriver())).open(image.toString(), "", false);
                    GuestDriver guest = new GuestDriver(new BlkModel(node, false, true, ""))) {
                List<Long> expected = request(qemu(q), flags);
                List<Long> actual = request(tessera(guest), flags);
                assertEquals(expected, actual, loop ? "descriptor loop" : "read");
                if (!loop) {
                    assertEquals(1, actual.get(0), "completed");
                } else {
                    assertTrue((actual.get(7) & VirtioMmio.STATUS_NEEDS_RESET) != 0);
                }
            }
        }
    }
}
