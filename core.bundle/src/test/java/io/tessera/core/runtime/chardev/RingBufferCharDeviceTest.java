package io.tessera.core.runtime.chardev;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;

import org.junit.jupiter.api.Test;

class RingBufferCharDeviceTest {

    private static void write(RingBufferCharDevice dev, String s) {
        byte[] b = s.getBytes(US_ASCII);
        dev.write(b, 0, b.length);
    }

    private static String drain(RingBufferCharDevice dev) {
        return new String(dev.drain(), US_ASCII);
    }

    @Test
    void drainReturnsWhatWasWrittenInOrderAndEmpties() {
        RingBufferCharDevice dev = new RingBufferCharDevice("serial0", 16);
        assertEquals("serial0", dev.id());
        write(dev, "hello ");
        write(dev, "world");
        assertEquals(11, dev.size());
        assertEquals("hello world", drain(dev));
        assertEquals(0, dev.size());
        assertEquals("", drain(dev));
        assertEquals(0, dev.droppedBytes());
    }

    @Test
    void overflowDropsTheOldestBytes() {
        RingBufferCharDevice dev = new RingBufferCharDevice("c", 4);
        write(dev, "abc");
        write(dev, "def");
        assertEquals("cdef", drain(dev));
        assertEquals(2, dev.droppedBytes());
    }

    @Test
    void aWriteLargerThanTheCapacityKeepsItsTail() {
        RingBufferCharDevice dev = new RingBufferCharDevice("c", 4);
        write(dev, "xy");
        write(dev, "0123456789");
        assertEquals("6789", drain(dev));
        assertEquals(8, dev.droppedBytes());
    }

    @Test
    void wrapsAroundTheEndOfTheBuffer() {
        RingBufferCharDevice dev = new RingBufferCharDevice("c", 5);
        write(dev, "abc");
        assertEquals("abc", drain(dev));
        write(dev, "defg");
        write(dev, "h");
        assertEquals("defgh", drain(dev));
        for (int i = 0; i < 20; i++) {
            write(dev, "ij");
        }
        write(dev, "k");
        assertEquals("ijijk", drain(dev));
    }

    @Test
    void honoursOffsetAndLengthAndChecksBounds() {
        RingBufferCharDevice dev = new RingBufferCharDevice("c", 8);
        byte[] b = "--abc--".getBytes(US_ASCII);
        dev.write(b, 2, 3);
        dev.write(b, 0, 0);
        assertEquals("abc", drain(dev));
        assertThrows(IndexOutOfBoundsException.class, () -> dev.write(b, 5, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> dev.write(b, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new RingBufferCharDevice("c", 0));
    }

    @Test
    void injectedBytesReachTheReceiver() {
        RingBufferCharDevice dev = new RingBufferCharDevice("c", 8);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] in = "xkeys".getBytes(US_ASCII);
        dev.inject(in, 1, 4); // no receiver yet: discarded
        dev.setReceiver(received::write);
        dev.inject(in, 1, 4);
        assertEquals("keys", received.toString(US_ASCII));
        dev.setReceiver(null);
        dev.inject(in, 0, 1);
        assertEquals("keys", received.toString(US_ASCII));
    }

    @Test
    void closeStopsOutputAndInputButKeepsWhatWasBuffered() {
        RingBufferCharDevice dev = new RingBufferCharDevice("c", 8);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        dev.setReceiver(received::write);
        write(dev, "before");
        dev.close();
        write(dev, "after");
        dev.inject(new byte[] {'x'}, 0, 1);
        assertArrayEquals("before".getBytes(US_ASCII), dev.drain());
        assertEquals(0, received.size());
        dev.close();
    }
}
