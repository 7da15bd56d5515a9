package io.tessera.block.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockPreallocation;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.block.BlockPreallocation;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDriverTest {

    @TempDir
    Path dir;

    private final FileDriver driver = new FileDriver();

    private Path image(int size) throws IOException {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        Path path = dir.resolve("disk.img");
        Files.write(path, bytes);
        return path;
    }

    private BlockNode open(Path path, boolean readOnly) throws IOException {
        return driver.open(new BlockOpenRequest(path.toString(), null, readOnly, Map.of()));
    }

    @Test
    void describesItselfAsTheFileProtocol() {
        assertEquals("file", driver.format());
        assertTrue(driver.isProtocol());
        assertEquals(1, driver.probe(new byte[0], "/tmp/disk.img"));
        assertEquals(1, driver.probe(new byte[0], "C:\\disk.img"));
        assertEquals(1, driver.probe(new byte[0], "dir/with:colon/disk.img"));
        assertEquals(100, driver.probe(new byte[0], "file:/tmp/disk.img"));
        assertEquals(0, driver.probe(new byte[0], "nbd://localhost:10809/disk"));
        assertEquals(0, driver.probe(new byte[0], "http:foo"));
    }

    @Test
    void resizeTruncatesOrExtendsTheFile() throws IOException {
        Path path = image(8192);
        try (BlockNode node = open(path, false)) {
            node.resize(4096, BlockPreallocation.OFF);
            assertEquals(4096, node.size());
            assertEquals(4096, Files.size(path));
            node.resize(1 << 20, BlockPreallocation.OFF);
            assertEquals(1 << 20, Files.size(path));
            node.resize(2 << 20, BlockPreallocation.FULL);
            assertEquals(2 << 20, node.size());
            ByteBuffer tail = ByteBuffer.allocate(1 << 20);
            node.read(1 << 20, tail);
            assertArrayEquals(new byte[1 << 20], tail.array(), "a grown range reads as zeroes");
            ByteBuffer head = ByteBuffer.allocate(4096);
            node.read(0, head);
            assertEquals((byte) 3, head.get(0), "what lies before the old end stays");
            assertThrows(IllegalArgumentException.class, () -> node.resize(4096, BlockPreallocation.FULL), "preallocation when shrinking");
            assertThrows(IllegalArgumentException.class, () -> node.resize(3 << 20, BlockPreallocation.METADATA));
        }
        try (BlockNode node = open(path, true)) {
            assertThrows(IOException.class, () -> node.resize(4096, BlockPreallocation.OFF));
        }
    }

    @Test
    void readsAndWritesAtPositions() throws IOException {
        Path path = image(8192);
        try (BlockNode node = open(path, false)) {
            assertEquals(8192, node.size());
            assertEquals("file", node.format());
            assertFalse(node.isReadOnly());
            ByteBuffer buffer = ByteBuffer.allocate(16);
            assertEquals(16, node.read(100, buffer));
            assertEquals(16, buffer.position());
            assertEquals((byte) (100 * 7 + 3), buffer.get(0));

            ByteBuffer src = ByteBuffer.wrap("hello, disk".getBytes(StandardCharsets.US_ASCII));
            assertEquals(11, node.write(4000, src));
            assertFalse(src.hasRemaining());
            node.flush();
        }
        byte[] after = Files.readAllBytes(path);
        assertEquals("hello, disk", new String(after, 4000, 11, StandardCharsets.US_ASCII));
        assertEquals((byte) (3999 * 7 + 3), after[3999]);
        assertEquals((byte) (4011 * 7 + 3), after[4011]);
    }

    @Test
    void readsStopAtTheEnd() throws IOException {
        try (BlockNode node = open(image(1000), true)) {
            ByteBuffer buffer = ByteBuffer.allocate(100);
            assertEquals(50, node.read(950, buffer));
            assertEquals(50, buffer.position());
            buffer.clear();
            assertEquals(0, node.read(1000, buffer));
            assertEquals(0, node.read(5000, buffer));
            assertEquals(0, buffer.position());
            assertThrows(IOException.class, () -> node.read(-1, ByteBuffer.allocate(1)));
        }
    }

    @Test
    void aMissingFileIsAnIOExceptionNamingIt() {
        Path missing = dir.resolve("no-such-disk.img");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> open(missing, false));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }

    @Test
    void aDirectoryIsRefused() {
        IOException e = assertThrows(IOException.class, () -> open(dir, true));
        assertTrue(e.getMessage().contains("to be a regular file"), e.getMessage());
    }

    @Test
    void anUnwritableFileIsRefusedReadWriteNamingIt() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root may write any file");
        Path path = image(512);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("r--r--r--"));
        assumeFalse(Files.isWritable(path), "this user may write read-only files");
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> open(path, false));
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
        try (BlockNode node = open(path, true)) {
            assertEquals(512, node.size());
        }
    }

    @Test
    void aReadOnlyNodeRefusesChangesWithAClearMessage() throws IOException {
        Path path = image(4096);
        try (BlockNode node = open(path, true)) {
            assertTrue(node.isReadOnly());
            IOException e = assertThrows(IOException.class, () -> node.write(0, ByteBuffer.allocate(4)));
            assertTrue(e.getMessage().contains("read-only") && e.getMessage().contains(path.toString()), e.getMessage());
            assertThrows(IOException.class, () -> node.writeZeroes(0, 512));
            assertThrows(IOException.class, () -> node.discard(0, 512));
            node.flush();
        }
        assertEquals((byte) 3, Files.readAllBytes(path)[0]);
    }

    @Test
    void writesPastTheEndGrowTheFileAsAProtocolNode() throws IOException {
        Path path = image(1000);
        try (BlockNode node = open(path, false)) {
            node.write(2000, ByteBuffer.wrap(new byte[] {9, 9}));
            assertEquals(2002, node.size());
            ByteBuffer gap = ByteBuffer.allocate(1000);
            assertEquals(1000, node.read(1000, gap));
            assertArrayEquals(new byte[1000], gap.array());
        }
        assertEquals(2002, Files.size(path));
    }

    @Test
    void writeZeroesInsideAndPastTheEnd() throws IOException {
        Path path = image(3 * 1024 * 1024);
        try (BlockNode node = open(path, false)) {
            node.writeZeroes(10, (2 << 20) + 5);
            node.writeZeroes(3 * 1024 * 1024 - 4, 1000);
            assertEquals(3 * 1024 * 1024 + 996, node.size());
            node.writeZeroes(0, 0);
        }
        byte[] bytes = Files.readAllBytes(path);
        assertEquals(3 * 1024 * 1024 + 996, bytes.length);
        assertEquals((byte) (9 * 7 + 3), bytes[9]);
        assertTrue(isZero(bytes, 10, (2 << 20) + 5));
        assertEquals((byte) ((10 + (2 << 20) + 5) * 7 + 3), bytes[10 + (2 << 20) + 5]);
        assertTrue(isZero(bytes, 3 * 1024 * 1024 - 4, 1000));
    }

    @Test
    void discardPunchesAHoleWithinTheFile() throws IOException {
        Path path = image(4096);
        try (BlockNode node = open(path, false)) {
            node.discard(0, 4096);
            IOException e = assertThrows(IOException.class, () -> node.discard(4000, 200));
            assertTrue(e.getMessage().contains("past the end"), e.getMessage());
        }
        byte[] after = Files.readAllBytes(path);
        assertEquals(4096, after.length, "a punched hole keeps the size");
        // On Linux the range is a hole now (reads zero); elsewhere discard stays a hint and the data stays.
        assertEquals(System.getProperty("os.name", "").equals("Linux") ? (byte) 0 : (byte) 3, after[0]);
    }

    @Test
    void blockStatusReportsDataClippedToTheSize() throws IOException {
        try (BlockNode node = open(image(4096), true)) {
            BlockStatus status = node.blockStatus(1000, 1 << 20);
            assertEquals(new BlockStatus(1000, 3096, true, false, 0, 1000), status);
            assertThrows(IllegalArgumentException.class, () -> node.blockStatus(4096, 1));
            assertThrows(IllegalArgumentException.class, () -> node.blockStatus(0, 0));
        }
    }

    @Test
    void blockStatusFindsTheHolesOfASparseFile() throws IOException {
        Path path = dir.resolve("sparse.img");
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            c.write(java.nio.ByteBuffer.wrap(new byte[] {1}), 8 << 20);
            c.write(java.nio.ByteBuffer.wrap(new byte[] {2}), 0);
        }
        try (BlockNode node = open(path, true)) {
            BlockStatus head = node.blockStatus(0, node.size());
            assertTrue(head.data() && head.length() < (8 << 20), "the written start is data: " + head);
            BlockStatus hole = node.blockStatus(head.end(), node.size() - head.end());
            assertEquals(false, hole.data(), "the middle is a hole: " + hole);
            assertTrue(hole.zero());
            BlockStatus tail = node.blockStatus(hole.end(), node.size() - hole.end());
            assertTrue(tail.data() && tail.end() == node.size(), "the last byte is data: " + tail);
        }
    }

    @Test
    void optionsAreCheckedAndTheNodeNamed() throws IOException {
        Path path = image(512);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> driver.open(new BlockOpenRequest(path.toString(), null, true, Map.of("bogus", "1"))));
        assertTrue(e.getMessage().contains("bogus"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> driver.open(new BlockOpenRequest(path.toString(), null, true, Map.of("cache.direct", "on"))));
        assertThrows(IllegalArgumentException.class,
                () -> driver.open(new BlockOpenRequest(path.toString(), null, true, Map.of("cache.no-flush", "maybe"))));
        try (BlockNode node = driver.open(new BlockOpenRequest("file:" + path, null, false,
                Map.of("node-name", "disk0", "cache.no-flush", "on", "cache.direct", "off")))) {
            assertEquals("disk0", node.nodeName());
            assertEquals(512, node.size());
            node.flush();
        }
        try (BlockNode a = open(path, true); BlockNode b = open(path, true)) {
            assertFalse(a.nodeName().equals(b.nodeName()));
        }
    }

    @Test
    void resizeShortensAndExtendsTheFile() throws IOException {
        Path path = image(8192);
        try (BlockNode node = open(path, false)) {
            node.resize(1000, BlockPreallocation.OFF);
            assertEquals(1000, node.size());
            assertEquals(1000, Files.size(path));
            node.resize(4096, BlockPreallocation.OFF);
            assertEquals(4096, Files.size(path));
            ByteBuffer tail = ByteBuffer.allocate(3096);
            node.read(1000, tail);
            assertArrayEquals(new byte[3096], tail.array(), "growing adds zeroes");
        }
        try (BlockNode node = open(path, true)) {
            IOException e = assertThrows(IOException.class, () -> node.resize(0, BlockPreallocation.OFF));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }

    @Test
    void anExclusiveNodeKeepsOthersOutUntilClosed() throws IOException {
        Path path = image(4096);
        Map<String, String> exclusive = Map.of("exclusive", "on");
        try (BlockNode first = driver.open(new BlockOpenRequest(path.toString(), null, false, exclusive))) {
            IOException e = assertThrows(IOException.class, () -> driver.open(new BlockOpenRequest(path.toString(), null, false, exclusive)));
            assertTrue(e.getMessage().contains("is in use"), e.getMessage());
            assertEquals(4096, first.size());
        }
        driver.open(new BlockOpenRequest(path.toString(), null, false, exclusive)).close();
        assertThrows(IllegalArgumentException.class, () -> driver.open(new BlockOpenRequest(path.toString(), null, true, exclusive)));
    }

    @Test
    void ioAfterCloseFailsAndCloseIsIdempotent() throws IOException {
        BlockNode node = open(image(512), false);
        node.close();
        node.close();
        IOException e = assertThrows(IOException.class, () -> node.read(0, ByteBuffer.allocate(1)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IOException.class, () -> node.write(0, ByteBuffer.allocate(1)));
        assertThrows(IOException.class, node::flush);
    }

    private static boolean isZero(byte[] bytes, int from, int length) {
        byte[] zero = new byte[length];
        return Arrays.equals(bytes, from, from + length, zero, 0, length);
    }

    /**
     * Checks the blocks a file takes: {@code expected} bytes of data, plus at most one block of the
     * file system's own (ext4 counts its extent tree's block in st_blocks once a file has more
     * than four extents, which punching and zeroing ranges can make).
     */
    private static void assertAllocated(long expected, Path path, String message) throws Exception {
        long actual = allocatedBytes(path);
        assertTrue(actual >= expected && actual <= expected + 4096, message + ": " + actual + " bytes allocated, expected " + expected);
    }

    /** The blocks the host gives the file (stat's %b, in 512-byte units): what {@code du} counts. */
    private static long allocatedBytes(Path path) throws Exception {
        Process p = new ProcessBuilder("stat", "-c", "%b", path.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "stat " + path);
        return Long.parseLong(out) * 512;
    }

    /**
     * preallocation=falloc reserves the blocks (du shows them, reads give zeroes); discard and
     * write-zeroes with unmap free them again (holes); write-zeroes without unmap keeps them, as
     * QEMU's file protocol does on Linux with fallocate(2).
     */
    @Test
    void fallocatesAndPunchesHolesAsQemuDoes() throws Exception {
        assumeTrue(System.getProperty("os.name", "").equals("Linux"), "fallocate(2) is Linux's");
        Path path = dir.resolve("space.img");
        Files.write(path, new byte[0]);
        int size = 8 << 20;
        try (BlockNode node = open(path, false)) {
            node.resize(size, BlockPreallocation.FALLOC);
            assertEquals(size, node.size());
            assertEquals(size, Files.size(path));
            assertTrue(allocatedBytes(path) >= size, "falloc reserves every block: " + allocatedBytes(path));
            ByteBuffer back = ByteBuffer.allocate(size);
            node.read(0, back);
            assertArrayEquals(new byte[size], back.array(), "reserved blocks read as zeroes");
            byte[] data = new byte[size];
            Arrays.fill(data, (byte) 0x6b);
            node.write(0, ByteBuffer.wrap(data));
            long full = allocatedBytes(path);

            node.discard(1 << 20, 2 << 20);
            assertAllocated(full - (2 << 20), path, "discard punches a 2 MiB hole");
            node.writeZeroes(4 << 20, 1 << 20, true);
            assertAllocated(full - (3 << 20), path, "write-zeroes with unmap punches a hole");
            node.writeZeroes(6 << 20, 1 << 20, false);
            assertAllocated(full - (3 << 20), path, "write-zeroes without unmap keeps the blocks");
            assertEquals(size, node.size(), "holes keep the size");

            node.read(0, back.clear());
            Arrays.fill(data, 1 << 20, 3 << 20, (byte) 0);
            Arrays.fill(data, 4 << 20, 5 << 20, (byte) 0);
            Arrays.fill(data, 6 << 20, 7 << 20, (byte) 0);
            assertArrayEquals(data, back.array());
            BlockStatus hole = node.blockStatus(1 << 20, 2 << 20);
            assertTrue(hole.zero() && !hole.data(), "block status finds the punched hole: " + hole);
        }
    }

    /** Growing a file by write-zeroes past its end or by resize leaves a hole, as QEMU's ftruncate does: no block is written. */
    @Test
    void growingWritesNoBlock() throws Exception {
        assumeTrue(System.getProperty("os.name", "").equals("Linux"), "ftruncate through the C library is for Linux here");
        Path path = dir.resolve("grown.img");
        Files.write(path, new byte[0]);
        try (BlockNode node = open(path, false)) {
            node.writeZeroes(0, 3 << 20);
            assertEquals(3 << 20, Files.size(path));
            assertEquals(0, allocatedBytes(path), "write-zeroes past the end takes no block");
            node.resize(5 << 20, BlockPreallocation.OFF);
            assertEquals(5 << 20, Files.size(path));
            assertEquals(0, allocatedBytes(path), "resize without preallocation takes no block");
            node.write(4 << 20, ByteBuffer.wrap(new byte[] {7}));
            node.writeZeroes((5 << 20) - 10, 20);
            assertEquals((5 << 20) + 10, node.size());
            ByteBuffer back = ByteBuffer.allocate(20);
            node.read((5 << 20) - 10, back);
            assertArrayEquals(new byte[20], back.array());
        }
        assertEquals((5 << 20) + 10, Files.size(path));
        assertEquals(7, Files.readAllBytes(path)[4 << 20], "a growing write keeps its byte");
    }
}
