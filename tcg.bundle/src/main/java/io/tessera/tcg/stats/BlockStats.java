package io.tessera.tcg.stats;

import java.util.List;

/**
 * One translated block's counts, as they were when its snapshot was taken.
 *
 * @param pc guest pc of its entry
 * @param flags its translation flags (in system mode: the physical page, privilege and FS state)
 * @param executions times it was entered (counted by its runners without synchronization: exact
 *        for one vCPU, a close estimate with several)
 * @param guestInstructions guest instructions translated into it
 * @param executedInstructions guest instructions retired in it, as its runners measured them
 *        (a unit that loops within itself, or a region, retires many times its length per
 *        run; one left early by a fault or an exit, fewer)
 * @param guestBlocks guest basic blocks in it (more than one: a loop region)
 * @param irOpsBefore IR ops before optimization
 * @param irOpsAfter IR ops after optimization
 * @param bytecodeBytes bytes of its class file
 * @param translationNanos time its translation took (optimizing, emitting, defining the class)
 * @param chainedTo entry pcs of the blocks its exits are chained to now (the successors it took)
 * @param exitTargets entry pcs its direct exits lead to (the static successors)
 */
public record BlockStats(long pc, long flags, long executions, int guestInstructions, long executedInstructions, int guestBlocks, int irOpsBefore, int irOpsAfter,
        int bytecodeBytes, long translationNanos, List<Long> chainedTo, List<Long> exitTargets) {

    /** Copies the lists. */
    public BlockStats {
        chainedTo = List.copyOf(chainedTo);
        exitTargets = List.copyOf(exitTargets);
    }

    /** @return bytes of class file per guest instruction */
    public double bytesPerInstruction() {
        return guestInstructions == 0 ? 0 : (double) bytecodeBytes / guestInstructions;
    }

    /** @return IR ops after optimization per op before (below 1: the optimizer removed some) */
    public double opsRatio() {
        return irOpsBefore == 0 ? 0 : (double) irOpsAfter / irOpsBefore;
    }

    /** @return the successors: chained ones first, then static ones not chained, each once */
    public List<Long> successors() {
        java.util.LinkedHashSet<Long> all = new java.util.LinkedHashSet<>(chainedTo);
        all.addAll(exitTargets);
        return List.copyOf(all);
    }
}
