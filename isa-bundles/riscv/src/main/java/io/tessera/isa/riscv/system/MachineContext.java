package io.tessera.isa.riscv.system;

import io.tessera.isa.riscv.tcg.RiscvContext;
import io.tessera.tcg.SoftTlb;
import java.lang.foreign.MemorySegment;

/**
 * The soft TLB translated code of a hart reads in one data context (effective privilege, SUM,
 * MXR): a subset of the {@link Mmu}'s load and store TLBs of that context, holding only pages
 * of RAM that one PMP rule allows whole, so that the inline path of a unit compiled for
 * {@link io.tessera.tcg.FastPath#SEGMENT} reads and writes guest RAM with no call. The Mmu fills
 * an entry when it caches the same translation in its own TLB (after the walk set the A bit, and
 * the D bit for a store), and drops entries whenever it drops its own; everything else (MMIO,
 * ROM writes, PMP-split pages, misaligned accesses, faults) goes through the slow path into the Mmu.
 *
 * <p>Stores need no watching for translated code: a hart sees changed instructions only after
 * FENCE.I, which compares the pages code was translated from ({@link SystemTranslations}).
 */
final class MachineContext extends RiscvContext {

    MachineContext(Mmu mmu, io.tessera.isa.riscv.Environment environment) {
        super(mmu);
        this.environment = environment;
    }

    /** Loads from virtual page {@code page} (an address) read RAM segment {@code ram} at {@code offset}. */
    void mapRead(long page, MemorySegment ram, long offset) {
        fillReadAt(page >>> SoftTlb.PAGE_BITS, ram, offset);
    }

    /** Stores to virtual page {@code page} (an address) write RAM segment {@code ram} at {@code offset}. */
    void mapWrite(long page, MemorySegment ram, long offset) {
        fillWriteAt(page >>> SoftTlb.PAGE_BITS, ram, offset);
    }

    /** Drops the entries of virtual page {@code page} (an address). */
    void unmap(long page) {
        drop(page >>> SoftTlb.PAGE_BITS);
    }
}
