package io.tessera.core.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A region made of subregions placed at offsets. The rules of overlap are QEMU's, made
 * strict:
 * <ul>
 *   <li>{@link #addSubregion(long, MemoryRegion)} refuses any overlap with a sibling
 *       (an {@link OverlapException} naming both), as a bus refuses two devices at one address;</li>
 *   <li>{@link #addSubregionOverlap(long, MemoryRegion, int)} allows overlap with siblings of
 *       a different priority: the higher priority is what the guest sees; equal priorities
 *       may not overlap, because nothing would say which one wins;</li>
 *   <li>a container covers only what its own subregions cover: through its holes the
 *       lower-priority siblings show.</li>
 * </ul>
 * A change anywhere in a tree is announced to the listeners of its outermost container,
 * which is how address spaces know to rebuild their flat view.
 */
public final class ContainerRegion extends MemoryRegion {

    /** A subregion as placed: where, what, and how it ranks against overlapping siblings. */
    public record Placement(long offset, MemoryRegion region, int priority, boolean mayOverlap) {
        /** @return the first offset past the subregion */
        public long end() {
            return offset + region.size();
        }
    }

    private final List<Placement> placements = new ArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /** @param name region name; @param size size in bytes */
    public ContainerRegion(String name, long size) {
        super(name, size);
    }

    /** Places {@code region} at {@code offset}, refusing any overlap with a sibling not placed to overlap. */
    public void addSubregion(long offset, MemoryRegion region) {
        place(new Placement(offset, region, 0, false));
    }

    /**
     * Places {@code region} at {@code offset} where it may overlap siblings of another priority.
     *
     * @param priority higher wins where regions overlap
     */
    public void addSubregionOverlap(long offset, MemoryRegion region, int priority) {
        place(new Placement(offset, region, priority, true));
    }

    private void place(Placement placement) {
        MemoryRegion region = Objects.requireNonNull(placement.region(), "region");
        if (region == this) {
            throw new IllegalArgumentException("a container cannot contain itself");
        }
        if (placement.offset() < 0 || placement.offset() > size() - region.size()) {
            throw new IllegalArgumentException(region + " at offset 0x" + Long.toHexString(placement.offset())
                    + " does not fit in '" + name() + "' of 0x" + Long.toHexString(size()) + " bytes");
        }
        synchronized (this) {
            for (Placement other : placements) {
                boolean overlaps = placement.offset() < other.end() && other.offset() < placement.end();
                if (!overlaps) {
                    continue;
                }
                // As in QEMU: a region placed to overlap may cover one that was not, if their priorities differ.
                boolean ranked = (placement.mayOverlap() || other.mayOverlap()) && placement.priority() != other.priority();
                if (!ranked) {
                    throw new OverlapException(describe(placement) + " overlaps " + describe(other) + " in '" + name()
                            + "'; place it elsewhere, or give both different priorities with addSubregionOverlap");
                }
            }
            region.attachTo(this);
            placements.add(placement);
            placements.sort(Comparator.comparingInt(Placement::priority).reversed()
                    .thenComparingLong(Placement::offset));
        }
        changed();
    }

    private static String describe(Placement p) {
        return "'" + p.region().name() + "' [0x" + Long.toHexString(p.offset()) + ", 0x" + Long.toHexString(p.end()) + ")";
    }

    /**
     * Removes a subregion.
     *
     * @return whether it was placed here
     */
    public boolean removeSubregion(MemoryRegion region) {
        boolean removed;
        synchronized (this) {
            removed = placements.removeIf(p -> p.region() == region);
        }
        if (removed) {
            region.detach();
            changed();
        }
        return removed;
    }

    /** @return the subregions, highest priority first, then by offset */
    public synchronized List<Placement> placements() {
        return List.copyOf(placements);
    }

    /** Calls {@code listener} after every change in this tree (on the changing thread). */
    public void addChangeListener(Runnable listener) {
        listeners.add(listener);
    }

    /** Stops calling {@code listener}. */
    public void removeChangeListener(Runnable listener) {
        listeners.remove(listener);
    }

    private void changed() {
        for (Runnable listener : listeners) {
            listener.run();
        }
        ContainerRegion up = parent();
        if (up != null) {
            up.changed();
        }
    }

    @Override
    public String kind() {
        return "container";
    }
}
