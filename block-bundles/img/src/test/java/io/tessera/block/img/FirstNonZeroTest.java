package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FirstNonZeroTest {

    @Test
    void findsTheFirstNonZeroByteOfARangeAcrossItsSteps() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(ConvertCommand.CHUNK);
        MemorySegment bytes = MemorySegment.ofBuffer(buffer);
        assertEquals(-1, ConvertCommand.firstNonZero(bytes, 0, ConvertCommand.CHUNK));
        assertTrue(ConvertCommand.isZero(bytes, 0, ConvertCommand.CHUNK));
        // Inside the first step, on both sides of step boundaries, in the last byte.
        for (int at : new int[] {0, 4095, (64 << 10) - 1, 64 << 10, (64 << 10) + 1, 3 << 20 | 12345, ConvertCommand.CHUNK - 1}) {
            buffer.put(at, (byte) 7);
            assertEquals(at, ConvertCommand.firstNonZero(bytes, 0, ConvertCommand.CHUNK), "byte at " + at);
            // Offsets count from the start of the range asked about; a range ending before the byte is zero.
            if (at >= 100) {
                assertEquals(at - 100, ConvertCommand.firstNonZero(bytes, 100, ConvertCommand.CHUNK), "byte at " + at + " from 100");
                assertEquals(-1, ConvertCommand.firstNonZero(bytes, 0, at), "range before the byte at " + at);
            }
            assertFalse(ConvertCommand.isZero(bytes, 0, ConvertCommand.CHUNK));
            buffer.put(at, (byte) 0);
        }
    }
}
