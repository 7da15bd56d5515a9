package io.tessera.core.memory;

/**
 * The callbacks behind an MMIO region: the whole contract a device's register block
 * implements. Offsets are relative to the region; sizes are 1, 2, 4 or 8 bytes and only
 * those the region declared valid reach the handler (wider or narrower accesses are
 * split or combined by the address space, little-endian).
 *
 * <p>A handler must not throw for guest mistakes: an access to an unimplemented or
 * reserved register reads as zero and ignores writes (log it, count it), because a guest
 * must never be able to crash the emulator through a device.
 */
public interface MmioHandler {

    /**
     * Reads a register.
     *
     * @param offset byte offset within the region
     * @param size access width in bytes (1, 2, 4 or 8)
     * @return the value, zero-extended to 64 bits
     */
    long read(long offset, int size);

    /**
     * Writes a register.
     *
     * @param offset byte offset within the region
     * @param size access width in bytes (1, 2, 4 or 8)
     * @param value the value; only the low {@code size * 8} bits are meaningful
     */
    void write(long offset, int size, long value);
}
