package io.tessera.tcg;

import java.lang.foreign.MemorySegment;

/**
 * Reads and writes at host addresses that a soft TLB took from a live off-heap segment (a
 * machine's RAM): the inline path of {@link FastPath#SEGMENT} units, and a hart's own
 * interpreter. Every access goes through {@link #ALL}, one constant segment over the whole
 * address space, so that HotSpot folds its checks away; an access through the RAM segment
 * itself checks that segment's class, bounds and arena each time, which a TLB hit has settled
 * already (the entry holds a whole page of the segment). Callers keep the promise that makes
 * this sound: an address is used only while the segment it came from is alive (a machine's
 * RAM outlives its harts), and only for the page its entry maps. Little-endian, as guest RAM
 * is; public because generated classes call it.
 */
public final class HostMemory {

    /** The host's address space as one segment (restricted: needs native access, which run/tessera grants). */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private HostMemory() {
    }

    /**
     * @return the host address of {@code offset} in {@code segment}
     * @throws IllegalArgumentException if the segment is not off-heap (heap memory has no fixed address)
     */
    public static long addressOf(MemorySegment segment, long offset) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("a heap segment has no host address: " + segment);
        }
        return segment.address() + offset;
    }

    /** @return the byte at host address {@code address} */
    public static byte getByte(long address) {
        return ALL.get(SoftTlb.BYTE, address);
    }

    /** @return the little-endian 2 bytes at {@code address} */
    public static short getShort(long address) {
        return ALL.get(SoftTlb.SHORT_LE, address);
    }

    /** @return the little-endian 4 bytes at {@code address} */
    public static int getInt(long address) {
        return ALL.get(SoftTlb.INT_LE, address);
    }

    /** @return the little-endian 8 bytes at {@code address} */
    public static long getLong(long address) {
        return ALL.get(SoftTlb.LONG_LE, address);
    }

    /** Stores a byte at {@code address}. */
    public static void setByte(long address, byte value) {
        ALL.set(SoftTlb.BYTE, address, value);
    }

    /** Stores 2 bytes, little-endian, at {@code address}. */
    public static void setShort(long address, short value) {
        ALL.set(SoftTlb.SHORT_LE, address, value);
    }

    /** Stores 4 bytes, little-endian, at {@code address}. */
    public static void setInt(long address, int value) {
        ALL.set(SoftTlb.INT_LE, address, value);
    }

    /** Stores 8 bytes, little-endian, at {@code address}. */
    public static void setLong(long address, long value) {
        ALL.set(SoftTlb.LONG_LE, address, value);
    }
}
