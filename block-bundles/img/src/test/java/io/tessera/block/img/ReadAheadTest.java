package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The read-ahead of convert: ranges in order with their bytes, buffers reused, the source's failures passed on, an early stop. */
class ReadAheadTest {

    private static final int BUFFER = 64 << 10;

    @TempDir
    Path dir;

    private BlockNode rawImage(int size) throws IOException {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + i / 4096);
        }
        Path file = dir.resolve("source.raw");
        Files.write(file, bytes);
        BlockGraph graph = Drivers.graph();
        return graph.open(file.toString(), "raw", true, Map.of());
    }

    @Test
    void rangesComeInOrderWithTheirBytesAndBuffersAreReused() throws Exception {
        int size = 20 * BUFFER + 1000;
        try (BlockNode source = rawImage(size)) {
            // Alternating kinds, data ranges of varying length: more ranges with data than buffers.
            ReadAhead.Planner planner = at -> {
                long n = Math.min(size - at, (at / BUFFER) % 3 == 0 ? BUFFER : BUFFER / 2 + 7);
                return ReadAhead.Piece.of(at, n, (at / BUFFER) % 4 == 1 ? ReadAhead.Kind.ZERO : ReadAhead.Kind.DATA);
            };
            long expected = 0;
            int withData = 0;
            try (ReadAhead pieces = new ReadAhead(source, size, BUFFER, planner)) {
                for (ReadAhead.Piece p = pieces.next(); p != null; p = pieces.next()) {
                    assertEquals(expected, p.at());
                    if (p.kind() == ReadAhead.Kind.DATA) {
                        withData++;
                        assertEquals(p.length(), p.data().remaining());
                        for (int i = 0; i < p.length(); i++) {
                            long offset = p.at() + i;
                            assertEquals((byte) (offset * 31 + offset / 4096), p.data().get(i), "byte at " + offset);
                        }
                    } else {
                        assertNull(p.data());
                    }
                    expected = p.end();
                    pieces.done(p);
                }
                assertNull(pieces.next());
            }
            assertEquals(size, expected);
            assertTrue(withData > 3, "more data ranges than buffers: " + withData);
        }
    }

    @Test
    void theReaderFindsTheBlocksOfZeroes() throws Exception {
        int size = 3 * BUFFER + 5000;
        Path file = dir.resolve("zeroes.raw");
        byte[] bytes = new byte[size];
        // Every third 4 KiB block holds one non-zero byte, at a place that moves; the short last block is zero.
        for (int block = 0; block * 4096 < size - 904; block++) {
            if (block % 3 == 0) {
                bytes[block * 4096 + (block * 97) % 4096] = 1;
            }
        }
        Files.write(file, bytes);
        try (BlockNode source = Drivers.graph().open(file.toString(), "raw", true, Map.of())) {
            try (ReadAhead pieces = new ReadAhead(source, size, BUFFER,
                    at -> ReadAhead.Piece.scanned(at, Math.min(BUFFER, size - at), ReadAhead.Kind.DATA, 4096))) {
                for (ReadAhead.Piece p = pieces.next(); p != null; p = pieces.next()) {
                    for (int i = 0; i * 4096L < p.length(); i++) {
                        long block = (p.at() + i * 4096L) / 4096;
                        boolean zero = block % 3 != 0 || block * 4096 >= size - 904;
                        assertEquals(zero, p.zeroBlock(i), "block " + block);
                    }
                    pieces.done(p);
                }
            }
        }
    }

    @Test
    void aFailureOfTheSourceReachesTheConsumerAtItsRange() throws Exception {
        int size = 8 * BUFFER;
        try (BlockNode source = rawImage(size)) {
            ReadAhead.Planner planner = at -> {
                if (at == 5 * BUFFER) {
                    throw new IOException("the source failed at " + at);
                }
                return ReadAhead.Piece.of(at, BUFFER, ReadAhead.Kind.DATA);
            };
            try (ReadAhead pieces = new ReadAhead(source, size, BUFFER, planner)) {
                for (int i = 0; i < 5; i++) {
                    ReadAhead.Piece p = pieces.next();
                    assertEquals((long) i * BUFFER, p.at());
                    pieces.done(p);
                }
                IOException e = assertThrows(IOException.class, pieces::next);
                assertEquals("the source failed at " + 5 * BUFFER, e.getMessage());
                assertNull(pieces.next());
            }
        }
    }

    @Test
    @Timeout(60)
    void closingEarlyStopsTheReader() throws Exception {
        int size = 64 * BUFFER;
        try (BlockNode source = rawImage(size)) {
            ReadAhead pieces = new ReadAhead(source, size, BUFFER, at -> ReadAhead.Piece.of(at, BUFFER, ReadAhead.Kind.DATA));
            ReadAhead.Piece first = pieces.next();
            assertEquals(0, first.at());
            // The consumer gives up without returning the buffers: the reader, waiting for one, must end.
            pieces.close();
        }
    }
}
