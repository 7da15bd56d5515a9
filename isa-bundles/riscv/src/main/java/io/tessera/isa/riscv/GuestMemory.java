package io.tessera.isa.riscv;

/**
 * What a hart's loads, stores and fetches go to: the user-mode process image, or (in a
 * machine) the address space behind the MMU. Values are little-endian, zero-extended; a
 * failed access throws {@link GuestFault}.
 */
public interface GuestMemory {

    /** Loads {@code size} (1, 2, 4, 8) bytes. */
    long load(long address, int size);

    /** Stores the low {@code size} bytes of {@code value}. */
    void store(long address, int size, long value);

    /** Fetches 16 instruction bits; a 32-bit instruction is fetched as two halves. */
    int fetch16(long address);

    /**
     * A number that changes whenever instructions may have changed: a store to executable
     * memory, a change of mapping or protection. While it stays the same, an instruction
     * decoded at an address is still the one there, and fetching it again can be skipped.
     *
     * @return the generation of instruction memory, or {@link #UNTRACKED} when this memory cannot tell
     */
    default long codeGeneration() {
        return UNTRACKED;
    }

    /**
     * FENCE.I: instructions stored before it must be the ones fetched after it. Memories that
     * track code by {@link #codeGeneration()} without watching every store change it here.
     */
    default void instructionFence() {
    }

    /**
     * Stores {@code value} if the naturally aligned 4- or 8-byte location holds {@code expected}
     * (compared in its low {@code size} bytes), atomically with respect to other harts on the
     * same memory. The default suits a memory that only one hart uses.
     *
     * @return whether it stored
     */
    default boolean compareAndSet(long address, int size, long expected, long value) {
        long mask = size == 4 ? 0xffff_ffffL : -1L;
        if ((load(address, size) & mask) != (expected & mask)) {
            return false;
        }
        store(address, size, value);
        return true;
    }

    /**
     * The load of a read-modify-write (an AMO): the value now, with faults reported as the
     * store the access is, not as a load.
     */
    default long loadForUpdate(long address, int size) {
        return load(address, size);
    }

    /** LR: loads a naturally aligned 4- or 8-byte value (zero-extended) and reserves it for {@link #storeConditional}. */
    default long loadReserved(long address, int size) {
        return load(address, size);
    }

    /**
     * SC: stores if the location reserved by the hart's last {@link #loadReserved} still holds
     * what was loaded then; the caller has checked that the address is the reserved one. The
     * default suits a memory that only one hart uses.
     *
     * @return whether it stored
     */
    default boolean storeConditional(long address, int size, long value) {
        store(address, size, value);
        return true;
    }

    /** {@link #codeGeneration()} of a memory that does not track changes to instructions. */
    long UNTRACKED = -1;
}
