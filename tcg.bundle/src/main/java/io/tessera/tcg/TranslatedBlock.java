package io.tessera.tcg;

/**
 * A translated unit in the cache: where it starts (guest pc and flags), the guest pages its
 * code came from, its compiled code, and its chain links: for each GOTO_TB exit slot, the
 * block that exit went to last (so the next time it goes there without a cache lookup).
 */
public final class TranslatedBlock {
    /** Guest pc of its entry. */
    public final long pc;
    /** Translation flags (mode bits the code depends on). */
    public final long flags;
    /** The compiled code. */
    public final CompiledUnit code;
    /** Guest page numbers ({@link SoftTlb#PAGE_BITS}) its instructions came from. */
    public final long[] pages;
    /** Chain links by exit slot; a link to an invalid block is ignored and replaced. */
    public final TranslatedBlock[] links;
    /** Bytes of class file (what the cache bound counts). */
    public final int size;
    /** Guest instructions translated. */
    public final int guestInstructions;
    /** Guest basic blocks translated (more than one: a region). */
    public final int guestBlocks;
    /** IR ops before and after optimization. */
    public final int opsBefore;
    /** @see #opsBefore */
    public final int opsAfter;
    /** Nanoseconds its translation took. */
    public final long translationNanos;
    /**
     * Guest pc each GOTO_TB exit slot leads to, as the front end knew it (the static
     * successors, for statistics); empty when the front end did not say.
     */
    public final long[] exitTargets;

    /** Times it ran, as its runners count (not exact across threads: a statistic and a hotness measure). */
    public int executions;
    /**
     * Guest instructions retired inside it, as its runners count (not exact across threads): a
     * unit that loops within itself retires many times its length per run.
     */
    public long executedInstructions;

    /**
     * The guest pc it left to by its last unchained exit (EXIT_TB: an indirect jump, mostly), as
     * its runners note it, or -1: what a front end may speculate such a jump goes to when it
     * translates a region holding it. Not exact across threads: a hint.
     */
    public long lastUnchainedTarget = -1;

    /**
     * Set by a runner once it has translated the block again (as a region with the loop it
     * heads, say), or found nothing better, so that it does not try again.
     */
    public boolean retranslated;

    /** False once invalidated or evicted: it must not run again. */
    public volatile boolean valid = true;
    /**
     * True while the exits of other units may enter it straight through their chain links
     * (see {@link IrUnit#chainDirect}), without returning to their runner: set by
     * {@link TranslationCache#admitDirect} by the runner that first runs it, cleared with
     * {@link #valid}.
     */
    public volatile boolean direct;
    /** The cache's clock when it was last looked up (LRU). */
    long lastUsed;

    /**
     * @param pc entry pc; @param flags translation flags; @param pages guest pages of its code
     * @param compiled the compiler's output; @param exitSlots its number of GOTO_TB slots
     * @param guestInstructions guest instructions in it; @param guestBlocks guest basic blocks in it
     */
    public TranslatedBlock(long pc, long flags, long[] pages, UnitCompiler.Compiled compiled, int exitSlots, int guestInstructions,
            int guestBlocks) {
        // The static successors are unknown: statistics show the chain links only.
        this(pc, flags, pages, compiled, exitSlots, new long[0], guestInstructions, guestBlocks);
    }

    /**
     * @param pc entry pc; @param flags translation flags; @param pages guest pages of its code
     * @param compiled the compiler's output; @param exitTargets the guest pc each GOTO_TB slot leads to
     * @param guestInstructions guest instructions in it; @param guestBlocks guest basic blocks in it
     */
    public TranslatedBlock(long pc, long flags, long[] pages, UnitCompiler.Compiled compiled, long[] exitTargets, int guestInstructions,
            int guestBlocks) {
        this(pc, flags, pages, compiled, exitTargets.length, exitTargets, guestInstructions, guestBlocks);
    }

    private TranslatedBlock(long pc, long flags, long[] pages, UnitCompiler.Compiled compiled, int exitSlots, long[] exitTargets,
            int guestInstructions, int guestBlocks) {
        this.exitTargets = exitTargets.clone();
        this.guestBlocks = guestBlocks;
        this.pc = pc;
        this.flags = flags;
        this.pages = pages.clone();
        this.code = compiled.code();
        this.links = new TranslatedBlock[exitSlots];
        this.size = compiled.classFile().length;
        this.guestInstructions = guestInstructions;
        this.opsBefore = compiled.opsBefore();
        this.opsAfter = compiled.opsAfter();
        this.translationNanos = compiled.nanos();
        code.bind(this);
    }

    @Override
    public String toString() {
        return String.format("block 0x%x (%d insns, %d bytes)", pc, guestInstructions, size);
    }
}
