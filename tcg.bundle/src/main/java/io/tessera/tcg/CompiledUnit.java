package io.tessera.tcg;

/**
 * A translated unit, as the backend generated it: one hidden class per unit. It loads its
 * globals from {@code state}, runs, writes them back and returns how it left.
 */
public interface CompiledUnit {

    /** What {@link #run} returns when the unit left by EXIT_TB (not chainable). */
    int EXIT_NO_CHAIN = -1;

    /**
     * Runs the unit.
     *
     * @param state the guest state the globals are bound to
     * @param memory this vCPU's soft TLB
     * @return the GOTO_TB exit slot it left by, or {@link #EXIT_NO_CHAIN}
     */
    int run(Object state, SoftTlb memory);
}
