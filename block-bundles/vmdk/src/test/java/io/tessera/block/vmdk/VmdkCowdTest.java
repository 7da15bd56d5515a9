package io.tessera.block.vmdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.testing.ImageAssertions;
import io.tessera.block.testing.QemuImg;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ESX sparse ("COWD", vmfsSparse) extents. qemu-img cannot create them, so the images are built
 * byte by byte here from the format's facts, and qemu-img reading them is the reference:
 *
 * <ul>
 * <li>byte 0: the magic "COWD"; then little-endian u32s: version (1) at 4, flags (3) at 8,
 *     capacity in sectors at 12, grain size in sectors at 16, grain directory sector at 20,
 *     grain directory entries at 24, next free sector at 28, geometry (cylinders, heads,
 *     sectors) at 32..43; the header takes 4 sectors (2 KiB) in ESX's files;
 * <li>the grain directory: u32 sector numbers of grain tables, 0 = none;
 * <li>each grain table: 4096 u32 sector numbers of grains, 0 = not allocated (the parent's or
 *     zeroes);
 * <li>the file is an extent of a descriptor with createType="vmfsSparse" and an extent line
 *     {@code RW SECTORS VMFSSPARSE "file"} (QEMU also takes it behind a SPARSE line).
 * </ul>
 */
class VmdkCowdTest {

    private static final int SECTOR = 512;
    private static final int GTES = 4096;

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    /** The layout of one handmade COWD extent: what goes where, and the bytes every grain holds. */
    private record Cowd(byte[] bytes, byte[] disk) {
    }

