package io.tessera.block.vmdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.block.testing.FailingNode;
import io.tessera.block.testing.ImageAssertions;
import io.tessera.block.testing.QemuImg;
import io.tessera.core.block.BlockCreateRequest;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images the vmdk driver creates and writes, judged by qemu-img: {@code check} must find them
 * clean and {@code compare} must find the content the writes left.
 */
class VmdkWriteTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    static void create(Path image, long size, Map<String, String> options) throws Exception {
        Files.deleteIfExists(image);
        Files.createFile(image);
        try (BlockNode file = new FileDriver().open(new BlockOpenRequest(image.toString(), null, false, Map.of()))) {
            new VmdkDriver().create(new BlockCreateRequest(image.toString(), file, size, options, VmdkReadTest.GRAPH.opener()));
        }
    }

    /** Writes at odd offsets and lengths, across grains and grain tables, and keeps what the disk should hold. */
    static void scribble(BlockNode node, byte[] expected, long seed) throws Exception {
        Random random = new Random(seed);
        for (int i = 0; i < 40; i++) {
            int length = 1 + random.nextInt(200_000);
            int offset = random.nextInt(expected.length - length);
            byte[] data = new byte[length];
            random.nextBytes(data);
            if (i % 5 == 0) {
                node.writeZeroes(offset, length);
                Arrays.fill(expected, offset, offset + length, (byte) 0);
            } else {
                assertEquals(length, node.write(offset, ByteBuffer.wrap(data)));
                System.arraycopy(data, 0, expected, offset, length);
            }
        }
    }

    private void assertQemuAgrees(Path image, byte[] expected) throws Exception {
        String check = QemuImg.img("check", "-f", "vmdk", image.toString());
        assertTrue(check.contains("No errors were found"), check);
        Path raw = dir.resolve("expected.raw");
        Files.write(raw, expected);
        QemuImg.img("compare", "-f", "vmdk", "-F", "raw", image.toString(), raw.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void createdAndWrittenImagesPassQemuImg(String zeroedGrain) throws Exception {
        Path image = dir.resolve("new.vmdk");
        int size = 40 << 20; // two grain tables' worth and a part
        create(image, size, Map.of("zeroed_grain", zeroedGrain));
        String info = QemuImg.img("info", "--output=json", image.toString());
        assertTrue(info.contains("\"virtual-size\": " + size), info);
        byte[] expected = new byte[size];
        String cidBefore = cid(image);
        try (BlockNode node = VmdkReadTest.GRAPH.open(image.toString(), "vmdk", false)) {
            scribble(node, expected, 1);
            assertEquals(0, node.check(io.tessera.core.block.BlockRepair.NONE).orElseThrow().corruptions());
            ByteBuffer back = ByteBuffer.allocate(size);
            node.read(0, back);
            assertArrayEquals(expected, back.array(), "reads after writes");
        }
        assertQemuAgrees(image, expected);
        assertTrue(!cid(image).equals(cidBefore), "the first write gives the disk a new CID, as QEMU's does (was " + cidBefore + ")");
    }

    /**
     * QEMU writes the CID without leading zeroes, so one in sixteen of its descriptors has fewer
     * than 8 digits: the first write still gives the disk a new CID, of as many digits, in place.
     */
    @Test
    void givesAShortCidANewOneOfTheSameWidth() throws Exception {
        Path image = dir.resolve("flat.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", "-o", "subformat=monolithicFlat", image.toString(), "1M");
        String descriptor = Files.readString(image).replaceFirst("(?m)^CID=[0-9a-f]+$", "CID=abc");
        Files.writeString(image, descriptor);
        try (BlockNode node = VmdkReadTest.GRAPH.open(image.toString(), "vmdk", false)) {
            node.write(0, ByteBuffer.wrap(new byte[] {7}));
        }
        String written = Files.readString(image);
        java.util.regex.Matcher cid = java.util.regex.Pattern.compile("(?m)^CID=([0-9a-f]+)$").matcher(written);
        assertTrue(cid.find(), written);
        assertEquals(3, cid.group(1).length(), written);
        assertTrue(!cid.group(1).equals("abc"), "a new CID: " + written);
        assertEquals(descriptor.length(), written.length());
        assertTrue(QemuImg.img("info", image.toString()).contains("cid: " + Long.parseLong(cid.group(1), 16)));
    }

    /** @return the CID line qemu-img info shows */
    private static String cid(Path image) throws Exception {
        return QemuImg.img("info", image.toString()).lines().filter(l -> l.strip().startsWith("cid:")).findFirst().orElseThrow();
    }

    @Test
    void writesIntoADeltaDiskKeepTheParentAroundThem() throws Exception {
        Path base = dir.resolve("base.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", base.toString(), "8M");
        QemuImg.io("vmdk", base, "write -P 0x5a 0 8M");
        Path overlay = dir.resolve("overlay.vmdk");
        create(overlay, 8 << 20, Map.of("backing_file", "base.vmdk", "backing_fmt", "vmdk"));
        byte[] expected = new byte[8 << 20];
        Arrays.fill(expected, (byte) 0x5a);
        try (BlockNode node = VmdkReadTest.GRAPH.open(overlay.toString(), "vmdk", false)) {
            scribble(node, expected, 2);
        }
        assertQemuAgrees(overlay, expected);
        String info = QemuImg.img("info", overlay.toString());
        assertTrue(info.contains("backing file: base.vmdk"), info);
    }

    @Test
    void writesIntoImagesQemuWrote() throws Exception {
        Path image = dir.resolve("qemu.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", image.toString(), "16M");
        QemuImg.io("vmdk", image, "write -P 0x11 0 3M", "write -P 0x22 10M 100k");
        Path reference = dir.resolve("reference.raw");
        QemuImg.img("convert", "-f", "vmdk", "-O", "raw", image.toString(), reference.toString());
        byte[] expected = Files.readAllBytes(reference);
        try (BlockNode node = VmdkReadTest.GRAPH.open(image.toString(), "vmdk", false)) {
            scribble(node, expected, 3);
        }
        assertQemuAgrees(image, expected);
    }

    @Test
    void streamOptimizedImagesTakeEachGrainOnce() throws Exception {
        Path image = dir.resolve("stream.vmdk");
        int size = 6 << 20;
        create(image, size, Map.of("subformat", "streamOptimized"));
        byte[] expected = new byte[size];
        byte[] noise = new byte[200_000];
        new Random(4).nextBytes(noise);
        try (BlockNode node = VmdkReadTest.GRAPH.open(image.toString(), "vmdk", false)) {
            // Whole grains of noise (stored larger than they are), a compressible run, and a partial grain.
            node.write(0, ByteBuffer.wrap(noise));
            System.arraycopy(noise, 0, expected, 0, noise.length);
            byte[] run = new byte[1 << 20];
            Arrays.fill(run, (byte) 0x42);
            node.write(2 << 20, ByteBuffer.wrap(run));
            System.arraycopy(run, 0, expected, 2 << 20, run.length);
            node.write(5_000_000, ByteBuffer.wrap(noise, 0, 1000));
            System.arraycopy(noise, 0, expected, 5_000_000, 1000);
            String message = assertThrows(java.io.IOException.class, () -> node.write(100, ByteBuffer.wrap(noise, 0, 10))).getMessage();
            assertTrue(message.contains("already written"), message);
        }
        assertQemuAgrees(image, expected);
        ImageAssertions.assertReadsAsQemu(VmdkReadTest.GRAPH, image, "vmdk", dir);
        assertStreamEndsWithEndOfStream(image);
    }

    /**
     * Walks a stream-optimized file from its first grain as a stream reader (VMware's) does: grain
     * after grain, each a grain header and its deflated bytes padded to a sector, until a marker
     * sector (size 0) of type end-of-stream.
     */
    static void assertStreamEndsWithEndOfStream(Path image) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(image)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long at = b.getLong(64) * 512; // overHead: the first grain
        int grains = 0;
        while (true) {
            assertTrue(at + 512 <= b.capacity(), "the stream runs off the end of the file after " + grains + " grains");
            int size = b.getInt((int) at + 8);
            if (size == 0) {
                assertEquals(StreamMarkers.END_OF_STREAM, b.getInt((int) at + 12), "a marker after " + grains + " grains");
                assertEquals(0L, b.getLong((int) at), "an end-of-stream marker counts nothing");
                break;
            }
            grains++;
            at += (12 + size + 511) / 512 * 512;
        }
        assertTrue(grains > 0, "the stream holds grains");
    }

    /** {@code -c} (compressed writes) on a vmdk: QEMU takes them as plain writes, deflating only in a stream-optimized extent. */
    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "streamOptimized"})
    void compressedWritesGoWhereTheSubformatPutsThem(String subformat) throws Exception {
        Path image = dir.resolve("c.vmdk");
        create(image, 4 << 20, Map.of("subformat", subformat));
        byte[] expected = new byte[4 << 20];
        byte[] grain = new byte[64 << 10];
        Arrays.fill(grain, (byte) 0x3c);
        try (BlockNode node = VmdkReadTest.GRAPH.open(image.toString(), "vmdk", false)) {
            node.writeCompressed(1 << 20, ByteBuffer.wrap(grain));
            System.arraycopy(grain, 0, expected, 1 << 20, grain.length);
            assertEquals(subformat.equals("streamOptimized"), node.blockStatus(1 << 20, 4096).hostOffset() < 0,
                    "only a stream-optimized grain is stored compressed (no host offset)");
        }
        assertQemuAgrees(image, expected);
    }

    /**
     * A delta disk whose parent was written after it was made: the parent's CID is no longer the
     * delta's parentCID. QEMU 7.2 then fails reads of unallocated grains and allocating writes
     * with "Invalid argument"; allocated grains still read. Tessera does the same.
     */
    @Test
    void aParentWrittenSinceTheDeltaWasMadeIsRefused() throws Exception {
        Path base = dir.resolve("base.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", base.toString(), "4M");
        QemuImg.io("vmdk", base, "write -P 1 0 1M");
        Path child = dir.resolve("child.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", "-b", "base.vmdk", "-F", "vmdk", child.toString());
        QemuImg.io("vmdk", child, "write -P 2 1M 64k");
        try (BlockNode node = VmdkReadTest.GRAPH.open(child.toString(), "vmdk", true)) {
            node.read(0, ByteBuffer.allocate(4 << 20)); // the parent is still the one the delta was made over
        }
        QemuImg.io("vmdk", base, "write -P 3 2M 64k"); // a new CID for the parent
        QemuImg.Result qemu = QemuImg.exec(List.of(QemuImg.QEMU_IO.toString(), "-f", "vmdk", "-c", "read 0 64k", child.toString()));
        assertTrue(qemu.out().contains("Invalid argument"), "qemu-io refuses too: " + qemu.out() + qemu.err());
        try (BlockNode node = VmdkReadTest.GRAPH.open(child.toString(), "vmdk", false)) {
            ByteBuffer own = ByteBuffer.allocate(64 << 10);
            node.read(1 << 20, own);
            assertEquals(2, own.get(0), "the delta's own grain reads");
            String read = assertThrows(java.io.IOException.class, () -> node.read(0, ByteBuffer.allocate(512))).getMessage();
            assertTrue(read.startsWith("Invalid argument") && read.contains("parentCID"), read);
            String write = assertThrows(java.io.IOException.class, () -> node.write(3 << 20, ByteBuffer.allocate(512))).getMessage();
            assertTrue(write.startsWith("Invalid argument"), write);
        }
    }

    /** qemu-img info's vmdk fields (cid, parent cid, create type, extents) for every subformat and a delta disk. */
    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat", "streamOptimized", "delta"})
    void formatSpecificInfoIsQemus(String subformat) throws Exception {
        Path image = dir.resolve("info.vmdk");
        if (subformat.equals("delta")) {
            QemuImg.img("create", "-q", "-f", "vmdk", dir.resolve("parent.vmdk").toString(), "3M");
            QemuImg.img("create", "-q", "-f", "vmdk", "-b", "parent.vmdk", "-F", "vmdk", image.toString());
        } else {
            QemuImg.img("create", "-q", "-f", "vmdk", "-o", "subformat=" + subformat, image.toString(), "3M");
        }
        String json = QemuImg.img("info", "--output=json", image.toString());
        int start = json.indexOf("\"format-specific\"");
        String expected = json.substring(start, json.indexOf("\n    \"", json.indexOf("\n    }", start) + 1) + 5);
        try (BlockNode node = VmdkReadTest.GRAPH.open(image.toString(), "vmdk", true)) {
            Map<String, Object> specific = new java.util.LinkedHashMap<>();
            specific.put("type", "vmdk");
            specific.put("data", node.imageInfo().formatSpecific());
            String actual = ("\"format-specific\": " + toJson(specific, 1) + ",\n    ").replace("\n", System.lineSeparator());
            assertEquals(expected, actual);
        }
    }

    /** qemu-img's JSON layout (4-space indent), for maps, lists, numbers, strings and booleans. */
    private static String toJson(Object value, int depth) {
        String pad = "    ".repeat(depth + 1);
        String close = "    ".repeat(depth);
        if (value instanceof Map<?, ?> m) {
            StringBuilder s = new StringBuilder("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                s.append(pad).append('"').append(e.getKey()).append("\": ").append(toJson(e.getValue(), depth + 1))
                        .append(++i < m.size() ? ",\n" : "\n");
            }
            return s.append(close).append('}').toString();
        }
        if (value instanceof List<?> l) {
            StringBuilder s = new StringBuilder("[\n");
            for (int i = 0; i < l.size(); i++) {
                s.append(pad).append(toJson(l.get(i), depth + 1)).append(i + 1 < l.size() ? ",\n" : "\n");
            }
            return s.append(close).append(']').toString();
        }
        return value instanceof String str ? '"' + str + '"' : String.valueOf(value);
    }

    /** Every subformat with extents in files of their own; the split ones cut at 2 GiB, so the disk crosses a cut. */
    @ParameterizedTest
    @ValueSource(strings = {"monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat"})
    void subformatsWithExtentFilesPassQemuImg(String subformat) throws Exception {
        Path image = dir.resolve("split.vmdk");
        long size = (2L << 30) + (8 << 20);
        create(image, size, Map.of("subformat", subformat));
        assertTrue(QemuImg.img("info", image.toString()).contains("create type: " + subformat));
        byte[] tail = new byte[16 << 20];
        Random random = new Random(5);
        try (BlockNode node = VmdkReadTest.GRAPH.open(image.toString(), "vmdk", false)) {
            assertEquals(size, node.size());
            // Writes in the last 16 MiB, across the cut between the first and second extent.
            long tailStart = size - tail.length;
            for (int i = 0; i < 20; i++) {
                int length = 1 + random.nextInt(300_000);
                int offset = random.nextInt(tail.length - length);
                byte[] data = new byte[length];
                random.nextBytes(data);
                node.write(tailStart + offset, ByteBuffer.wrap(data));
                System.arraycopy(data, 0, tail, offset, length);
            }
        }
        String check = QemuImg.img("check", "-f", "vmdk", image.toString());
        assertTrue(check.contains("No errors were found"), check);
        Path reference = dir.resolve("reference.raw");
        QemuImg.img("convert", "-f", "vmdk", "-O", "raw", image.toString(), reference.toString());
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(reference)) {
            ByteBuffer actual = ByteBuffer.allocate(tail.length);
            c.read(actual, size - tail.length);
            assertArrayEquals(tail, actual.array(), "what qemu-img reads where Tessera wrote");
        }
    }

    /**
     * A writer killed after N protocol writes, for many N: qemu-img check must accept what is
     * left, and every grain must hold data it held at some point (old or new, never garbage).
     */
    @Test
    void aKilledWriterLeavesEachGrainOldOrNew() throws Exception {
        int size = 4 << 20;
        int grain = 65536;
        Path image = dir.resolve("crash.vmdk");
        int points = 0;
        boolean completed = false;
        for (int stopAfter = 0; stopAfter < 400 && !completed; stopAfter += 3) {
            create(image, size, Map.of());
            byte[] model = new byte[size];
            java.util.List<java.util.List<byte[]>> history = new java.util.ArrayList<>();
            for (int g = 0; g < size / grain; g++) {
                history.add(new java.util.ArrayList<>(java.util.List.of(new byte[grain])));
            }
            FailingNode file = new FailingNode(new FileDriver().open(new BlockOpenRequest(image.toString(), null, false, Map.of())), stopAfter);
            BlockNode node = new VmdkDriver().open(new BlockOpenRequest(image.toString(), file, false, Map.of()));
            Random random = new Random(3);
            try {
                for (int i = 0; i < 30; i++) {
                    int at = random.nextInt(size - 3 * grain);
                    int length = random.nextInt(3 * grain) + 1;
                    byte[] data = new byte[length];
                    Arrays.fill(data, (byte) (i + 1));
                    // The grains this write touches may show its data even if the writer dies inside it.
                    System.arraycopy(data, 0, model, at, length);
                    for (int g = at / grain; g <= (at + length - 1) / grain; g++) {
                        history.get(g).add(Arrays.copyOfRange(model, g * grain, (g + 1) * grain));
                    }
                    node.write(at, ByteBuffer.wrap(data));
                }
                node.close();
                completed = true;
                assertQemuAgrees(image, model);
            } catch (FailingNode.Killed e) {
                file.abandon();
                points++;
                String check = QemuImg.img("check", "-f", "vmdk", image.toString());
                assertTrue(check.contains("No errors were found"), "after a crash at write " + stopAfter + ": " + check);
                Path raw = dir.resolve("crash.raw");
                QemuImg.img("convert", "-f", "vmdk", "-O", "raw", image.toString(), raw.toString());
                byte[] after = Files.readAllBytes(raw);
                for (int g = 0; g < size / grain; g++) {
                    byte[] now = Arrays.copyOfRange(after, g * grain, (g + 1) * grain);
                    assertTrue(history.get(g).stream().anyMatch(h -> Arrays.equals(h, now)),
                            "grain " + g + " after a crash at write " + stopAfter + " holds data it never held: first byte " + now[0] + ", last "
                                    + now[grain - 1] + "; it held " + history.get(g).stream().map(h -> h[0] + ".." + h[grain - 1]).toList());
                }
            }
        }
        assertTrue(points > 10, "the writer was killed at " + points + " points");
        assertTrue(completed, "a run without a crash completed");
    }

    @Test
    void refusesWhatItCannotWrite() throws Exception {
        // A descriptor with a writable flat extent, a read-only one, one nobody may touch, and a ZERO extent.
        Files.write(dir.resolve("a-flat.vmdk"), new byte[4096]);
        Files.write(dir.resolve("b-flat.vmdk"), new byte[4096]);
        Files.write(dir.resolve("c-flat.vmdk"), new byte[4096]);
        Path mixed = dir.resolve("mixed.vmdk");
        Files.writeString(mixed, "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n"
                + "RW 8 FLAT \"a-flat.vmdk\" 0\nRDONLY 8 FLAT \"b-flat.vmdk\" 0\nNOACCESS 8 FLAT \"c-flat.vmdk\" 0\nRW 8 ZERO\n");
        try (BlockNode node = VmdkReadTest.GRAPH.open(mixed.toString(), "vmdk", false)) {
            assertEquals(4 * 4096, node.size());
            node.write(100, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            for (long at : new long[] {4096, 3 * 4096}) {
                String m = assertThrows(java.io.IOException.class, () -> node.write(at, ByteBuffer.wrap(new byte[1]))).getMessage();
                assertTrue(m.contains("cannot be written"), m);
            }
            String m = assertThrows(java.io.IOException.class, () -> node.read(2 * 4096, ByteBuffer.allocate(1))).getMessage();
            assertTrue(m.contains("NOACCESS"), m);
        }
        assertEquals(1, Files.readAllBytes(dir.resolve("a-flat.vmdk"))[100]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> create(dir.resolve("x.vmdk"), 1 << 20, Map.of("subformat", "vmfs")));
        assertTrue(e.getMessage().contains("twoGbMaxExtentFlat"), e.getMessage());
    }
}
