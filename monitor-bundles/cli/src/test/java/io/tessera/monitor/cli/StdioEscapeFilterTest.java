package io.tessera.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StdioEscapeFilterTest {

    private final List<Integer> commands = new ArrayList<>();
    private final StdioCharDeviceBackend.EscapeFilter filter = new StdioCharDeviceBackend.EscapeFilter();

    private byte[] run(byte... input) {
        byte[] buffer = input.clone();
        int kept = filter.filter(buffer, buffer.length, commands::add);
        return Arrays.copyOf(buffer, kept);
    }

    @Test
    void plainBytesPassThrough() {
        assertArrayEquals(new byte[] {'l', 's', '\r'}, run((byte) 'l', (byte) 's', (byte) '\r'));
        assertEquals(List.of(), commands);
    }

    @Test
    void escapeAndLetterIsACommandNotInput() {
        assertArrayEquals(new byte[] {'a', 'b'}, run((byte) 'a', (byte) 1, (byte) 'h', (byte) 'b'));
        assertEquals(List.of((int) 'h'), commands);
    }

    @Test
    void doubledEscapeSendsOneEscape() {
        assertArrayEquals(new byte[] {1}, run((byte) 1, (byte) 1));
        assertEquals(List.of(), commands);
    }

    @Test
    void escapeSplitAcrossReadsIsKept() {
        assertArrayEquals(new byte[] {'q'}, run((byte) 'q', (byte) 1));
        assertArrayEquals(new byte[] {'z'}, run((byte) 'x', (byte) 'z'));
        assertEquals(List.of((int) 'x'), commands);
    }
}