    /**
     * Builds a COWD extent of {@code capacity} sectors with {@code grain}-sector grains: header,
     * directory, then only the grain tables that map something, then the grains, in an order
     * unlike the disk's so that the tables matter.
     *
     * @param written the grains that hold data (the rest are unallocated)
     */
    private static Cowd cowd(long capacity, int grain, long[] written, long seed) {
        long grains = (capacity + grain - 1) / grain;
        int tables = (int) ((grains + GTES - 1) / GTES);
        int directorySector = 4;
        int directorySectors = (tables * 4 + SECTOR - 1) / SECTOR;
        java.util.TreeSet<Integer> usedTables = new java.util.TreeSet<>();
        for (long g : written) {
            usedTables.add((int) (g / GTES));
        }
        int tableSectors = GTES * 4 / SECTOR;
        int firstTable = directorySector + directorySectors;
        long firstGrain = firstTable + (long) usedTables.size() * tableSectors;
        long end = firstGrain + (long) written.length * grain;
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(end * SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, "COWD".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.putInt(4, 1).putInt(8, 3).putInt(12, (int) capacity).putInt(16, grain).putInt(20, directorySector).putInt(24, tables)
                .putInt(28, (int) end).putInt(32, (int) (capacity / (16 * 63))).putInt(36, 16).putInt(40, 63);
        int t = 0;
        java.util.Map<Integer, Integer> tableAt = new java.util.HashMap<>();
        for (int used : usedTables) {
            int sector = firstTable + t++ * tableSectors;
            tableAt.put(used, sector);
            b.putInt(directorySector * SECTOR + used * 4, sector);
        }
        byte[] disk = new byte[Math.toIntExact(capacity * SECTOR)];
        java.util.Random random = new java.util.Random(seed);
        // Grains are stored back to front, so a reader that ignored the tables would read garbage.
        for (int i = 0; i < written.length; i++) {
            long g = written[written.length - 1 - i];
            long sector = firstGrain + (long) i * grain;
            b.putInt(tableAt.get((int) (g / GTES)) * SECTOR + (int) (g % GTES) * 4, (int) sector);
            byte[] data = new byte[grain * SECTOR];
            random.nextBytes(data);
            b.put((int) (sector * SECTOR), data);
            int length = (int) Math.min(data.length, disk.length - g * grain * SECTOR);
            System.arraycopy(data, 0, disk, (int) (g * grain * SECTOR), length);
        }
        return new Cowd(b.array(), disk);
    }

    private Path vmfsSparse(String name, String extentType, long capacity, Path extent, String parentHint) throws Exception {
        Path descriptor = dir.resolve(name);
        Files.writeString(descriptor, "# Disk DescriptorFile\nversion=1\nCID=1a2b3c4d\nparentCID=" + (parentHint == null ? "ffffffff" : "00c0ffee")
                + "\ncreateType=\"vmfsSparse\"\n" + (parentHint == null ? "" : "parentFileNameHint=\"" + parentHint + "\"\n")
                + "\n# Extent description\nRW " + capacity + " " + extentType + " \"" + extent.getFileName() + "\"\n\n"
                + "# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"lsilogic\"\n");
        return descriptor;
    }

    @Test
    void readsAVmfsSparseDiskAsQemuDoes() throws Exception {
        long capacity = 40_008; // not a multiple of the grain: the last grain is cut short
        Cowd c = cowd(capacity, 16, new long[] {0, 3, 4, 1000, 2500}, 1);
        Path extent = dir.resolve("disk-delta.vmdk");
        Files.write(extent, c.bytes());
        Path disk = vmfsSparse("disk.vmdk", "VMFSSPARSE", capacity, extent, null);
        ImageAssertions.assertReadsAsQemu(VmdkReadTest.GRAPH, disk, "vmdk", dir);
        try (BlockNode node = VmdkReadTest.GRAPH.open(disk.toString(), "vmdk", true)) {
            ByteBuffer all = ByteBuffer.allocate(c.disk().length);
            node.read(0, all);
            assertArrayEquals(c.disk(), all.array(), "the bytes the grains were built with");
            Map<String, Object> info = node.imageInfo().formatSpecific();
            assertEquals("vmfsSparse", info.get("create-type"));
            @SuppressWarnings("unchecked")
            Map<String, Object> e = ((List<Map<String, Object>>) info.get("extents")).get(0);
            assertEquals("VMFSSPARSE", e.get("format"));
            assertEquals(16L * SECTOR, e.get("cluster-size"));
        }
    }

    /**
     * Writes into a COWD extent, as QEMU allows: in place inside an allocated grain, and new
     * grains appended where a grain table exists; a grain whose table is missing is refused by
     * name. qemu-img then reads what was written.
     */
    @Test
    void writesIntoACowdExtent() throws Exception {
        long capacity = 8192;
        Cowd c = cowd(capacity, 16, new long[] {0, 5}, 5);
        Path extent = dir.resolve("w-delta.vmdk");
        Files.write(extent, c.bytes());
        Path disk = vmfsSparse("w.vmdk", "VMFSSPARSE", capacity, extent, null);
        byte[] expected = c.disk().clone();
        byte[] data = new byte[3000];
        java.util.Arrays.fill(data, (byte) 0x4d);
        try (BlockNode node = VmdkReadTest.GRAPH.open(disk.toString(), "vmdk", false)) {
            node.write(100, ByteBuffer.wrap(data)); // inside grain 0
            node.write(40 * SECTOR, ByteBuffer.wrap(data)); // grain 2: new, in table 0
            System.arraycopy(data, 0, expected, 100, data.length);
            System.arraycopy(data, 0, expected, 40 * SECTOR, data.length);
        }
        Path raw = dir.resolve("w.raw");
        Files.write(raw, expected);
        QemuImg.img("compare", "-f", "vmdk", "-F", "raw", disk.toString(), raw.toString());
        assertTrue(QemuImg.img("check", disk.toString()).contains("No errors were found"));

        long far = 2L * GTES * 16;
        Cowd two = cowd(far + 16, 16, new long[] {1}, 6);
        Files.write(dir.resolve("t-delta.vmdk"), two.bytes());
        Path tables = vmfsSparse("t.vmdk", "VMFSSPARSE", far + 16, dir.resolve("t-delta.vmdk"), null);
        try (BlockNode node = VmdkReadTest.GRAPH.open(tables.toString(), "vmdk", false)) {
            BlockFormatException missing = assertThrows(BlockFormatException.class,
                    () -> node.write(far * SECTOR, ByteBuffer.wrap(data)));
            assertTrue(missing.getMessage().contains("grain table 2") && missing.getMessage().contains("missing"), missing.getMessage());
        }
    }

    /** Several grain tables, and a COWD extent behind a plain SPARSE line (QEMU accepts both). */
    @Test
    void followsEveryGrainTableBehindASparseLine() throws Exception {
        long capacity = 3L * GTES * 8 + 100; // 8-sector grains: a table covers 16 MiB; four tables
        Cowd c = cowd(capacity, 8, new long[] {5, GTES + 1, 2L * GTES, 3L * GTES + 12}, 2);
        Path extent = dir.resolve("tables-s001.vmdk");
        Files.write(extent, c.bytes());
        Path disk = vmfsSparse("tables.vmdk", "SPARSE", capacity, extent, null);
        ImageAssertions.assertReadsAsQemu(VmdkReadTest.GRAPH, disk, "vmdk", dir);
    }

    /** A COWD delta over a hosted sparse parent: unallocated grains show the parent, as in QEMU. */
    @Test
    void readsTheParentThroughACowdDelta() throws Exception {
        Path base = dir.resolve("base.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", base.toString(), "4M");
        QemuImg.io("vmdk", base, "write -P 0x5a 0 4M");
        String cid = QemuImg.img("info", base.toString()).lines().filter(l -> l.strip().startsWith("cid:")).findFirst().orElseThrow()
                .replaceAll("[^0-9]", "");
        Cowd c = cowd(8192, 16, new long[] {2, 100}, 3);
        Path extent = dir.resolve("child-delta.vmdk");
        Files.write(extent, c.bytes());
        Path child = vmfsSparse("child.vmdk", "VMFSSPARSE", 8192, extent, "base.vmdk");
        Files.writeString(child, Files.readString(child).replace("00c0ffee", String.format("%08x", Long.parseLong(cid))));
        ImageAssertions.assertReadsAsQemu(VmdkReadTest.GRAPH, child, "vmdk", dir);
    }

    @Test
    void refusesBrokenCowdExtents() throws Exception {
        Cowd c = cowd(4096, 16, new long[] {1}, 4);
        // The directory said to lie past the end of the file.
        byte[] far = c.bytes().clone();
        ByteBuffer.wrap(far).order(ByteOrder.LITTLE_ENDIAN).putInt(20, 1 << 30);
        Files.write(dir.resolve("far-delta.vmdk"), far);
        Path disk = vmfsSparse("far.vmdk", "VMFSSPARSE", 4096, dir.resolve("far-delta.vmdk"), null);
        BlockFormatException e = assertThrows(BlockFormatException.class, () -> VmdkReadTest.GRAPH.open(disk.toString(), "vmdk", true).close());
        assertTrue(e.getMessage().contains("grain directory"), e.getMessage());
        // A directory too short for the capacity: reading past it names the problem instead of reading out of bounds.
        byte[] shortDirectory = c.bytes().clone();
        ByteBuffer.wrap(shortDirectory).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 3 * GTES * 16);
        Files.write(dir.resolve("short-delta.vmdk"), shortDirectory);
        Path shortDisk = vmfsSparse("short.vmdk", "VMFSSPARSE", 3 * GTES * 16, dir.resolve("short-delta.vmdk"), null);
        try (BlockNode node = VmdkReadTest.GRAPH.open(shortDisk.toString(), "vmdk", true)) {
            BlockFormatException past = assertThrows(BlockFormatException.class, () -> node.read(2L * GTES * 16 * SECTOR, ByteBuffer.allocate(512)));
            assertTrue(past.getMessage().contains("past its grain directory's 1 entries"), past.getMessage());
        }
        // A COWD file opened on its own: QEMU needs a descriptor, and so does Tessera.
        Files.write(dir.resolve("alone.vmdk"), c.bytes());
        BlockFormatException alone = assertThrows(BlockFormatException.class,
                () -> VmdkReadTest.GRAPH.open(dir.resolve("alone.vmdk").toString(), "vmdk", true).close());
        assertTrue(alone.getMessage().contains("vmfsSparse descriptor"), alone.getMessage());
    }
}
