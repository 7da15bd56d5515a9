package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.testing.FailingNode;
import io.tessera.block.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code tessera img convert --in-place} against the real qemu-img: images qemu-img and qemu-io
 * made, converted qcow2 -> QED -> qcow2, must pass {@code qemu-img check}, read the same bytes
 * as a raw copy taken before ({@code qemu-img compare}), keep every data cluster at its host
 * offset ({@code qemu-img map}) and grow only by the new tables. Conversions killed after every
 * write leave the old image or the new one, with the same contents. Every feature the other
 * format cannot hold is refused by name, leaving the file untouched.
 */
class InPlaceConversionTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    /** tessera img in this process, as ImgToolTest runs it. */
    static ImgToolTest.Run tessera(String... args) {
        return ImgToolTest.img(args);
    }

    /** Data, written zeroes, a partial cluster, unallocated space and data near the end. */
    private static final String[] MIXED = {"write -P 1 0 1M", "write -z 2M 1M", "write -P 2 5M 300k", "write -P 3 33M 4k",
        "write -P 4 60M 1M"};

    private Path image(String name, String format, String size, String options, String... io) throws Exception {
        Path image = dir.resolve(name);
        List<String> create = new ArrayList<>(List.of(QemuImg.QEMU_IMG.toString(), "create", "-q", "-f", format));
        if (!options.isEmpty()) {
            create.addAll(List.of("-o", options));
        }
        create.addAll(List.of(image.toString(), size));
        QemuImg.run(create.toArray(String[]::new));
        if (io.length > 0) {
            QemuImg.io(format, image, io);
        }
        return image;
    }

    /** The content as qemu-img reads it (through any backing file), the reference for compare. */
    private Path rawCopy(Path image) throws Exception {
        Path raw = dir.resolve(image.getFileName() + ".ref.raw");
        QemuImg.img("convert", "-O", "raw", image.toString(), raw.toString());
        return raw;
    }

    private static final Pattern MAP_DATA = Pattern.compile(
            "\"start\": (\\d+), \"length\": (\\d+), \"depth\": 0, \"present\": true, \"zero\": false, \"data\": true, \"offset\": (\\d+)");

    /** The image's own data extents with their host offsets, from qemu-img map. */
    private static List<String> dataMap(Path image) throws Exception {
        Matcher m = MAP_DATA.matcher(QemuImg.img("map", "--output=json", image.toString()));
        List<String> extents = new ArrayList<>();
        while (m.find()) {
            extents.add(m.group(1) + "+" + m.group(2) + "@" + m.group(3));
        }
        return extents;
    }

    private static String format(Path image) throws Exception {
        Matcher m = Pattern.compile("\"format\": \"(\\w+)\"").matcher(QemuImg.img("info", "--output=json", image.toString()));
        assertTrue(m.find());
        return m.group(1);
    }

    /** qemu-img check's status: 0 clean, 3 leaks only; anything else fails the test. */
    private static int qemuCheck(Path image) throws Exception {
        QemuImg.Result r = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "check", image.toString()));
        assertTrue(r.status() == 0 || r.status() == 3, "qemu-img check " + image + " found errors (" + r.status() + "): " + r.out() + r.err());
        return r.status();
    }

    private static void assertSameContent(Path raw, Path image) throws Exception {
        QemuImg.Result r = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "compare", "-f", "raw", raw.toString(), image.toString()));
        assertEquals(0, r.status(), "qemu-img compare " + raw + " " + image + ": " + r.out() + r.err());
    }

    private static void convertInPlace(Path image, String to) {
        ImgToolTest.Run r = tessera("convert", "--in-place", "-O", to, image.toString());
        assertEquals(0, r.status(), r.err());
    }

    @ParameterizedTest(name = "{0} clusters, {1}, backing {2}")
    @CsvSource({
        "4k, 64M, none", "64k, 100M, none", "2M, 65537k, none", "64k, 64M, raw", "64k, 64M, qcow2", "16k, 64M, qed", "64k, 64M, v2"})
    void qcow2ToQedAndBackKeepsEveryDataClusterInPlace(String cluster, String size, String backing) throws Exception {
        Path image;
        if (backing.equals("none") || backing.equals("v2")) {
            image = image("a.qcow2", "qcow2", size, "cluster_size=" + cluster + (backing.equals("v2") ? ",compat=0.10" : ""), MIXED);
        } else {
            Path base = image("base." + backing, backing, size, "", "write -P 9 0 " + size);
            image = image("a.qcow2", "qcow2", size, "cluster_size=" + cluster + ",backing_file=" + base.getFileName() + ",backing_fmt=" + backing);
            QemuImg.io("qcow2", image, MIXED);
        }
        Path raw = rawCopy(image);
        List<String> map = dataMap(image);
        long before = Files.size(image);
        long clusterSize = Sizes.parse("cluster", cluster);
        long guestClusters = (Sizes.parse("size", size) + clusterSize - 1) / clusterSize;

        convertInPlace(image, "qed");
        assertEquals("qed", format(image));
        qemuCheck(image); // the old qcow2 tables are leaked clusters for QED, which has no way to free space
        assertSameContent(raw, image);
        assertEquals(map, dataMap(image), "data clusters moved");
        long tableSize = 2;
        while (Math.pow(tableSize * clusterSize / 8.0, 2) * clusterSize < Sizes.parse("size", size)) {
            tableSize *= 2;
        }
        long qedTables = 1 + (guestClusters + tableSize * clusterSize / 8 - 1) / (tableSize * clusterSize / 8);
        long afterQed = Files.size(image);
        assertTrue(afterQed - before <= qedTables * tableSize * clusterSize + clusterSize,
                "grew by " + (afterQed - before) + " bytes, more than " + qedTables + " QED tables");

        convertInPlace(image, "qcow2");
        assertEquals("qcow2", format(image));
        assertEquals(0, qemuCheck(image), "a qcow2 image made in place counts exactly what it uses");
        assertSameContent(raw, image);
        assertEquals(map, dataMap(image), "data clusters moved");
        long l2Tables = (guestClusters + clusterSize / 8 - 1) / (clusterSize / 8);
        long qcow2Metadata = (l2Tables + (l2Tables * 8 + clusterSize - 1) / clusterSize + 4) * clusterSize;
        assertTrue(Files.size(image) - afterQed <= qcow2Metadata + clusterSize, "grew by " + (Files.size(image) - afterQed) + " bytes");
    }

    @Test
    void qedMadeByQemuBecomesQcow2WithItsRawBackingRecorded() throws Exception {
        Path base = image("base.raw", "raw", "32M", "", "write -P 7 0 32M");
        Path image = image("b.qed", "qed", "32M", "backing_file=base.raw,backing_fmt=raw", "write -P 1 1M 64k", "write -z 4M 1M",
                "write -P 2 31M 1M");
        Path raw = rawCopy(image);
        List<String> map = dataMap(image);
        convertInPlace(image, "qcow2");
        assertEquals(0, qemuCheck(image));
        assertSameContent(raw, image);
        assertEquals(map, dataMap(image));
        String info = QemuImg.img("info", image.toString());
        assertTrue(info.contains("backing file: base.raw") && info.contains("backing file format: raw"), info);
        assertTrue(Files.exists(base));
    }

    /**
     * Kills the conversion after each of its writes and flushes in turn: what is left must be
     * the old image or the new one, clean for qemu-img check but for leaks, with the same
     * contents; then tessera img check -r leaks leaves nothing qemu-img complains about.
     */
    /**
     * A version 2 qcow2 image (discards leave nothing) with 4 KiB clusters whose last data
     * cluster comes early: 31 L2 tables and freed data clusters after it, all dead once it is QED.
     */
    private static String[] trailingTables() {
        List<String> io = new ArrayList<>(List.of("write -P 1 0 64k"));
        for (int i = 1; i < 32; i++) {
            io.add("write -P 2 " + i * 2 + "M 4k");
        }
        for (int i = 1; i < 32; i++) {
            io.add("discard " + i * 2 + "M 4k");
        }
        return io.toArray(String[]::new);
    }

    /** Old tables after the last data cluster: the QED tables move down over them and the file is cut after the tables. */
    @Test
    void oldTablesAtTheEndAreCutOff() throws Exception {
        Path image = image("tail.qcow2", "qcow2", "64M", "compat=0.10,cluster_size=4k", trailingTables());
        Path raw = rawCopy(image);
        List<String> before = dataMap(image);
        long length = Files.size(image);
        convertInPlace(image, "qed");
        assertEquals("qed", format(image));
        assertEquals(before, dataMap(image), "every data cluster stays where it was");
        assertSameContent(raw, image);
        assertEquals(3, qemuCheck(image), "the old tables before the data stay as leaks");
        long dataEnd = 0;
        for (String extent : before) {
            String[] parts = extent.split("[+@]");
            dataEnd = Math.max(dataEnd, Long.parseLong(parts[2]) + Long.parseLong(parts[1]));
        }
        // Only the L1 table and one L2 table (2 clusters each, as QED needs at least 2) follow the data now.
        assertEquals(dataEnd + 2 * 2 * 4096, Files.size(image), "the file ends after the tables moved down (it was " + length + " bytes)");
        convertInPlace(image, "qcow2");
        assertSameContent(raw, image);
        assertEquals(0, qemuCheck(image));
    }

    @ParameterizedTest(name = "{0} -> {1}, backing file: {2}, {3}")
    @CsvSource({"qcow2, qed, false, mixed", "qed, qcow2, false, mixed", "qcow2, qed, true, mixed", "qed, qcow2, true, mixed",
        "qcow2, qed, false, trailing tables"})
    void aConversionKilledAfterAnyWriteLeavesTheOldOrTheNewImage(String from, String to, boolean backing, String content) throws Exception {
        boolean tail = content.equals("trailing tables");
        String options = tail ? "compat=0.10,cluster_size=4k" : "cluster_size=64k";
        if (backing) {
            // The backing name is written into the header cluster before the commit: the old header must survive that.
            image("base.raw", "raw", "64M", "", "write -P 8 0 64M");
            options += ",backing_file=base.raw,backing_fmt=raw";
        }
        Path original = image("orig." + from, from, "64M", options, tail ? trailingTables() : MIXED);
        Path raw = rawCopy(original);
        Path image = dir.resolve("work." + from);
        boolean finished = false;
        int kills = 0;
        for (int writes = 0; !finished; writes++) {
            assertTrue(writes < 100, "the conversion never finished");
            Files.copy(original, image, StandardCopyOption.REPLACE_EXISTING);
            int budget = writes;
            FailingNode[] failing = new FailingNode[1];
            InPlaceConversion conversion = new InPlaceConversion(Drivers.graph(), file -> failing[0] = new FailingNode(file, budget));
            try {
                conversion.convert(image.toString(), "", to);
                finished = true;
            } catch (FailingNode.Killed e) {
                kills++;
                failing[0].abandon();
            }
            String now = format(image);
            assertTrue(now.equals(from) || now.equals(to), now);
            assertTrue(finished || now.equals(from) || writes > 0, "nothing written yet, and the format changed");
            int status = qemuCheck(image);
            if (now.equals("qcow2")) {
                assertEquals(0, status, "after " + writes + " writes the qcow2 image has leaks");
            }
            assertSameContent(raw, image);
            ImgToolTest.Run repair = tessera("check", "-r", "leaks", image.toString());
            // A QED image made from qcow2 keeps the old qcow2 tables as leaks no QED check can free (qemu-img's neither).
            boolean leaksStay = now.equals("qed") && from.equals("qcow2");
            assertTrue(repair.status() == 0 || leaksStay && repair.status() == 3,
                    "tessera img check -r leaks after " + writes + " writes: " + repair.out() + repair.err());
            if (!leaksStay) {
                assertEquals(0, qemuCheck(image), "after " + writes + " writes and check -r leaks, qemu-img check finds leaks");
            }
            assertSameContent(raw, image);
        }
        assertTrue(kills >= 6, "only " + kills + " points were tried");
    }

    /**
     * Cuts the power after each write and flush in turn, losing what sat in the disk's cache
     * since the last flush (all of it, all but the last write, or nothing): the flush before the
     * header write must make the new tables durable before the header can point at them.
     */
    @ParameterizedTest(name = "{0} -> {1}, surviving cached writes: {2}")
    @CsvSource({"qcow2, qed, NONE", "qcow2, qed, LAST", "qcow2, qed, ALL", "qed, qcow2, NONE", "qed, qcow2, LAST", "qed, qcow2, ALL"})
    void aPowerCutAtAnyPointLeavesTheOldOrTheNewImage(String from, String to, PowerCutNode.Survivors survivors) throws Exception {
        image("base.raw", "raw", "64M", "", "write -P 8 0 64M");
        Path original = image("orig." + from, from, "64M", "cluster_size=64k,backing_file=base.raw,backing_fmt=raw", MIXED);
        Path raw = rawCopy(original);
        Path image = dir.resolve("work." + from);
        boolean finished = false;
        for (int operations = 0; !finished; operations++) {
            assertTrue(operations < 100, "the conversion never finished");
            Files.copy(original, image, StandardCopyOption.REPLACE_EXISTING);
            int budget = operations;
            InPlaceConversion conversion = new InPlaceConversion(Drivers.graph(), file -> new PowerCutNode(file, budget, survivors));
            try {
                conversion.convert(image.toString(), "", to);
                finished = true;
            } catch (PowerCutNode.PowerCut e) {
                // the machine is off; what the file holds now is what a reboot finds
            }
            String now = format(image);
            assertTrue(now.equals(from) || now.equals(to), now);
            int status = qemuCheck(image);
            if (now.equals("qcow2")) {
                assertEquals(0, status, "after " + operations + " operations the qcow2 image has leaks");
            }
            assertSameContent(raw, image);
        }
    }

    // ---------------------------------------------------------------- refusals

    /** Runs a conversion that must be refused with a message naming the image and the feature, leaving the file as it was. */
    private void assertRefused(Path image, String to, String... expected) throws IOException {
        byte[] before = Files.readAllBytes(image);
        ImgToolTest.Run r = tessera("convert", "--in-place", "-O", to, image.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.err().contains(image.toString()) || r.err().contains(image.getFileName().toString()), r.err());
        for (String e : expected) {
            assertTrue(r.err().contains(e), "'" + e + "' not in: " + r.err());
        }
        assertTrue(r.err().lines().count() == 1 && !r.err().contains("Exception"), r.err());
        assertArrayEquals(before, Files.readAllBytes(image), "a refused conversion changed the file");
    }

    @Test
    void compressedClustersAreRefused() throws Exception {
        Path plain = image("plain.qcow2", "qcow2", "16M", "", "write -P 5 0 1M");
        Path image = dir.resolve("c.qcow2");
        QemuImg.img("convert", "-c", "-O", "qcow2", plain.toString(), image.toString());
        assertRefused(image, "qed", "compressed clusters");
    }

    @Test
    void internalSnapshotsAreRefused() throws Exception {
        Path image = image("s.qcow2", "qcow2", "16M", "", "write -P 5 0 1M");
        QemuImg.img("snapshot", "-c", "before", image.toString());
        assertRefused(image, "qed", "internal snapshot");
    }

    @Test
    void persistentBitmapsAreRefused() throws Exception {
        Path image = image("bm.qcow2", "qcow2", "16M", "", "write -P 5 0 1M");
        QemuImg.img("bitmap", "--add", image.toString(), "dirty0");
        assertRefused(image, "qed", "persistent dirty bitmaps");
    }

    @Test
    void extendedL2IsRefused() throws Exception {
        Path image = image("x.qcow2", "qcow2", "16M", "extended_l2=on", "write -P 5 0 1M");
        assertRefused(image, "qed", "extended L2");
    }

    @Test
    void anExternalDataFileIsRefused() throws Exception {
        Path image = image("d.qcow2", "qcow2", "16M", "data_file=" + dir.resolve("d.data"), "write -P 5 0 1M");
        assertRefused(image, "qed", "external data file");
    }

    @Test
    void encryptionIsRefused() throws Exception {
        Path image = dir.resolve("e.qcow2");
        QemuImg.run(QemuImg.QEMU_IMG.toString(), "create", "-q", "-f", "qcow2", "--object", "secret,id=sec0,data=tessera", "-o",
                "encrypt.format=luks,encrypt.key-secret=sec0", image.toString(), "16M");
        assertRefused(image, "qed", "encrypted");
    }

    /** An image qemu-io wrote to and then died on (SIGABRT), before it could mark the image clean. */
    private Path crashedWhileWriting(String name, String format, String options) throws Exception {
        Path image = image(name, format, "16M", options);
        QemuImg.exec(List.of(QemuImg.QEMU_IO.toString(), "-f", format, "-c", "write -P 5 0 1M", "-c", "abort", image.toString()));
        return image;
    }

    @Test
    void aDirtyQcow2IsRefusedUntilChecked() throws Exception {
        assertRefused(crashedWhileWriting("dirty.qcow2", "qcow2", "lazy_refcounts=on"), "qed", "dirty bit", "check -r");
    }

    @Test
    void aCorruptQcow2IsRefused() throws Exception {
        Path image = image("corrupt.qcow2", "qcow2", "16M", "", "write -P 5 0 1M");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {2}), 79); // incompatible feature bit 1, corrupt
        }
        assertRefused(image, "qed", "corrupt bit", "check -r");
    }

    @Test
    void aQedThatNeedsACheckIsRefused() throws Exception {
        assertRefused(crashedWhileWriting("nc.qed", "qed", ""), "qcow2", "need-check", "check -r");
    }

    @Test
    void clusterSizesOnlyOneFormatHasAreRefused() throws Exception {
        assertRefused(image("small.qcow2", "qcow2", "16M", "cluster_size=512", "write -P 5 0 64k"), "qed", "512-byte clusters", "4 KiB",
                "2 MiB");
        assertRefused(image("big.qed", "qed", "64M", "cluster_size=4M,table_size=2", "write -P 5 0 64k"), "qcow2",
                "4194304-byte clusters", "4 KiB", "2 MiB");
    }

    @Test
    void aBackingFormatQedCannotRecordIsRefused() throws Exception {
        Path base = image("gone.qcow2", "qcow2", "16M", "");
        Path image = image("o.qcow2", "qcow2", "16M", "backing_file=gone.qcow2,backing_fmt=qcow2", "write -P 5 0 64k");
        Files.delete(base);
        assertRefused(image, "qed", "QED cannot record the backing format 'qcow2'");
    }

    @Test
    void otherFormatsAndTheSameFormatAreRefused() throws Exception {
        assertRefused(image("r.raw", "raw", "16M", ""), "qed", "is a raw image");
        assertRefused(image("same.qcow2", "qcow2", "16M", ""), "qcow2", "already a qcow2 image");
        ImgToolTest.Run r = tessera("convert", "--in-place", "-O", "qed", "-c", dir.resolve("same.qcow2").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("-c cannot be used with --in-place"), r.err());
    }

    @Test
    void anImageQemuHasOpenIsRefused() throws Exception {
        Path image = image("busy.qcow2", "qcow2", "16M", "", "write -P 5 0 64k");
        Process qemuIo = new ProcessBuilder(QemuImg.QEMU_IO.toString(), "-f", "qcow2", image.toString()).redirectErrorStream(true).start();
        try {
            // qemu-io prompts once it has opened the image and taken its locks.
            StringBuilder prompt = new StringBuilder();
            for (int c; !prompt.toString().contains("qemu-io>") && (c = qemuIo.getInputStream().read()) >= 0; ) {
                prompt.append((char) c);
            }
            QemuImg.Result info = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "info", image.toString()));
            assertTrue(info.err().contains("lock"), "qemu-io does not hold the image: " + prompt + info.out() + info.err());
            assertRefused(image, "qed", "is in use");
        } finally {
            qemuIo.getOutputStream().close();
            qemuIo.waitFor();
        }
        convertInPlace(image, "qed");
        assertEquals("qed", format(image));
    }

    @Test
    void aKilledConversionNeverStartsWithTheHeader() throws Exception {
        Path image = image("h.qcow2", "qcow2", "16M", "", "write -P 5 0 64k");
        byte[] header = new byte[512];
        ByteBuffer.wrap(Files.readAllBytes(image)).get(header);
        // With one write allowed only the first table reaches the file: the header is still qcow2's.
        InPlaceConversion conversion = new InPlaceConversion(Drivers.graph(), file -> new FailingNode(file, 1));
        assertThrows(FailingNode.Killed.class, () -> conversion.convert(image.toString(), "", "qed"));
        byte[] after = new byte[512];
        ByteBuffer.wrap(Files.readAllBytes(image)).get(after);
        assertArrayEquals(header, after);
    }
}
