package io.tessera.isa.riscv.system;

import io.tessera.isa.riscv.Csr;
import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.RiscvHart;
import io.tessera.isa.riscv.tcg.RiscvTranslator;
import io.tessera.tcg.CompiledUnit;
import io.tessera.tcg.JumpCache;
import io.tessera.tcg.SoftTlb;
import io.tessera.tcg.TranslatedBlock;

/**
 * Runs a {@link SystemHart} with the translator between the hart's interrupt checks: cold
 * code in the hart's own interpreter, hot code as translated units. A unit is looked up by
 * its virtual pc and flags that hold the physical page the fetch TLB maps the pc to, the
 * privilege and whether mstatus.FS is Dirty; so a new mapping (satp, SFENCE.VMA, a trap into
 * another mode) needs no flush of translated code, only of the TLB that the lookup reads.
 * Loads and stores of RAM go straight to it through the soft TLB of the current data context
 * ({@link MachineContext}, kept by the {@link Mmu}); the rest go through the Mmu (its TLBs, PMP,
 * MMIO, faults); a fault leaves pc and instret exact and enters the hart's trap handler as the
 * interpreter's would.
 *
 * <p>Units chain (an exit goes straight to the unit it led to last) only within one virtual
 * page and between equal flags: the page's mapping was checked when the first unit was looked
 * up, and can change only through instructions that leave a unit unchained.
 */
final class TranslatedHart {

    /** Guest instructions a unit's loops run at most before the hart looks at interrupts and kicks. */
    private static final long CHUNK = 4096;
    /** Guest instructions the interpreter runs of cold code before it looks again. */
    private static final long COLD_RUN = 64;
    /** The flag bit that says mstatus.FS was Dirty (floating-point instructions translated inline). */
    static final long FLAG_FLOAT_DIRTY = 4;

    final SystemTranslations shared;
    private final SystemHart hart;
    private final Mmu mmu;
    private final JumpCache jumps = new JumpCache();
    private final short[] hotness = new short[SystemTranslations.HOTNESS_SLOTS];
    private long fencesSeen;

    TranslatedHart(SystemHart hart, SystemTranslations shared) {
        this.hart = hart;
        this.mmu = hart.mmu;
        this.shared = shared;
        this.fencesSeen = mmu.instructionFences;
    }

    /**
     * Executes until something needs the hart's attention or {@code retired} reaches the
     * budget; a fault enters its trap handler and ends the run.
     *
     * @return the instructions retired, counting from {@code retired}
     */
    long run(long retired, long budget) {
        RiscvHart core = hart.core;
        TranslatedBlock last = null;
        int exit = CompiledUnit.EXIT_NO_CHAIN;
        try {
            while (!hart.attention && retired < budget) {
                if (mmu.instructionFences != fencesSeen) {
                    fencesSeen = mmu.instructionFences;
                    shared.instructionFence(mmu::ramPage);
                    last = null;
                }
                TranslatedBlock block = null;
                if (last != null && exit >= 0) {
                    block = last.links[exit];
                    if (block != null && !block.valid) {
                        block = null;
                    }
                }
                if (block == null) {
                    block = find(core.pc);
                    if (block == null) {
                        retired = hart.run(retired, Math.min(budget, retired + COLD_RUN));
                        last = null;
                        continue;
                    }
                    if (last != null && exit >= 0 && last.flags == block.flags && ((last.pc ^ block.pc) >>> SoftTlb.PAGE_BITS) == 0) {
                        last.links[exit] = block;
                    }
                }
                if (++block.executions == SystemTranslations.LOOP_THRESHOLD && block.guestBlocks == 1) {
                    TranslatedBlock loop = translate(block.pc, block.flags, true);
                    if (loop != null) {
                        block = loop;
                    }
                }
                long before = core.instret;
                core.runLimit = before + Math.min(CHUNK, budget - retired);
                try {
                    exit = block.code.run(core, mmu.machineContext());
                } finally {
                    long done = core.instret - before;
                    retired += done;
                    block.executedInstructions += done;
                }
                last = block;
            }
        } catch (GuestFault fault) {
            hart.takeTrap(false, fault.cause(), fault.tval());
        }
        return retired;
    }

    /**
     * The unit for {@code pc} in the current mapping, privilege and FS state; translated if hot.
     *
     * @return the unit, or null when the code at pc is to be interpreted
     */
    private TranslatedBlock find(long pc) {
        int slot = mmu.codeSlot(pc);
        if (slot < 0) {
            return null;
        }
        Mmu.Tlb tlb = mmu.fetchTlb;
        long physicalPage = tlb.physical[slot] >>> SoftTlb.PAGE_BITS;
        RiscvHart core = hart.core;
        long flags = physicalPage << SoftTlb.PAGE_BITS | core.privilege
                | ((core.mstatus & Csr.MSTATUS_FS) == Csr.MSTATUS_FS ? FLAG_FLOAT_DIRTY : 0);
        TranslatedBlock block = jumps.get(pc, flags);
        if (block != null) {
            return block;
        }
        // Cold code is counted before the shared cache is asked: most lookups are of cold code,
        // between the interpreter's short runs, and the count costs less than the cache's map.
        // The cache is asked early only where another hart translated code of the same slot,
        // so that a hart takes the units the others made without interpreting the code as long.
        if (shared.threshold > 0) {
            int hot = SystemTranslations.hotnessSlot(pc, physicalPage);
            if (hotness[hot] < shared.threshold) {
                if (shared.translatedIn(hot)) {
                    block = shared.cache.get(pc, flags);
                    if (block != null) {
                        jumps.put(block);
                        return block;
                    }
                }
                hotness[hot]++;
                return null;
            }
        }
        block = shared.cache.get(pc, flags);
        if (block == null) {
            shared.snapshot(physicalPage, tlb.segments[slot], tlb.bases[slot]);
            block = translate(pc, flags, false);
            if (block == null) {
                return null;
            }
        }
        jumps.put(block);
        return block;
    }

    /** Translates the block (or the loop it heads) at pc within its page, and caches it. */
    private TranslatedBlock translate(long pc, long flags, boolean loop) {
        RiscvTranslator.PageScope scope = new RiscvTranslator.PageScope(flags >>> SoftTlb.PAGE_BITS, (flags & FLAG_FLOAT_DIRTY) != 0);
        TranslatedBlock block = shared.translator.translateInPage(pc, flags, mmu, loop, scope);
        if (block != null) {
            shared.put(block);
            jumps.put(block);
        }
        return block;
    }
}
