package io.tessera.isa.riscv.tcg;

import io.tessera.isa.riscv.Environment;
import io.tessera.isa.riscv.GuestMemory;
import io.tessera.tcg.SoftTlb;

/**
 * What translated code of one hart runs against: its soft TLB, and the memory and
 * environment that helpers and the TLB's slow path use. This base class fills nothing, so
 * every access takes the slow path to {@link GuestMemory}; a memory model that can hand out
 * its pages' bytes subclasses it and fills the TLB.
 */
public class RiscvContext extends SoftTlb {

    /** The hart's memory. */
    public final GuestMemory memory;
    /** The environment of system calls and CSRs; set by the runner for each run. */
    public Environment environment;

    /** @param memory the hart's memory */
    public RiscvContext(GuestMemory memory) {
        this.memory = memory;
    }

    @Override
    public long loadSlow(long address, int size) {
        return memory.load(address, size);
    }

    @Override
    public void storeSlow(long address, int size, long value) {
        memory.store(address, size, value);
    }
}
