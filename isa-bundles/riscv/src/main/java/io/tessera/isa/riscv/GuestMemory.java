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
}
