package io.tessera.block.qcow2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.block.testing.QemuImg;
import io.tessera.core.block.BlockCheckResult;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockRepair;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile qcow2 images: a valid image from qemu-img with one field made absurd. Each must get
 * an {@link IOException} whose message names the problem (or, for damage only the check can
 * see, a check that reports it), never another exception, a read outside the file or a hang.
 */
class Qcow2HostileImageTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    /** A small valid image: 64 KiB clusters, data in the first two, L1 at 0x30000, L2 at 0x40000, data at 0x50000. */
    private Path valid(String name, String... createOptions) throws Exception {
        Path image = dir.resolve(name);
        List<String> create = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        for (String o : createOptions) {
            create.addAll(List.of("-o", o));
        }
        create.addAll(List.of(image.toString(), "4M"));
        QemuImg.img(create.toArray(String[]::new));
        QemuImg.io("qcow2", image, "write -P 0x61 0 128k", "write -c -P 0x62 1M 64k");
        return image;
    }

    private static void patch(Path image, long offset, Consumer<ByteBuffer> bytes, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        bytes.accept(b);
        b.flip();
        try (FileChannel c = FileChannel.open(image, StandardOpenOption.WRITE)) {
            c.write(b, offset);
        }
    }

    private static void putLong(Path image, long offset, long value) throws IOException {
        patch(image, offset, b -> b.putLong(value), 8);
    }

    private static void putInt(Path image, long offset, int value) throws IOException {
        patch(image, offset, b -> b.putInt(value), 4);
    }

    /** Everything a user can do read-only with the image; returns the first error's message, or null. */
    private static String exercise(Path image) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (BlockNode node = Qcow2ReadTest.GRAPH.open(image.toString(), "qcow2", true)) {
                node.imageInfo();
                long size = Math.min(node.size(), 64L << 20);
                ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
                String failure = null;
                try {
                    for (long at = 0; at < size; at += buffer.capacity()) {
                        buffer.clear();
                        node.read(at, buffer);
                    }
                    for (long at = 0; at < size; ) {
                        BlockStatus s = node.blockStatus(at, size - at);
                        at = s.end();
                    }
                } catch (IOException e) {
                    failure = e.getMessage();
                }
                BlockCheckResult check = node.check(BlockRepair.NONE).orElseThrow();
                if (failure == null && check.corruptions() > 0) {
                    failure = "check: " + check.messages();
                }
                return failure;
            } catch (IOException e) {
                return e.getMessage();
            } catch (RuntimeException | Error e) {
                fail("a hostile image must give an IOException naming the problem, not " + e, e);
                return null;
            }
        });
    }

    private static void assertRefused(Path image, String... words) {
        String message = exercise(image);
        assertTrue(message != null, "the damage to " + image.getFileName() + " went unnoticed");
        for (String w : words) {
            assertTrue(message.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT)), "'" + message + "' should mention '" + w + "'");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 50, 71, 90})
    void aTruncatedHeaderIsRefused(int length) throws Exception {
        Path image = valid("truncated.qcow2");
        try (FileChannel c = FileChannel.open(image, StandardOpenOption.WRITE)) {
            c.truncate(length);
        }
        assertRefused(image, length < 72 ? "72-byte header" : "104");
    }

    @Test
    void absurdHeaderFieldsAreRefused() throws Exception {
        record Damage(String what, long offset, int width, long value, String expected) {
        }
        List<Damage> damages = List.of(
                new Damage("version", 4, 4, 7, "version"),
                new Damage("cluster bits", 20, 4, 30, "cluster bits"),
                new Damage("cluster bits", 20, 4, 8, "cluster bits"),
                new Damage("size", 24, 8, 1L << 62, "too small"),
                new Damage("size", 24, 8, -1, "negative"),
                new Damage("encryption", 32, 4, 1, "encrypted"),
                new Damage("L1 size", 36, 4, -1, "32 MiB"),
                new Damage("L1 offset", 40, 8, 0x7fff_ffff_0000L, "past the end"),
                new Damage("L1 offset", 40, 8, 0x30001, "cluster boundary"),
                new Damage("refcount table offset", 48, 8, 1L << 40, "past the end"),
                new Damage("refcount table clusters", 56, 4, 1 << 30, "8 mib"),
                new Damage("snapshots", 60, 4, -1, "65536"),
                new Damage("snapshot offset", 64, 8, 1L << 40, "past the end"),
                new Damage("incompatible features", 72, 8, 1L << 40, "0x10000000000"),
                new Damage("refcount order", 96, 4, 7, "refcount order"),
                new Damage("header length", 100, 4, 1 << 20, "header length"),
                new Damage("compression type", 104, 1, 9, "compression type"),
                new Damage("backing name offset", 8, 8, 1L << 40, "backing file name"),
                new Damage("backing name size", 16, 4, -1, "backing file name"));
        for (Damage d : damages) {
            Path image = valid("h-" + d.what().replace(' ', '-') + ".qcow2");
            if (d.what().equals("snapshot offset")) {
                putInt(image, 60, 1); // with no snapshots the offset is not used
            }
            if (d.what().startsWith("backing")) {
                putLong(image, 8, 0x1000);
                putInt(image, 16, 8);
            }
            switch (d.width()) {
                case 8 -> putLong(image, d.offset(), d.value());
                case 4 -> putInt(image, d.offset(), (int) d.value());
                default -> patch(image, d.offset(), b -> b.put((byte) d.value()), 1);
            }
            assertRefused(image, d.expected());
        }
    }

    @Test
    void tablesPointingPastTheEndOfTheFileAreNamed() throws Exception {
        Path l2 = valid("l2-past-eof.qcow2");
        putLong(l2, 0x30000, Qcow2Node.COPIED | 0x7000_0000_0000L);
        assertRefused(l2, "L2 table", "past the end");
        Path compressed = valid("compressed-past-eof.qcow2");
        ByteBuffer l2Table = ByteBuffer.allocate(8 * 17);
        try (FileChannel c = FileChannel.open(compressed, StandardOpenOption.READ)) {
            c.read(l2Table, 0x40000);
        }
        long entry = l2Table.getLong(16 * 8);
        assertTrue((entry & Qcow2Node.COMPRESSED) != 0, "cluster 16 (1 MiB) is compressed: " + Long.toHexString(entry));
        putLong(compressed, 0x40000 + 16 * 8, Qcow2Node.COMPRESSED | (1L << 40));
        assertRefused(compressed, "compressed", "past the end");
        Path unaligned = valid("unaligned-l2.qcow2");
        putLong(unaligned, 0x30000, Qcow2Node.COPIED | 0x40200);
        assertRefused(unaligned, "L2 table", "not cluster aligned");
        Path refblock = valid("refblock-past-eof.qcow2");
        putLong(refblock, 0x10000, 1L << 40);
        assertRefused(refblock, "refcount block", "past the end");
    }

    @Test
    void overlappingMetadataIsFoundByTheCheck() throws Exception {
        Path header = valid("l2-in-header.qcow2");
        putLong(header, 0x30000, Qcow2Node.COPIED);
        String message = exercise(header);
        assertTrue(message == null || message.contains("header"), message);
        // An L2 table placed on the refcount table: both readings cannot be right.
        Path overlap = valid("l2-on-reftable.qcow2");
        putLong(overlap, 0x30000, Qcow2Node.COPIED | 0x10000);
        assertRefused(overlap, "ERROR cluster");
        // A data cluster shared by two guest clusters without a snapshot: the refcount is too low.
        Path shared = valid("shared-data.qcow2");
        putLong(shared, 0x40000 + 8, Qcow2Node.COPIED | 0x50000);
        assertRefused(shared, "ERROR");
        QemuImg.Result theirs = QemuImg.exec(List.of(QemuImg.QEMU_IMG.toString(), "check", shared.toString()));
        assertEquals(2, theirs.status(), "qemu-img agrees it is corrupt: " + theirs.out() + theirs.err());
    }

    @Test
    void absurdExtensionsAndSnapshotsAreRefused() throws Exception {
        Path extension = valid("extension.qcow2");
        // The first extension (feature names, at 112) claims 1 GiB.
        putInt(extension, 112 + 4, 1 << 30);
        assertRefused(extension, "extension", "past the first cluster");
        Path snapshots = valid("snapshots.qcow2");
        QemuImg.img("snapshot", "-c", "s1", snapshots.toString());
        ByteBuffer header = ByteBuffer.allocate(72);
        try (FileChannel c = FileChannel.open(snapshots, StandardOpenOption.READ)) {
            c.read(header, 0);
        }
        long table = header.getLong(64);
        patch(snapshots, table + 12, b -> b.putShort((short) 0xffff), 2);
        patch(snapshots, table + 36, b -> b.putInt(1 << 30), 4);
        assertRefused(snapshots, "snapshot");
    }

    @Test
    void aBackingFileNamingItselfIsALoop() throws Exception {
        Path image = valid("self.qcow2");
        QemuImg.img("rebase", "-u", "-f", "qcow2", "-b", "self.qcow2", "-F", "qcow2", image.toString());
        assertRefused(image, "loops");
    }
}
