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

    /**
     * Whether the unit counts its own {@link TranslatedBlock#executions} and
     * {@link TranslatedBlock#executedInstructions} (a unit compiled with
     * {@link IrUnit#chainDirect}: its runner sees only the first unit of a chain).
     */
    public final boolean countsItself;

    /**
     * The block this is the code of, once {@link TranslatedBlock} is made: a unit compiled with
     * {@link IrUnit#chainDirect} follows its chain links and counts itself through it.
     */
    protected TranslatedBlock block;

    /** For generated subclasses that do not count themselves. */
    protected CompiledUnit() {
        this(false);
    }

    /** For generated subclasses; @param countsItself see {@link #countsItself} */
    protected CompiledUnit(boolean countsItself) {
        this.countsItself = countsItself;
    }

    /**
     * Binds the unit to its block (by the block's constructor). A unit that counts itself and
     * follows its block's links can be the code of one block only; another may be shared.
     */
    void bind(TranslatedBlock owner) {
        if (block == null) {
            block = owner;
        } else if (countsItself) {
            throw new IllegalStateException("the unit is already the code of " + block + ": a unit that chains directly belongs to one block");
        }
    }

    /**
     * Runs the unit.
     *
     * @param state the guest state the globals are bound to
     * @param memory this vCPU's soft TLB
     * @return the GOTO_TB exit slot it left by, or {@link #EXIT_NO_CHAIN}; a unit compiled with
     *         {@link IrUnit#chainDirect} may have gone on into further units, and the one that
     *         left is then in {@link SoftTlb#exited}
     */
    public abstract int run(Object state, SoftTlb memory);
}
