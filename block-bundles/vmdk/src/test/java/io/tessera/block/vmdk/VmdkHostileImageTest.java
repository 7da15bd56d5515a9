package io.tessera.block.vmdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.testing.QemuImg;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile VMDK images: a valid image from qemu-img with one field made absurd, or a descriptor
 * written by hand. Each must get an {@link IOException} whose message names the problem, never
 * another exception, a read outside the image's directory, a huge allocation or a hang.
 */
class VmdkHostileImageTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    /** A 4 MiB monolithicSparse image with data in its first two grains. */
    private Path valid(String name) throws Exception {
        Path image = dir.resolve(name);
        QemuImg.img("create", "-q", "-f", "vmdk", image.toString(), "4M");
        QemuImg.io("vmdk", image, "write -P 0x61 0 128k");
        return image;
    }

    private static long headerLong(Path image, int offset) throws IOException {
        try (FileChannel c = FileChannel.open(image)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            c.read(b, offset);
            return b.getLong(0);
        }
    }

    private static void put(Path image, long offset, long value, int width) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
        if (width == 8) {
            b.putLong(0, value);
        } else {
            b.putInt(0, (int) value);
        }
        try (FileChannel c = FileChannel.open(image, StandardOpenOption.WRITE)) {
            c.write(b, offset);
        }
    }

    /** Opens and reads the whole image read-only; returns the first error's message, or null. */
    private static String exercise(Path image) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (BlockNode node = VmdkReadTest.GRAPH.open(image.toString(), "vmdk", true)) {
                node.imageInfo();
                long size = Math.min(node.size(), 64L << 20);
                ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
                for (long at = 0; at < size; at += buffer.capacity()) {
                    buffer.clear();
                    node.read(at, buffer);
                }
                for (long at = 0; at < size; ) {
                    at = node.blockStatus(at, size - at).end();
                }
                return null;
            } catch (IOException e) {
                assertNotNull(e.getMessage());
                return e.getMessage();
            }
        });
    }

    private static void assertRefused(Path image, String expected) {
        String message = exercise(image);
        assertNotNull(message, image.getFileName() + " was accepted");
        assertTrue(message.contains(expected), "message '" + message + "' should say '" + expected + "'");
    }

    @Test
    void truncatedHeader() throws Exception {
        Path image = valid("truncated.vmdk");
        try (FileChannel c = FileChannel.open(image, StandardOpenOption.WRITE)) {
            c.truncate(100);
        }
        assertRefused(image, "cut off inside its sparse extent header");
    }

    @Test
    void grainTablePastTheEnd() throws Exception {
        Path image = valid("gt.vmdk");
        put(image, headerLong(image, 56) * 512, 0x7fffff00L, 4);
        assertRefused(image, "grain table 0");
    }

    @Test
    void grainPastTheEnd() throws Exception {
        Path image = valid("grain.vmdk");
        long gt = readInt(image, headerLong(image, 56) * 512);
        put(image, gt * 512 + 4, 0x10000000L, 4);
        assertRefused(image, "grain 1");
        try (BlockNode node = VmdkReadTest.GRAPH.open(image.toString(), "vmdk", true)) {
            io.tessera.core.block.BlockCheckResult check = node.check(io.tessera.core.block.BlockRepair.NONE).orElseThrow();
            assertEquals(1, check.corruptions(), check.messages().toString());
            assertTrue(check.messages().get(0).contains("grain 1 "), check.messages().toString());
        }
    }

    private static long readInt(Path image, long offset) throws IOException {
        try (FileChannel c = FileChannel.open(image)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            c.read(b, offset);
            return Integer.toUnsignedLong(b.getInt(0));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {-1L, 1L << 60, 1L << 42})
    void absurdCapacity(long sectors) throws Exception {
        Path image = valid("capacity.vmdk");
        put(image, 12, sectors, 8);
        assertRefused(image, "capacity");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 1L << 40, 8192})
    void absurdGrainSize(long sectors) throws Exception {
        Path image = valid("grainsize.vmdk");
        put(image, 20, sectors, 8);
        assertRefused(image, "grain size");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 513, -1})
    void absurdGrainTableLength(int entries) throws Exception {
        Path image = valid("gtes.vmdk");
        put(image, 44, entries, 4);
        assertRefused(image, "entries per grain table");
    }

    @Test
    void grainDirectoryPastTheEnd() throws Exception {
        Path image = valid("gd.vmdk");
        put(image, 56, 1L << 40, 8);
        assertRefused(image, "grain directory");
    }

    @Test
    void embeddedDescriptorTooLarge() throws Exception {
        Path image = valid("desc.vmdk");
        put(image, 36, 1L << 50, 8);
        assertRefused(image, "embedded descriptor");
    }

    @Test
    void unknownVersion() throws Exception {
        Path image = valid("version.vmdk");
        put(image, 4, 9, 4);
        assertRefused(image, "version 9");
    }

    @Test
    void streamWithoutFooter() throws Exception {
        Path image = valid("footer.vmdk");
        put(image, 56, -1L, 8);
        assertRefused(image, "footer");
    }

    @Test
    void compressedGrainsThatLie() throws Exception {
        Path source = valid("source.vmdk");
        Path stream = dir.resolve("stream.vmdk");
        QemuImg.img("convert", "-f", "vmdk", "-O", "vmdk", "-o", "subformat=streamOptimized", source.toString(), stream.toString());
        long grain = readInt(stream, readInt(stream, headerLong(stream, 56) * 512) * 512) * 512;
        Path huge = dir.resolve("huge.vmdk");
        Files.copy(stream, huge);
        put(huge, grain + 8, 0x7fffffffL, 4);
        assertRefused(huge, "claims");
        Path garbage = dir.resolve("garbage.vmdk");
        Files.copy(stream, garbage);
        put(garbage, grain + 12, 0x1234567890abcdefL, 8);
        assertRefused(garbage, "compressed grain 0");
    }

    private Path descriptor(String name, String extents) throws IOException {
        Path d = dir.resolve(name);
        Files.writeString(d, "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n" + extents);
        return d;
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside-flat.vmdk", "/etc/passwd", "sub/../../outside-flat.vmdk"})
    void extentFilesOutsideTheImageDirectory(String name) throws Exception {
        Path inner = Files.createDirectories(dir.resolve("inner"));
        Files.write(dir.resolve("outside-flat.vmdk"), new byte[4096]);
        Path d = inner.resolve("escape.vmdk");
        Files.writeString(d, "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\nRW 8 FLAT \"" + name + "\" 0\n");
        assertRefused(d, "outside its own directory");
    }

    @Test
    void tooManyExtents() throws Exception {
        assertRefused(descriptor("many.vmdk", "RW 1 ZERO\n".repeat(VmdkDescriptor.MAX_EXTENTS + 1)), "more than 4096 extents");
    }

    @Test
    void badDescriptors() throws Exception {
        assertRefused(descriptor("count.vmdk", "RW lots FLAT \"x-flat.vmdk\" 0\n"), "sector count 'lots'");
        assertRefused(descriptor("type.vmdk", "RW 8 TAPE \"x-flat.vmdk\"\n"), "type 'TAPE'");
        assertRefused(descriptor("quote.vmdk", "RW 8 FLAT \"x-flat.vmdk\n"), "no closing quote");
        assertRefused(descriptor("none.vmdk", ""), "lists no extents");
        assertRefused(descriptor("noise.vmdk", "RW 8 FLAT \"x-flat.vmdk\" 0\nthis is not a setting\n"), "neither key=value nor an extent");
        assertRefused(descriptor("nofile.vmdk", "RW 8 SPARSE\n"), "names no file");
        assertRefused(descriptor("missing.vmdk", "RW 8 FLAT \"missing-flat.vmdk\" 0\n"), "missing-flat.vmdk");
        Files.write(dir.resolve("plain-s001.vmdk"), new byte[4096]);
        assertRefused(descriptor("notsparse.vmdk", "RW 8 SPARSE \"plain-s001.vmdk\"\n"), "KDMV magic");
    }

    @Test
    void hugeDescriptorFile() throws Exception {
        Path d = descriptor("big.vmdk", "RW 8 ZERO\n" + "#".repeat(VmdkDescriptor.MAX_BYTES));
        assertRefused(d, "descriptor of at most");
    }

    @Test
    void aDeltaDiskThatIsItsOwnParent() throws Exception {
        Path image = dir.resolve("self.vmdk");
        QemuImg.img("create", "-q", "-f", "vmdk", image.toString(), "1M");
        // Append the hint to the embedded descriptor (sector 1 on), where its text ends.
        byte[] bytes = Files.readAllBytes(image);
        int end = 512;
        while (bytes[end] != 0) {
            end++;
        }
        byte[] hint = "parentFileNameHint=\"self.vmdk\"\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try (FileChannel c = FileChannel.open(image, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(hint), end);
        }
        String message = exercise(image);
        assertNotNull(message, "a disk that is its own parent was accepted");
        assertTrue(message.toLowerCase(java.util.Locale.ROOT).contains("loop") || message.contains("self.vmdk"), message);
        assertEquals(-1, message.indexOf("Exception"), message);
    }
}
