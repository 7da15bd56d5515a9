package io.tessera.tcg;

import java.lang.foreign.MemorySegment;

/**
 * The accesses of the {@link FastPath#SEGMENT} inline path, which generated code calls after
 * its inline tag check. A segment's get and set go through a chain of methods that HotSpot's
 * interpreter runs slowly and that its compilers inline only within a budget a unit with many
 * accesses exceeds; called from here, each is compiled once, whole, and a unit's call to it is
 * one static call whether the unit itself is interpreted or compiled. Public because generated
 * classes call it; little-endian, as guest RAM is.
 */
public final class SegmentAccess {

    private SegmentAccess() {
    }

    /** @return the byte at {@code offset} */
    public static byte getByte(MemorySegment ram, long offset) {
        return ram.get(SoftTlb.BYTE, offset);
    }

    /** @return the little-endian 2 bytes at {@code offset} */
    public static short getShort(MemorySegment ram, long offset) {
        return ram.get(SoftTlb.SHORT_LE, offset);
    }

    /** @return the little-endian 4 bytes at {@code offset} */
    public static int getInt(MemorySegment ram, long offset) {
        return ram.get(SoftTlb.INT_LE, offset);
    }

    /** @return the little-endian 8 bytes at {@code offset} */
    public static long getLong(MemorySegment ram, long offset) {
        return ram.get(SoftTlb.LONG_LE, offset);
    }

    /** Stores a byte at {@code offset}. */
    public static void setByte(MemorySegment ram, long offset, byte value) {
        ram.set(SoftTlb.BYTE, offset, value);
    }

    /** Stores 2 bytes, little-endian, at {@code offset}. */
    public static void setShort(MemorySegment ram, long offset, short value) {
        ram.set(SoftTlb.SHORT_LE, offset, value);
    }

    /** Stores 4 bytes, little-endian, at {@code offset}. */
    public static void setInt(MemorySegment ram, long offset, int value) {
        ram.set(SoftTlb.INT_LE, offset, value);
    }

    /** Stores 8 bytes, little-endian, at {@code offset}. */
    public static void setLong(MemorySegment ram, long offset, long value) {
        ram.set(SoftTlb.LONG_LE, offset, value);
    }
}
