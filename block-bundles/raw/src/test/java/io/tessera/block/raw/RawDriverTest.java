package io.tessera.block.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.file.FileDriver;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawDriverTest {

    @TempDir
    Path dir;

    private final FileDriver fileDriver = new FileDriver();
    private final RawDriver raw = new RawDriver();

    private Path image(int size) throws IOException {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        Path path = dir.resolve("disk.img");
        Files.write(path, bytes);
        return path;
    }

    private BlockNode open(Path path, boolean readOnly, Map<String, String> options) throws IOException {
        BlockNode file = fileDriver.open(new BlockOpenRequest(path.toString(), null, readOnly, Map.of()));
        try {
            return raw.open(new BlockOpenRequest(path.toString(), file, readOnly, options));
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static byte expected(long fileOffset) {
        return (byte) (fileOffset * 7 + 3);
    }

    @Test
    void isTheCatchAllFormat() {
        assertEquals("raw", raw.format());
        assertFalse(raw.isProtocol());
        assertEquals(1, raw.probe(new byte[0], ""));
        assertEquals(1, raw.probe("QFI\u00fb".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "x.qcow2"));
    }

    @Test
    void passesReadsAndWritesThrough() throws IOException {
        Path path = image(8192);
        try (BlockNode node = open(path, false, Map.of())) {
            assertEquals(8192, node.size());
            assertEquals("raw", node.format());
            assertEquals("file", node.file().orElseThrow().format());
            assertTrue(node.backing().isEmpty());
            ByteBuffer buffer = ByteBuffer.allocate(512);
            assertEquals(512, node.read(1024, buffer));
            assertEquals(expected(1024), buffer.get(0));
            assertEquals(expected(1535), buffer.get(511));
            byte[] data = new byte[700];
            Arrays.fill(data, (byte) 0x5a);
            assertEquals(700, node.write(3000, ByteBuffer.wrap(data)));
            node.writeZeroes(5000, 100);
            node.discard(0, 512);
            node.flush();
        }
        byte[] bytes = Files.readAllBytes(path);
        assertEquals(8192, bytes.length);
        assertEquals((byte) 0x5a, bytes[3000]);
        assertEquals((byte) 0x5a, bytes[3699]);
        assertEquals(expected(3700), bytes[3700]);
        assertEquals(0, bytes[5000]);
        assertEquals(0, bytes[5099]);
        assertEquals(expected(5100), bytes[5100]);
    }

    @Test
    void rangesPastTheEnd() throws IOException {
        Path path = image(4096);
        try (BlockNode node = open(path, false, Map.of())) {
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            assertEquals(96, node.read(4000, buffer));
            assertEquals(96, buffer.position());
            assertEquals(1024, buffer.limit());
            assertEquals(0, node.read(4096, ByteBuffer.allocate(8)));
            IOException e = assertThrows(IOException.class, () -> node.write(4000, ByteBuffer.allocate(97)));
            assertTrue(e.getMessage().contains("past the end"), e.getMessage());
            assertThrows(IOException.class, () -> node.writeZeroes(4095, 2));
            assertThrows(IOException.class, () -> node.discard(0, 4097));
            assertThrows(IOException.class, () -> node.write(-1, ByteBuffer.allocate(1)));
            assertThrows(IllegalArgumentException.class, () -> node.blockStatus(4096, 1));
            node.write(4000, ByteBuffer.allocate(96));
        }
        assertEquals(4096, Files.size(path));
    }

    @Test
    void aReadOnlyNodeRefusesWritesWithAClearMessage() throws IOException {
        Path path = image(4096);
        try (BlockNode node = open(path, true, Map.of())) {
            assertTrue(node.isReadOnly());
            IOException e = assertThrows(IOException.class, () -> node.write(0, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertThrows(IOException.class, () -> node.writeZeroes(0, 512));
            assertThrows(IOException.class, () -> node.discard(0, 512));
            assertEquals(512, node.read(0, ByteBuffer.allocate(512)));
        }
        assertEquals(expected(0), Files.readAllBytes(path)[0]);
    }

    @Test
    void aReadWriteNodeOverAReadOnlyFileIsRefused() throws IOException {
        Path path = image(512);
        try (BlockNode file = fileDriver.open(new BlockOpenRequest(path.toString(), null, true, Map.of()))) {
            IOException e = assertThrows(IOException.class, () -> raw.open(new BlockOpenRequest(path.toString(), file, false, Map.of())));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }

    @Test
    void aMissingFileIsAnIOExceptionNamingIt() {
        Path missing = dir.resolve("gone.img");
        IOException e = assertThrows(NoSuchFileException.class, () -> open(missing, false, Map.of()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void needsAFileNode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> raw.open(new BlockOpenRequest("x.img", null, true, Map.of())));
        assertTrue(e.getMessage().contains("file node"), e.getMessage());
    }

    @Test
    void offsetAndSizeMakeAWindow() throws IOException {
        Path path = image(8192);
        try (BlockNode node = open(path, false, Map.of("offset", "1000", "size", "2k", "node-name", "win"))) {
            assertEquals("win", node.nodeName());
            assertEquals(2048, node.size());
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            assertEquals(2048, node.read(0, buffer));
            assertEquals(expected(1000), buffer.get(0));
            assertEquals(expected(3047), buffer.get(2047));
            node.write(2047, ByteBuffer.wrap(new byte[] {1}));
            assertThrows(IOException.class, () -> node.write(2048, ByteBuffer.wrap(new byte[] {1})));
            assertEquals(new BlockStatus(10, 2038, true, false, 0, 1010), node.blockStatus(10, 1 << 20));
        }
        byte[] bytes = Files.readAllBytes(path);
        assertEquals(1, bytes[3047]);
        assertEquals(expected(3048), bytes[3048]);
        assertEquals(8192, bytes.length);

        try (BlockNode node = open(path, true, Map.of("offset", "4096"))) {
            assertEquals(4096, node.size());
            ByteBuffer one = ByteBuffer.allocate(1);
            node.read(0, one);
            assertEquals(expected(4096), one.get(0));
        }
    }

    @Test
    void badOptionsAreRefusedWithTheirNames() throws IOException {
        Path path = image(4096);
        assertMessage(() -> open(path, true, Map.of("offset", "5000")), "past the end");
        assertMessage(() -> open(path, true, Map.of("size", "1000")), "multiple of 512");
        assertMessage(() -> open(path, true, Map.of("offset", "512", "size", "4096")), "exceed");
        assertMessage(() -> open(path, true, Map.of("offset", "-1")), "negative");
        assertMessage(() -> open(path, true, Map.of("offset", "lots")), "offset");
        assertMessage(() -> open(path, true, Map.of("sise", "512")), "sise");
    }

    @Test
    void closingClosesTheFileNode() throws IOException {
        BlockNode node = open(image(512), false, Map.of());
        BlockNode file = node.file().orElseThrow();
        node.close();
        node.close();
        assertThrows(IOException.class, () -> file.read(0, ByteBuffer.allocate(1)));
        assertThrows(IOException.class, () -> node.read(0, ByteBuffer.allocate(1)));
        assertSame(file, node.file().orElseThrow());
    }

    private interface Opener {
        BlockNode open() throws IOException;
    }

    private static void assertMessage(Opener opener, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, opener::open);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void sizesParse() {
        assertEquals(4096, RawDriver.parseSize("size", "4096"));
        assertEquals(1 << 20, RawDriver.parseSize("size", "1M"));
        assertEquals(3L << 30, RawDriver.parseSize("size", "3g"));
        assertThrows(IllegalArgumentException.class, () -> RawDriver.parseSize("size", "99999999999T"));
        assertThrows(IllegalArgumentException.class, () -> RawDriver.parseSize("size", ""));
    }
}
