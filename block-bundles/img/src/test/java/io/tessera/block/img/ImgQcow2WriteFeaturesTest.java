package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.img.ImgToolTest.Run;
import io.tessera.block.testing.FailingNode;
import io.tessera.block.testing.FailingProtocol;
import io.tessera.block.testing.QemuImg;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writes to qcow2 images with extended L2 entries (subclusters) and with external data files,
 * made side by side: the same qemu-io commands run by qemu-io on one copy and by tessera io on
 * another must leave the same disk (qemu-img compare), the same allocation map (qemu-img map),
 * images qemu-img check accepts, and for data files the same data file bytes. Writers killed
 * after every write leave images qemu-img accepts holding old or new data in every subcluster.
 */
class ImgQcow2WriteFeaturesTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumeInstalled();
    }

    /** Writes, zeroes and discards at subcluster and cluster edges, over data, zeroes, backing data and nothing. */
    private static List<String> workload(int cluster) {
        int sub = cluster / 32;
        return List.of(
                "write -P 0x11 " + (3 * sub + 100) + " 700",                 // inside one subcluster of an unallocated cluster
                "write -P 0x12 " + (cluster - sub / 2) + " " + sub,          // across a cluster edge, half subclusters both sides
                "write -P 0x13 " + 2 * cluster + " " + 2 * cluster,          // whole clusters
                "write -P 0x14 " + (2 * cluster + 5 * sub + 7) + " 9",       // into an allocated cluster
                "write -z " + (2 * cluster + 8 * sub) + " " + 4 * sub,       // aligned zero subclusters in an allocated cluster
                "write -z " + (3 * cluster + 100) + " " + (sub * 3),         // unaligned zeroes: edges written, middle marked
                "write -P 0x15 " + (2 * cluster + 9 * sub + 1) + " 10",      // back into a zeroed subcluster
                "write -z " + 5 * cluster + " " + cluster,                   // a whole unallocated cluster zeroed
                "write -P 0x16 " + (5 * cluster + 31 * sub) + " " + sub,     // the last subcluster of a zero cluster
                "discard " + 2 * cluster + " " + cluster,                    // a whole allocated cluster dropped
                "discard " + (cluster + sub) + " " + sub,                    // part of a cluster: ignored
                "write -P 0x17 " + (6 * cluster + 1) + " " + (3 * cluster)); // over several clusters, unaligned both ends
    }

    private static Run tesseraIo(Path image, List<String> commands) {
        List<String> args = new ArrayList<>(List.of("-f", "qcow2"));
        for (String c : commands) {
            args.add("-c");
            args.add(c);
        }
        args.add(image.toString());
        return ImgToolTest.io("", args.toArray(String[]::new));
    }

    private static void qemuIo(Path where, Path image, List<String> commands) throws Exception {
        List<String> args = new ArrayList<>(List.of(QemuImg.QEMU_IO.toString(), "-f", "qcow2"));
        for (String c : commands) {
            args.add("-c");
            args.add(c);
        }
        args.add(image.toString());
        Run r = Qemu.run(where, args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
    }

    private Path[] twoCopies() throws Exception {
        return Qemu.twoCopies(dir);
    }

    /** qemu-img map's JSON with the host offsets left out where {@code withOffsets} is false. */
    private static String map(Path where, String image, boolean withOffsets) throws Exception {
        Run r = Qemu.run(where, "qemu-img", "map", "--output=json", image);
        assertEquals(0, r.status(), r.err());
        return withOffsets ? r.out() : r.out().replaceAll(", \"offset\": [0-9]+", "");
    }

    private static void assertSameDisk(Path q, Path t, String image, boolean sameOffsets) throws Exception {
        for (Path where : List.of(q, t)) {
            Run check = Qemu.run(where, "qemu-img", "check", image);
            assertEquals(0, check.status(), where + ": " + check.out() + check.err());
        }
        Run compare = Qemu.run(q, "qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", image, t.resolve(image).toString());
        assertEquals(0, compare.status(), compare.out() + compare.err());
        assertEquals(map(q, image, sameOffsets), map(t, image, sameOffsets), "qemu-img map of both images");
    }

    @ParameterizedTest
    @CsvSource({"16k,none", "64k,none", "2M,none", "16k,qcow2", "64k,qcow2", "64k,raw", "64k,snapshot", "16k,compressed"})
    void subclusterWritesMatchQemuIo(String clusterSize, String backing) throws Exception {
        int cluster = (int) io.tessera.core.block.BlockOptions.parseSize("cluster_size", clusterSize);
        long size = 10L * cluster;
        List<String> create = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-o", "extended_l2=on,cluster_size=" + clusterSize));
        if (backing.equals("snapshot") || backing.equals("compressed")) {
            // Clusters shared with an internal snapshot, or compressed: writes must copy them, subclusters and all.
            Path source = dir.resolve("source.raw");
            QemuImg.img("create", "-q", "-f", "raw", source.toString(), Long.toString(size));
            QemuImg.io("raw", source, "write -P 0x51 0 " + 3 * cluster, "write -P 0x52 " + (6 * cluster + 2048) + " 1k");
            List<String> convert = new ArrayList<>(List.of("qemu-img", "convert", "-O", "qcow2", "-o",
                    "extended_l2=on,cluster_size=" + clusterSize, "source.raw", "x.qcow2"));
            if (backing.equals("compressed")) {
                convert.add(2, "-c");
            }
            assertEquals(0, Qemu.run(dir, convert.toArray(String[]::new)).status());
            Files.delete(source);
            if (backing.equals("snapshot")) {
                assertEquals(0, Qemu.run(dir, "qemu-io", "-c", "write -P 0x53 " + (cluster + 100) + " 3000", "x.qcow2").status());
                assertEquals(0, Qemu.run(dir, "qemu-img", "snapshot", "-c", "s1", "x.qcow2").status());
            }
            Path[] copies = twoCopies();
            qemuIo(copies[0], copies[0].resolve("x.qcow2"), workload(cluster));
            Run ours = tesseraIo(copies[1].resolve("x.qcow2"), workload(cluster));
            assertEquals(0, ours.status(), ours.err());
            assertSameDisk(copies[0], copies[1], "x.qcow2", false);
            return;
        }
        if (!backing.equals("none")) {
            assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", backing, "base.img", Long.toString(size)).status());
            assertEquals(0, Qemu.run(dir, "qemu-io", "-f", backing, "-c", "write -P 0x77 0 " + size, "base.img").status());
            create.addAll(List.of("-b", "base.img", "-F", backing));
        }
        create.addAll(List.of("x.qcow2", Long.toString(size)));
        assertEquals(0, Qemu.run(dir, create.toArray(String[]::new)).status());
        Path[] copies = twoCopies();
        qemuIo(copies[0], copies[0].resolve("x.qcow2"), workload(cluster));
        Run ours = tesseraIo(copies[1].resolve("x.qcow2"), workload(cluster));
        assertEquals(0, ours.status(), ours.err());
        assertSameDisk(copies[0], copies[1], "x.qcow2", false);
    }

    @ParameterizedTest
    @CsvSource({"off,off,", "on,off,", "off,on,", "on,on,", "off,off,base", "off,on,base"})
    void dataFileWritesMatchQemuIo(String raw, String extendedL2, String backing) throws Exception {
        int cluster = 65536;
        String options = "data_file=x.data,data_file_raw=" + raw + ",extended_l2=" + extendedL2;
        List<String> create = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-o", options));
        if (backing != null) {
            assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "base.qcow2", "1M").status());
            assertEquals(0, Qemu.run(dir, "qemu-io", "-c", "write -P 0x66 0 1M", "base.qcow2").status());
            create.addAll(List.of("-b", "base.qcow2", "-F", "qcow2"));
        }
        create.addAll(List.of("x.qcow2", "1M"));
        assertEquals(0, Qemu.run(dir, create.toArray(String[]::new)).status());
        Path[] copies = twoCopies();
        qemuIo(copies[0], Path.of("x.qcow2"), workload(cluster).subList(0, 10));
        Run ours = tesseraIo(copies[1].resolve("x.qcow2"), workload(cluster).subList(0, 10));
        assertEquals(0, ours.status(), ours.err());
        // QEMU keeps each cluster at its guest offset in the data file: the maps agree with their offsets.
        assertSameDisk(copies[0], copies[1], "x.qcow2", true);
        if (raw.equals("on")) {
            // A raw data file is the disk itself.
            Path disk = dir.resolve("disk.raw");
            assertEquals(0, Qemu.run(copies[1], "qemu-img", "convert", "-O", "raw", "x.qcow2", disk.toString()).status());
            assertArrayEquals(Files.readAllBytes(disk), Files.readAllBytes(copies[1].resolve("x.data")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"extended_l2=on,cluster_size=16k", "extended_l2=on", "extended_l2=on,cluster_size=2M,refcount_bits=1",
        "data_file=d.data", "data_file=d.data,data_file_raw=on", "data_file=d.data,extended_l2=on,preallocation=full"})
    void createsWhatQemuImgCreates(String options) throws Exception {
        Path[] copies = twoCopies();
        Run theirs = Qemu.run(copies[0], "qemu-img", "create", "-q", "-f", "qcow2", "-o", options, "n.qcow2", "3M");
        assertEquals(0, theirs.status(), theirs.err());
        Run ours = ImgToolTest.img("create", "-q", "-f", "qcow2", "-o", options, copies[1].resolve("n.qcow2").toString(), "3M");
        assertEquals(0, ours.status(), ours.err());
        Run info = Qemu.run(copies[0], "qemu-img", "info", "--output=json", "n.qcow2");
        Run ourInfo = Qemu.run(copies[1], "qemu-img", "info", "--output=json", "n.qcow2");
        assertEquals(info.out().replaceAll("\"actual-size\": [0-9]+", ""), ourInfo.out().replaceAll("\"actual-size\": [0-9]+", ""));
        Run tesseraInfo = ImgToolTest.img("info", "--output=json", copies[1].resolve("n.qcow2").toString());
        assertTrue(tesseraInfo.out().contains(info.out().substring(info.out().indexOf("\"format-specific\""), info.out().indexOf("\"dirty-flag\""))),
                "tessera img info shows the format-specific part as qemu-img: " + tesseraInfo.out());
        assertSameDisk(copies[0], copies[1], "n.qcow2", options.contains("data_file"));
        // Then the same writes, and again the same disk.
        qemuIo(copies[0], Path.of("n.qcow2"), workload(65536).subList(0, 8));
        assertEquals(0, tesseraIo(copies[1].resolve("n.qcow2"), workload(65536).subList(0, 8)).status());
        assertSameDisk(copies[0], copies[1], "n.qcow2", options.contains("data_file"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-c"})
    void convertsIntoSubclusters(String compressed) throws Exception {
        Path raw = dir.resolve("src.raw");
        QemuImg.img("create", "-q", "-f", "raw", raw.toString(), "5M");
        QemuImg.io("raw", raw, "write -P 0x31 0 1M", "write -P 0x32 1500k 3k", "write -P 0x33 4M 100k");
        Path out = dir.resolve("out.qcow2");
        List<String> args = new ArrayList<>(List.of("convert", "-O", "qcow2", "-o", "extended_l2=on,cluster_size=128k", raw.toString(), out.toString()));
        if (!compressed.isEmpty()) {
            args.add(1, compressed);
        }
        Run r = ImgToolTest.img(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        if (!compressed.isEmpty()) {
            assertTrue(QemuImg.img("check", out.toString()).contains("compressed clusters"));
            // Writes over the compressed clusters, partial and whole, then the same check and comparison as qemu-io's.
            QemuImg.io("raw", raw, "write -P 0x34 100k 1k", "write -P 0x35 256k 128k");
            assertEquals(0, tesseraIo(out, List.of("write -P 0x34 100k 1k", "write -P 0x35 256k 128k")).status());
        }
        QemuImg.img("check", "-q", out.toString());
        assertEquals(0, Qemu.run(dir, "qemu-img", "compare", "-f", "raw", "-F", "qcow2", "src.raw", "out.qcow2").status());
        assertTrue(QemuImg.img("info", out.toString()).contains("extended l2: true"));
    }

    /** resize side by side: the data file follows the disk, a raw one maps the grown range, subclusters over a longer backing file read as zeroes. */
    @Test
    void resizesAsQemuImg() throws Exception {
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "base.qcow2", "4M").status());
        assertEquals(0, Qemu.run(dir, "qemu-io", "-c", "write -P 0x61 0 4M", "base.qcow2").status());
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=r.data,data_file_raw=on", "r.qcow2", "1M").status());
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=e.data,extended_l2=on", "e.qcow2", "1M").status());
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-o", "extended_l2=on,cluster_size=16k", "-b", "base.qcow2",
                "-F", "qcow2", "x.qcow2", "1000k").status());
        for (String image : List.of("r.qcow2", "e.qcow2", "x.qcow2")) {
            assertEquals(0, Qemu.run(dir, "qemu-io", "-c", "write -P 3 100k 899k", image).status());
        }
        Path[] copies = twoCopies();
        for (String[] resize : new String[][] {{"r.qcow2", "3M"}, {"e.qcow2", "--shrink", "512k"}, {"e.qcow2", "2M"}, {"x.qcow2", "3M"},
            {"x.qcow2", "--shrink", "777k"}, {"x.qcow2", "4M"}}) {
            List<String> args = new ArrayList<>(List.of("resize"));
            args.addAll(Arrays.asList(resize).subList(1, resize.length));
            args.add(args.size() - 1, "FILE");
            Qemu.sideBySide(copies[0], copies[1].resolve(resize[0]), copies[0].resolve(resize[0]), args.toArray(String[]::new));
            assertSameDisk(copies[0], copies[1], resize[0], !resize[0].equals("x.qcow2"));
        }
        for (String data : List.of("r.data", "e.data")) {
            assertEquals(Files.size(copies[0].resolve(data)), Files.size(copies[1].resolve(data)), data);
        }
    }

    @Test
    void amendsTheDataFileAsQemuImgAllows() throws Exception {
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=a.data", "a.qcow2", "1M").status());
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=r.data,data_file_raw=on", "r.qcow2", "1M").status());
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "p.qcow2", "1M").status());
        Path[] copies = twoCopies();
        for (String[] amend : new String[][] {{"p.qcow2", "data_file=x.data"}, {"p.qcow2", "data_file_raw=on"},
            {"a.qcow2", "data_file_raw=on"}, {"r.qcow2", "data_file_raw=off"}, {"a.qcow2", "data_file=b.data"}}) {
            Qemu.sideBySide(copies[0], copies[1].resolve(amend[0]), copies[0].resolve(amend[0]), "amend", "-o", amend[1], "FILE");
        }
        // Internal snapshots cannot share a data file's clusters: refused as by qemu-img.
        Qemu.sideBySide(copies[0], copies[1].resolve("r.qcow2"), copies[0].resolve("r.qcow2"), "snapshot", "-c", "s1", "FILE");
        for (String image : List.of("a.qcow2", "r.qcow2")) {
            // Both read the same header again (a.qcow2 now names b.data, which neither has).
            assertEquals(dump(copies[0].resolve(image)), dump(copies[1].resolve(image)), image);
        }
    }

    private static String dump(Path image) throws Exception {
        return java.util.HexFormat.of().formatHex(Arrays.copyOf(Files.readAllBytes(image), 512));
    }

    // ------------------------------------------------------------------ crashes

    /**
     * The writer dies after every number of writes to any of its files (the image, its data
     * file, its backing file): qemu-img check must accept what is left (leaks at most), and every
     * subcluster must read as one of the contents it has held.
     */
    @ParameterizedTest
    @ValueSource(strings = {"extended_l2=on,cluster_size=16k", "data_file=c.data", "data_file=c.data,data_file_raw=on",
        "data_file=c.data,extended_l2=on,cluster_size=16k"})
    void aWriterKilledAtAnyPointLeavesOldOrNewData(String options) throws Exception {
        int size = 1 << 20;
        int unit = 512;
        List<String> create = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-o", options));
        if (!options.contains("data_file")) {
            assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "base.qcow2", Integer.toString(size)).status());
            assertEquals(0, Qemu.run(dir, "qemu-io", "-c", "write -P 0x70 0 " + size, "base.qcow2").status());
            create.addAll(List.of("-b", "base.qcow2", "-F", "qcow2"));
        }
        create.addAll(List.of("c.qcow2", Integer.toString(size)));
        assertEquals(0, Qemu.run(dir, create.toArray(String[]::new)).status());
        assertEquals(0, Qemu.run(dir, "qemu-io", "-c", "write -P 0x40 0 256k", "c.qcow2").status());
        Path pristine = Files.createDirectories(dir.resolve("pristine"));
        for (String f : List.of("c.qcow2", "c.data")) {
            if (Files.exists(dir.resolve(f))) {
                Files.copy(dir.resolve(f), pristine.resolve(f));
            }
        }
        Path start = dir.resolve("start.raw");
        assertEquals(0, Qemu.run(dir, "qemu-img", "convert", "-O", "raw", "c.qcow2", start.toString()).status());
        byte[] initial = Files.readAllBytes(start);
        int kills = 0;
        for (int writes = 0; ; writes += Math.max(1, writes / 10)) {
            for (String f : List.of("c.qcow2", "c.data")) {
                if (Files.exists(pristine.resolve(f))) {
                    Files.copy(pristine.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            byte[] model = initial.clone();
            List<List<byte[]>> history = new ArrayList<>();
            for (int u = 0; u < size / unit; u++) {
                history.add(new ArrayList<>(List.of(Arrays.copyOfRange(model, u * unit, (u + 1) * unit))));
            }
            FailingProtocol protocol = new FailingProtocol(Drivers.graph().protocol(), writes);
            BlockGraph graph = new BlockGraph(protocol, Drivers.graph().drivers());
            boolean killed = false;
            try (BlockNode node = graph.open(dir.resolve("c.qcow2").toString(), "qcow2", false)) {
                Random random = new Random(11);
                for (int i = 0; i < 30; i++) {
                    int at = random.nextInt(size - 70_000) / unit * unit + (random.nextBoolean() ? 0 : random.nextInt(unit));
                    int length = random.nextInt(i % 3 == 0 ? 60_000 : 3000) + 1;
                    byte[] data = new byte[length];
                    Arrays.fill(data, i % 6 == 5 ? 0 : (byte) (i + 1));
                    // The new contents count as held before the request starts: a kill may leave any part of it done.
                    System.arraycopy(data, 0, model, at, length);
                    for (int u = at / unit; u <= (at + length - 1) / unit; u++) {
                        history.get(u).add(Arrays.copyOfRange(model, u * unit, (u + 1) * unit));
                    }
                    if (i % 6 == 5) {
                        node.writeZeroes(at, length);
                    } else {
                        node.write(at, ByteBuffer.wrap(data));
                    }
                    if (i % 7 == 6) {
                        node.flush();
                    }
                }
            } catch (FailingNode.Killed e) {
                killed = true;
            } catch (java.io.IOException e) {
                if (!(e.getCause() instanceof FailingNode.Killed) && !(e.getSuppressed().length > 0 && e.getSuppressed()[0] instanceof FailingNode.Killed)) {
                    throw e;
                }
                killed = true;
            }
            protocol.abandonAll();
            Run check = Qemu.run(dir, "qemu-img", "check", "c.qcow2");
            assertTrue(check.status() == 0 || check.status() == 3, options + " killed after " + writes + " writes: " + check.out() + check.err());
            Path now = dir.resolve("now.raw");
            assertEquals(0, Qemu.run(dir, "qemu-img", "convert", "-O", "raw", "c.qcow2", now.toString()).status());
            byte[] after = Files.readAllBytes(now);
            if (!killed) {
                assertArrayEquals(model, after, options + ": the finished run reads what was written");
                break;
            }
            for (int u = 0; u < size / unit; u++) {
                byte[] got = Arrays.copyOfRange(after, u * unit, (u + 1) * unit);
                int unitIndex = u;
                assertTrue(history.get(u).stream().anyMatch(h -> Arrays.equals(h, got)),
                        options + ": bytes " + unitIndex * unit + ".. after a kill at write " + writes + " hold data they never held");
            }
            kills++;
        }
        assertTrue(kills > 10, options + ": the writer was killed at only " + kills + " points");
    }

    // ------------------------------------------------------------------ hostile images

    @Test
    void refusesSubclustersBothAllocatedAndZero() throws Exception {
        Path image = dir.resolve("both.qcow2");
        QemuImg.img("create", "-q", "-f", "qcow2", "-o", "extended_l2=on", image.toString(), "1M");
        QemuImg.io("qcow2", image, "write -P 1 0 4k");
        byte[] bytes = Files.readAllBytes(image);
        // The first entry of the first L2 table says subclusters 0 and 1 (2 KiB each) are allocated: mark subcluster 0 zero as well.
        ByteBuffer header = ByteBuffer.wrap(bytes);
        int l2 = (int) (header.getLong((int) header.getLong(40)) & 0x00fffffffffffe00L);
        assertEquals(0x3L, header.getLong(l2 + 8));
        bytes[l2 + 8 + 3] |= 1;
        Files.write(image, bytes);
        for (List<String> command : List.of(List.of("-c", "write -P 2 100 10"), List.of("-c", "read 0 512"))) {
            List<String> args = new ArrayList<>(List.of("-f", "qcow2"));
            args.addAll(command);
            args.add(image.toString());
            Run r = ImgToolTest.io("", args.toArray(String[]::new));
            assertTrue(r.err().contains("both allocated and zero"), command + ": " + r.err());
        }
        // check finds it as qemu-img check does: the same status and message.
        Path copy = dir.resolve("both-copy.qcow2");
        Files.copy(image, copy);
        Run ours = Qemu.sideBySide(dir, image, copy, "check", "FILE");
        assertEquals(2, ours.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.data", "ABSOLUTE"})
    void opensADataFileOutsideTheImageDirectoryAsQemuDoes(String given) throws Exception {
        // qemu-img records such names (an absolute one as given) and QEMU opens them; so does Tessera.
        String name = given.equals("ABSOLUTE") ? dir.resolve("absolute.data").toString() : given;
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Path image = sub.resolve("esc.qcow2");
        assertEquals(0, Qemu.run(sub, "qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + name, "esc.qcow2", "1M").status());
        Run wrote = ImgToolTest.io("", "-f", "qcow2", "-c", "write -P 5 0 512", image.toString());
        assertEquals(0, wrote.status(), wrote.err());
        assertEquals(0, Qemu.run(sub, "qemu-io", "-f", "qcow2", "-c", "read -P 5 0 512", "esc.qcow2").status());
        Run info = ImgToolTest.img("info", "--output=json", image.toString());
        assertEquals(0, info.status(), info.err());
        assertTrue(info.out().contains("\"data-file\": \"" + name + "\""), info.out());

        // Tessera's create puts the data file where the name says, resolved from the image's directory.
        String ours = given.equals("ABSOLUTE") ? dir.resolve("absolute2.data").toString() : "../outside2.data";
        Run created = ImgToolTest.img("create", "-q", "-f", "qcow2", "-o", "data_file=" + ours, sub.resolve("esc2.qcow2").toString(), "1M");
        assertEquals(0, created.status(), created.err());
        assertTrue(Files.exists(dir.resolve(given.equals("ABSOLUTE") ? "absolute2.data" : "outside2.data")));
        assertEquals(0, Qemu.run(sub, "qemu-img", "check", "-q", "esc2.qcow2").status());
    }

    @Test
    void namesAMissingDataFile() throws Exception {
        assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=gone.data", "m.qcow2", "1M").status());
        Files.delete(dir.resolve("gone.data"));
        Run r = ImgToolTest.img("info", dir.resolve("m.qcow2").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("external data file 'gone.data', which does not exist"), r.err());
    }
}
