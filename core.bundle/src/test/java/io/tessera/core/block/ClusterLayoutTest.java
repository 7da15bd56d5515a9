package io.tessera.core.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterLayoutTest {

    private static final long C = 65536;

    @Test
    void describesTheClustersAndWhatTheOldFormatStillUses() {
        long[] clusters = {3 * C, ClusterLayout.ZERO, ClusterLayout.UNALLOCATED, 5 * C};
        ClusterLayout layout = new ClusterLayout(C, 4 * C - 512, "base.raw", "raw", clusters, new long[] {C, 2 * C}, 200);
        clusters[0] = 9 * C; // copied: the caller's array does not change the layout
        assertEquals(4, layout.clusterCount());
        assertEquals(3 * C, layout.mapping(0));
        assertEquals(ClusterLayout.ZERO, layout.mapping(1));
        assertEquals(6 * C, layout.dataEnd());
        assertArrayEquals(new long[] {C, 2 * C}, layout.metadataClusters());
        assertEquals(Optional.of("raw"), layout.backingFormat());
        assertEquals(512, layout.freeHeaderOffset(), "the first sector belongs to the commit");
        assertEquals(Optional.of("qcow2"), layout.withBackingFormat("qcow2").backingFormat());
        assertEquals(layout, layout.withBackingFormat("raw"));
    }

    @Test
    void headerDataGoesPastTheOldHeader() {
        ClusterLayout layout = new ClusterLayout(C, C, null, "raw", new long[1], new long[0], 1001);
        assertEquals(1008, layout.freeHeaderOffset());
        assertTrue(layout.backingFormat().isEmpty(), "no backing file, no backing format");
        assertEquals(C, layout.dataEnd());
    }

    @Test
    void refusesMapsNoImageCanHave() {
        assertThrows(IllegalArgumentException.class, () -> new ClusterLayout(C, 2 * C, null, null, new long[] {2 * C, 2 * C}, new long[0], 0),
                "one host cluster for two guest clusters");
        assertThrows(IllegalArgumentException.class, () -> new ClusterLayout(C, C, null, null, new long[] {2 * C + 512}, new long[0], 0));
        assertThrows(IllegalArgumentException.class, () -> new ClusterLayout(C, C, null, null, new long[] {512}, new long[0], 0),
                "data in the header cluster");
        assertThrows(IllegalArgumentException.class, () -> new ClusterLayout(C, 3 * C, null, null, new long[2], new long[0], 0));
        assertThrows(IllegalArgumentException.class, () -> new ClusterLayout(3000, 3000, null, null, new long[1], new long[0], 0));
        assertThrows(IllegalArgumentException.class, () -> new ClusterLayout(C, C, null, null, new long[1], new long[0], (int) C + 1));
    }
}
