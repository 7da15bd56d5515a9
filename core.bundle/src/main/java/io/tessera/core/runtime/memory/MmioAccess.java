package io.tessera.core.runtime.memory;

import io.tessera.core.memory.MmioRegion;

/**
 * Adapts an access to the sizes an MMIO region accepts: too wide an access is split into
 * accepted pieces, too narrow a read is served from the smallest accepted aligned access
 * (and a narrow write becomes read-modify-write of it), little-endian throughout.
 */
final class MmioAccess {

    private MmioAccess() {
    }

    static long read(MmioRegion region, long offset, int size) {
        if (region.accepts(size)) {
            return mask(region.handler().read(offset, size), size);
        }
        int smaller = largestAcceptedBelow(region, size);
        if (smaller != 0) {
            long value = 0;
            for (int i = 0; i < size; i += smaller) {
                value |= mask(region.handler().read(offset + i, smaller), smaller) << (8 * i);
            }
            return value;
        }
        int wider = smallestAcceptedAbove(region, size);
        long aligned = offset & -wider;
        if (offset + size > aligned + wider) {
            long value = 0;
            for (int i = 0; i < size; i++) {
                value |= read(region, offset + i, 1) << (8 * i);
            }
            return value;
        }
        long whole = region.handler().read(aligned, wider);
        return mask(whole >>> (8 * (offset - aligned)), size);
    }

    static void write(MmioRegion region, long offset, int size, long value) {
        if (region.accepts(size)) {
            region.handler().write(offset, size, mask(value, size));
            return;
        }
        int smaller = largestAcceptedBelow(region, size);
        if (smaller != 0) {
            for (int i = 0; i < size; i += smaller) {
                region.handler().write(offset + i, smaller, mask(value >>> (8 * i), smaller));
            }
            return;
        }
        int wider = smallestAcceptedAbove(region, size);
        long aligned = offset & -wider;
        if (offset + size > aligned + wider) {
            for (int i = 0; i < size; i++) {
                write(region, offset + i, 1, value >>> (8 * i));
            }
            return;
        }
        int shift = (int) (8 * (offset - aligned));
        long fieldMask = mask(-1L, size) << shift;
        long whole = region.handler().read(aligned, wider);
        region.handler().write(aligned, wider, mask((whole & ~fieldMask) | ((value << shift) & fieldMask), wider));
    }

    private static int largestAcceptedBelow(MmioRegion region, int size) {
        for (int s = size >>> 1; s >= 1; s >>>= 1) {
            if (region.accepts(s)) {
                return s;
            }
        }
        return 0;
    }

    private static int smallestAcceptedAbove(MmioRegion region, int size) {
        for (int s = size << 1; s <= 8; s <<= 1) {
            if (region.accepts(s)) {
                return s;
            }
        }
        throw new IllegalStateException("region '" + region.name() + "' accepts no access size");
    }

    static long mask(long value, int size) {
        return size == 8 ? value : value & ((1L << (8 * size)) - 1);
    }
}
