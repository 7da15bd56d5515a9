package io.tessera.core.runtime.memory;

import io.tessera.core.memory.AliasRegion;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.memory.FlatRange;
import io.tessera.core.memory.MemoryRegion;
import io.tessera.core.memory.MmioRegion;
import io.tessera.core.memory.RamRegion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a region tree into the sorted, non-overlapping ranges the guest sees. Subregions are
 * visited highest priority first, depth first, and each leaf claims only what no region
 * before it claimed: so a higher priority wins, and a container's holes let lower-priority
 * siblings show, as in QEMU's render_memory_region.
 */
final class FlatViewRenderer {

    private final TreeMap<Long, FlatRange> claimed = new TreeMap<>();

    private FlatViewRenderer() {
    }

    static List<FlatRange> render(ContainerRegion root) {
        FlatViewRenderer renderer = new FlatViewRenderer();
        renderer.renderInto(root, 0, 0, root.size());
        return new ArrayList<>(renderer.claimed.values());
    }

    /**
     * @param region the region to render
     * @param origin the absolute address of the region's offset 0
     * @param windowStart first visible absolute address
     * @param windowEnd first absolute address past the visible window
     */
    private void renderInto(MemoryRegion region, long origin, long windowStart, long windowEnd) {
        long start = Math.max(origin, windowStart);
        long end = Math.min(origin + region.size(), windowEnd);
        if (start >= end) {
            return;
        }
        switch (region) {
            case ContainerRegion container -> {
                for (ContainerRegion.Placement p : container.placements()) {
                    renderInto(p.region(), origin + p.offset(), start, end);
                }
            }
            case AliasRegion alias -> renderInto(alias.target(), origin - alias.targetOffset(), start, end);
            case RamRegion ram -> claim(ram, origin, start, end);
            case MmioRegion mmio -> claim(mmio, origin, start, end);
        }
    }

    /** Claims the parts of {@code [start, end)} nobody claimed yet for {@code leaf}. */
    private void claim(MemoryRegion leaf, long origin, long start, long end) {
        long cursor = start;
        Map.Entry<Long, FlatRange> before = claimed.floorEntry(start);
        if (before != null && before.getValue().end() > cursor) {
            cursor = before.getValue().end();
        }
        for (FlatRange taken : List.copyOf(claimed.subMap(start, true, end, false).values())) {
            if (taken.start() > cursor) {
                put(leaf, origin, cursor, taken.start());
            }
            cursor = Math.max(cursor, taken.end());
        }
        if (cursor < end) {
            put(leaf, origin, cursor, end);
        }
    }

    private void put(MemoryRegion leaf, long origin, long start, long end) {
        claimed.put(start, new FlatRange(start, end, leaf, start - origin));
    }
}
