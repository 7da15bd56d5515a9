package io.tessera.core.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BlockStatusTest {

    @Test
    void describesAnExtent() {
        BlockStatus s = new BlockStatus(65536, 4096, true, false, 0, 327680);
        assertEquals(69632, s.end());
        assertTrue(s.hasHostOffset());
        assertFalse(new BlockStatus(0, 512, false, true, 1, -1).hasHostOffset());
    }

    @Test
    void rejectsMeaninglessValues() {
        assertThrows(IllegalArgumentException.class, () -> new BlockStatus(-1, 512, true, false, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BlockStatus(0, 0, true, false, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BlockStatus(0, -512, true, false, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BlockStatus(Long.MAX_VALUE, 2, true, false, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BlockStatus(0, 512, true, false, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new BlockStatus(0, 512, true, false, 0, -2));
    }

    @Test
    void aLayerThatHoldsARangeReportsItAllocated() throws Exception {
        assertTrue(new BlockStatus(0, 512, false, true, 0, -1).allocated(), "a zero marker is held by its layer");
        BlockStatus nothingBelow = BlockStatus.inBacking(null, 4096, 512);
        assertFalse(nothingBelow.allocated());
        assertTrue(nothingBelow.zero());
        assertFalse(nothingBelow.data());
        assertEquals(1, nothingBelow.depth(), "one past the layer where the search stopped");
    }

    @Test
    void preallocationModesParseByTheirNames() {
        assertEquals(BlockPreallocation.FALLOC, BlockPreallocation.parse("falloc"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BlockPreallocation.parse("bogus"));
        assertTrue(e.getMessage().contains("off, metadata, falloc, full"), e.getMessage());
    }
}
