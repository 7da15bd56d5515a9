package io.tessera.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class LazyZeroMemoryTest {

    private static final long SIZE = 64L << 20;

    @Test
    void memoryIsZeroedPageAlignedAndWritable() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = LazyZeroMemory.allocate(arena, SIZE);
            assertEquals(SIZE, memory.byteSize());
            assertEquals(0, memory.address() % RamRegion.PAGE_SIZE);
            for (long offset = 0; offset < SIZE; offset += 1 << 20) {
                assertEquals(0L, memory.get(ValueLayout.JAVA_LONG, offset), "byte " + offset);
            }
            assertEquals(0L, memory.get(ValueLayout.JAVA_LONG, SIZE - 8));
            memory.set(ValueLayout.JAVA_LONG, SIZE - 8, 0x1122_3344_5566_7788L);
            memory.set(ValueLayout.JAVA_BYTE, 12345, (byte) 7);
            assertEquals(0x1122_3344_5566_7788L, memory.get(ValueLayout.JAVA_LONG, SIZE - 8));
            assertEquals(7, memory.get(ValueLayout.JAVA_BYTE, 12345));
            assertEquals(0, memory.get(ValueLayout.JAVA_BYTE, 12344));
        }
    }

    @Test
    void closingTheArenaFreesTheMemory() {
        Arena arena = Arena.ofShared();
        MemorySegment memory = LazyZeroMemory.allocate(arena, SIZE);
        memory.set(ValueLayout.JAVA_INT, 0, 1);
        arena.close();
        assertThrows(IllegalStateException.class, () -> memory.get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void ramRegionsStartZeroedAndRomsHoldTheirContents() {
        try (RamRegion ram = RamRegion.ram("ram", SIZE); RamRegion rom = RamRegion.rom("rom", 8192, new byte[] {1, 2, 3})) {
            assertEquals(0L, ram.segment().get(ValueLayout.JAVA_LONG, SIZE / 2));
            assertEquals(2, rom.segment().get(ValueLayout.JAVA_BYTE, 1));
            assertEquals(0, rom.segment().get(ValueLayout.JAVA_BYTE, 3));
        }
    }
}
