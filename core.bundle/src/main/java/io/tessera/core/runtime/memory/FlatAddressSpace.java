package io.tessera.core.runtime.memory;

import io.tessera.core.memory.AccessKind;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.BusErrorException;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.memory.FlatRange;
import io.tessera.core.memory.MmioRegion;
import io.tessera.core.memory.RamRegion;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The address space implementation: a flat view rendered from the region tree on every
 * change (see {@link FlatViewRenderer}) and searched by binary search on every access.
 */
public final class FlatAddressSpace implements AddressSpace {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final ContainerRegion root;
    private volatile FlatView view;

    public FlatAddressSpace(String name, ContainerRegion root) {
        this.name = name;
        this.root = root;
        root.addChangeListener(this::rebuild);
        rebuild();
    }

    private void rebuild() {
        synchronized (root) {
            view = new FlatView(FlatViewRenderer.render(root));
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ContainerRegion root() {
        return root;
    }

    @Override
    public long read(long address, int size) {
        checkSize(size);
        FlatRange range = view.find(address);
        if (range == null) {
            throw new BusErrorException(address, AccessKind.READ, "nothing is mapped in '" + name + "'");
        }
        if (address + size > range.end() || address + size < address) {
            return readBytewise(address, size);
        }
        long offset = range.regionOffset() + (address - range.start());
        if (range.region() instanceof RamRegion ram) {
            return loadRam(ram.segment(), offset, size);
        }
        return MmioAccess.read((MmioRegion) range.region(), offset, size);
    }

    @Override
    public void write(long address, int size, long value) {
        checkSize(size);
        FlatRange range = view.find(address);
        if (range == null) {
            throw new BusErrorException(address, AccessKind.WRITE, "nothing is mapped in '" + name + "'");
        }
        if (address + size > range.end() || address + size < address) {
            writeBytewise(address, size, value);
            return;
        }
        long offset = range.regionOffset() + (address - range.start());
        if (range.region() instanceof RamRegion ram) {
            if (ram.isReadOnly()) {
                throw new BusErrorException(address, AccessKind.WRITE, "'" + ram.name() + "' is read-only");
            }
            storeRam(ram.segment(), offset, size, value);
            ram.markDirty(offset, size);
            return;
        }
        MmioAccess.write((MmioRegion) range.region(), offset, size, value);
    }

    private long readBytewise(long address, int size) {
        long value = 0;
        for (int i = 0; i < size; i++) {
            value |= (read(address + i, 1) & 0xff) << (8 * i);
        }
        return value;
    }

    private void writeBytewise(long address, int size, long value) {
        for (int i = 0; i < size; i++) {
            write(address + i, 1, value >>> (8 * i));
        }
    }

    @Override
    public void read(long address, byte[] dst, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, dst.length);
        int done = 0;
        while (done < length) {
            long at = address + done;
            FlatRange range = view.find(at);
            if (range == null) {
                throw new BusErrorException(at, AccessKind.READ, "nothing is mapped in '" + name + "'");
            }
            int chunk = (int) Math.min(length - done, range.end() - at);
            long regionOffset = range.regionOffset() + (at - range.start());
            if (range.region() instanceof RamRegion ram) {
                MemorySegment.copy(ram.segment(), ValueLayout.JAVA_BYTE, regionOffset, dst, offset + done, chunk);
            } else {
                for (int i = 0; i < chunk; i++) {
                    dst[offset + done + i] = (byte) MmioAccess.read((MmioRegion) range.region(), regionOffset + i, 1);
                }
            }
            done += chunk;
        }
    }

    @Override
    public void write(long address, byte[] src, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        int done = 0;
        while (done < length) {
            long at = address + done;
            FlatRange range = view.find(at);
            if (range == null) {
                throw new BusErrorException(at, AccessKind.WRITE, "nothing is mapped in '" + name + "'");
            }
            int chunk = (int) Math.min(length - done, range.end() - at);
            long regionOffset = range.regionOffset() + (at - range.start());
            if (range.region() instanceof RamRegion ram) {
                if (ram.isReadOnly()) {
                    throw new BusErrorException(at, AccessKind.WRITE, "'" + ram.name() + "' is read-only");
                }
                MemorySegment.copy(src, offset + done, ram.segment(), ValueLayout.JAVA_BYTE, regionOffset, chunk);
                ram.markDirty(regionOffset, chunk);
            } else {
                for (int i = 0; i < chunk; i++) {
                    MmioAccess.write((MmioRegion) range.region(), regionOffset + i, 1, src[offset + done + i]);
                }
            }
            done += chunk;
        }
    }

    @Override
    public Optional<FlatRange> lookup(long address) {
        return Optional.ofNullable(view.find(address));
    }

    @Override
    public List<FlatRange> flatView() {
        return List.of(view.ranges);
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("access size must be 1, 2, 4 or 8, not " + size);
        }
    }

    static long loadRam(MemorySegment segment, long offset, int size) {
        return switch (size) {
            case 1 -> segment.get(ValueLayout.JAVA_BYTE, offset) & 0xffL;
            case 2 -> segment.get(U16, offset) & 0xffffL;
            case 4 -> segment.get(U32, offset) & 0xffff_ffffL;
            default -> segment.get(U64, offset);
        };
    }

    static void storeRam(MemorySegment segment, long offset, int size, long value) {
        switch (size) {
            case 1 -> segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
            case 2 -> segment.set(U16, offset, (short) value);
            case 4 -> segment.set(U32, offset, (int) value);
            default -> segment.set(U64, offset, value);
        }
    }

    /** An immutable, sorted flat view with binary search. */
    private static final class FlatView {
        final FlatRange[] ranges;
        final long[] starts;

        FlatView(List<FlatRange> sorted) {
            ranges = sorted.toArray(FlatRange[]::new);
            starts = new long[ranges.length];
            for (int i = 0; i < ranges.length; i++) {
                starts[i] = ranges[i].start();
            }
        }

        FlatRange find(long address) {
            int i = Arrays.binarySearch(starts, address);
            if (i < 0) {
                i = -i - 2;
            }
            if (i < 0) {
                return null;
            }
            FlatRange range = ranges[i];
            return address < range.end() ? range : null;
        }
    }
}
