package io.tessera.tcg;

/**
 * The ordering bits of a memory barrier (the mb op): which earlier accesses are ordered
 * before which later ones. The backend picks the weakest JVM fence that gives that order.
 */
public final class Barrier {

    private Barrier() {
    }

    /** Earlier loads before later loads. */
    public static final int LD_LD = 1;
    /** Earlier stores before later loads: the only order that needs a full fence. */
    public static final int ST_LD = 2;
    /** Earlier loads before later stores. */
    public static final int LD_ST = 4;
    /** Earlier stores before later stores. */
    public static final int ST_ST = 8;
    /** Every order. */
    public static final int ALL = LD_LD | ST_LD | LD_ST | ST_ST;

    /** The JVM fence a set of ordering bits needs. */
    public enum Fence {
        /** Nothing to order. */
        NONE,
        /** Loads before loads and stores ({@code VarHandle.acquireFence}). */
        ACQUIRE,
        /** Loads and stores before stores ({@code VarHandle.releaseFence}). */
        RELEASE,
        /** Loads before loads and stores before stores: both fences above, still no store-load order. */
        ACQUIRE_RELEASE,
        /** Store-load order ({@code VarHandle.fullFence}). */
        FULL
    }

    /** @return the fence {@code bits} need */
    public static Fence fence(int bits) {
        if ((bits & ~ALL) != 0) {
            throw new IllegalArgumentException("barrier bits 0x" + Integer.toHexString(bits) + ": valid bits are LD_LD, ST_LD, LD_ST, ST_ST");
        }
        if ((bits & ST_LD) != 0) {
            return Fence.FULL;
        }
        boolean acquire = (bits & (LD_LD | LD_ST)) != 0;
        boolean release = (bits & (LD_ST | ST_ST)) != 0;
        // LD_ST is covered by either fence alone.
        if ((bits & LD_LD) != 0 && (bits & ST_ST) != 0) {
            return Fence.ACQUIRE_RELEASE;
        }
        return acquire ? Fence.ACQUIRE : release ? Fence.RELEASE : Fence.NONE;
    }
}
