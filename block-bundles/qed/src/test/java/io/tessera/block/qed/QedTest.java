package io.tessera.block.qed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.block.qcow2.Qcow2Driver;
import io.tessera.block.raw.RawDriver;
import io.tessera.core.block.BlockCreateRequest;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QED images of qemu-img read by the driver, and images the driver writes read by qemu-img: the same bytes, clean checks. */
class QedTest {

    static final BlockGraph GRAPH = new BlockGraph(new FileDriver(),
            List.of(new FileDriver(), new RawDriver(), new Qcow2Driver(), new QedDriver()));

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-utils is not installed");
    }

    static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        if (status != 0 && !command[0].endsWith("qemu-io")) {
            throw new AssertionError(String.join(" ", command) + " -> " + status + ": " + out);
        }
        return status;
    }

    byte[] qemuReads(Path image) throws Exception {
        Path raw = dir.resolve("view.raw");
        run("qemu-img", "convert", "-O", "raw", image.toString(), raw.toString());
        return Files.readAllBytes(raw);
    }

    byte[] weRead(Path image) throws Exception {
        try (BlockNode node = GRAPH.open(image.toString(), "", true)) {
            assertEquals("qed", node.format());
            ByteBuffer all = ByteBuffer.allocate((int) node.size());
            node.read(0, all);
            return all.array();
        }
    }

    @Test
    void readsQemuImagesOverBackingFiles() throws Exception {
        Path base = dir.resolve("base.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "6M");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x41 0 6M", base.toString());
        Path rawBase = dir.resolve("base.raw");
        run("qemu-img", "convert", "-O", "raw", base.toString(), rawBase.toString());
        for (String[] backing : List.of(new String[] {"base.qcow2", "qcow2"}, new String[] {"base.raw", "raw"})) {
            Path image = dir.resolve("top-" + backing[1] + ".qed");
            run("qemu-img", "create", "-q", "-f", "qed", "-o", "cluster_size=16k,table_size=2", "-b", backing[0], "-F", backing[1], image.toString());
            run("qemu-io", "-f", "qed", "-c", "write -P 0x42 100k 300k", "-c", "write -z 1M 64k", "-c", "write -P 0x43 5M 17k", image.toString());
            assertArrayEquals(qemuReads(image), weRead(image), "qed over " + backing[1]);
        }
    }

    @Test
    void writesImagesQemuReads() throws Exception {
        Path base = dir.resolve("base.raw");
        run("qemu-img", "create", "-q", "-f", "raw", base.toString(), "4M");
        run("qemu-io", "-f", "raw", "-c", "write -P 0x51 0 4M", base.toString());
        for (String backing : new String[] {null, "base.raw"}) {
            Path image = dir.resolve("ours.qed");
            Files.deleteIfExists(image);
            Files.createFile(image);
            try (BlockNode file = new FileDriver().open(new BlockOpenRequest(image.toString(), null, false, Map.of()))) {
                new QedDriver().create(new BlockCreateRequest(image.toString(), file, 4 << 20,
                        backing == null ? Map.of("cluster_size", "4k") : Map.of("backing_file", backing, "backing_fmt", "raw"), null));
            }
            byte[] model = new byte[4 << 20];
            if (backing != null) {
                Arrays.fill(model, (byte) 0x51);
            }
            Random random = new Random(11);
            try (BlockNode node = GRAPH.open(image.toString(), "qed", false)) {
                for (int i = 0; i < 120; i++) {
                    int length = random.nextInt(300_000) + 1;
                    int at = random.nextInt(model.length - length);
                    if (i % 6 == 5) {
                        node.writeZeroes(at, length);
                        Arrays.fill(model, at, at + length, (byte) 0);
                    } else {
                        byte[] data = new byte[length];
                        random.nextBytes(data);
                        node.write(at, ByteBuffer.wrap(data));
                        System.arraycopy(data, 0, model, at, length);
                    }
                    if (i % 20 == 0) {
                        node.flush();
                    }
                }
            }
            run("qemu-img", "check", "-q", image.toString());
            assertArrayEquals(model, qemuReads(image), "qemu-img reads what was written, backing " + backing);
            assertArrayEquals(model, weRead(image));
        }
    }

    @Test
    void anImageLeftNeedingACheckIsRepairedOnAReadWriteOpen() throws Exception {
        Path image = dir.resolve("crash.qed");
        run("qemu-img", "create", "-q", "-f", "qed", image.toString(), "4M");
        run("qemu-io", "-f", "qed", "-c", "write -P 0x61 0 1M", "-c", "sigraise 9", image.toString());
        byte[] header = Files.readAllBytes(image);
        assertTrue((header[16] & 2) != 0, "qemu-io's crash left need-check set");
        byte[] before = qemuReads(image);
        try (BlockNode node = GRAPH.open(image.toString(), "qed", false)) {
            node.write(2 << 20, ByteBuffer.wrap(new byte[] {7}));
            before[2 << 20] = 7;
        }
        assertEquals(0, Files.readAllBytes(image)[16] & 2, "need-check is clear after a clean close");
        run("qemu-img", "check", "-q", image.toString());
        assertArrayEquals(before, qemuReads(image));
    }

    @Test
    void hostileHeadersAreRefusedWithTheirProblem() throws Exception {
        Path ts1 = dir.resolve("ts1.qed");
        run("qemu-img", "create", "-q", "-f", "qed", "-o", "table_size=1", ts1.toString(), "1M");
        BlockFormatException e = assertThrows(BlockFormatException.class, () -> GRAPH.open(ts1.toString(), "", true));
        assertTrue(e.getMessage().contains("table size"), e.getMessage());
        Path image = dir.resolve("h.qed");
        run("qemu-img", "create", "-q", "-f", "qed", image.toString(), "1M");
        byte[] good = Files.readAllBytes(image);
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"40", "" + (1L << 40), "past the end"});
        cases.add(new String[] {"48", "" + (1L << 62), "virtual size"});
        cases.add(new String[] {"4", "" + 12345, "cluster size"});
        cases.add(new String[] {"16", "" + (1L << 33), "feature bits"});
        for (String[] c : cases) {
            byte[] bad = good.clone();
            ByteBuffer.wrap(bad).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(Integer.parseInt(c[0]),
                    c[0].equals("4") ? (Long.parseLong(c[1]) | ((long) ByteBuffer.wrap(good).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(8) << 32)) : Long.parseLong(c[1]));
            Files.write(image, bad);
            BlockFormatException refused = assertThrows(BlockFormatException.class, () -> GRAPH.open(image.toString(), "qed", true));
            assertTrue(refused.getMessage().contains(c[2]), refused.getMessage());
        }
        Files.write(image, Arrays.copyOf(good, 40));
        assertTrue(assertThrows(BlockFormatException.class, () -> GRAPH.open(image.toString(), "qed", true)).getMessage().contains("64-byte"));
    }
}
