package io.tessera.tcg;

/**
 * A translated unit, as the backend generated it: one hidden class per unit. It loads its
 * globals from {@code state}, runs, writes them back and returns how it left. An abstract
 * class rather than an interface: runners call many units from one call site, and a virtual
 * call through the vtable is cheaper than an interface call through the itable.
 */
public abstract class CompiledUnit {

    /** What {@link #run} returns when the unit left by EXIT_TB (not chainable). */
    public static final int EXIT_NO_CHAIN = -1;

    /** For generated subclasses. */
    protected CompiledUnit() {
    }

    /**
     * Runs the unit.
     *
     * @param state the guest state the globals are bound to
     * @param memory this vCPU's soft TLB
     * @return the GOTO_TB exit slot it left by, or {@link #EXIT_NO_CHAIN}
     */
    public abstract int run(Object state, SoftTlb memory);
}
