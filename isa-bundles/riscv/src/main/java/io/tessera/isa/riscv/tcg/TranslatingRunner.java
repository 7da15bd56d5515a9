package io.tessera.isa.riscv.tcg;

import io.tessera.isa.riscv.Environment;
import io.tessera.isa.riscv.GuestMemory;
import io.tessera.isa.riscv.HartRunner;
import io.tessera.isa.riscv.Insn;
import io.tessera.isa.riscv.Interpreter;
import io.tessera.isa.riscv.RiscvHart;
import io.tessera.tcg.CompiledUnit;
import io.tessera.tcg.JumpCache;
import io.tessera.tcg.TranslatedBlock;
import io.tessera.tcg.TranslationCache;

/**
 * Runs one hart with the translator: code runs in the interpreter, a basic block at a time,
 * until its entry has been reached {@code threshold} times; then the region there is
 * translated, and from then on runs as bytecode (HotSpot's interpreter first, then its JITs).
 * Blocks are found through this hart's jump cache, then the shared cache; an exit taken
 * before goes straight to the block it led to last time (the chain link). One per hart
 * thread; the cache is shared by the harts of an address space.
 */
public final class TranslatingRunner implements HartRunner {

    /** Translation flags of user-mode code: nothing varies. */
    private static final long USER_FLAGS = 0;
    private static final int HOTNESS_BITS = 14;
    /** Guest instructions the interpreter runs of a cold block at most before it looks again. */
    private static final int COLD_BLOCK = 64;
    /**
     * Units one unit may go on into directly before the chain returns here (each holds a JVM
     * frame until then): enough that the return costs little per transfer.
     */
    static final int CHAIN_DEPTH = 64;

    private final TranslationCache cache;
    private final RiscvTranslator translator;
    private final RiscvContext context;
    private final int threshold;
    private final int loopThreshold;
    private final JumpCache jumps = new JumpCache();
    private final Interpreter interpreter = new Interpreter();
    private final short[] hotness = new short[1 << HOTNESS_BITS];
    private long translations;
    private long unitRuns;
    private long chained;
    private long direct;
    private long interpreted;
    private long translationNanos;

    /**
     * @param cache the shared translation cache of the address space
     * @param translator the front end
     * @param context this hart's soft TLB and memory
     * @param threshold times a block is interpreted before it is translated (0: translate at once)
     * @param loopThreshold times a translated block runs before the loop it heads is translated as one region (0: never)
     */
    public TranslatingRunner(TranslationCache cache, RiscvTranslator translator, RiscvContext context, int threshold, int loopThreshold) {
        if (threshold < 0 || threshold > Short.MAX_VALUE) {
            throw new IllegalArgumentException("hotness threshold " + threshold + ": valid values are 0 to " + Short.MAX_VALUE);
        }
        this.cache = cache;
        this.translator = translator;
        this.context = context;
        this.threshold = threshold;
        this.loopThreshold = loopThreshold <= 0 ? -1 : loopThreshold;
    }

    @Override
    public long run(RiscvHart hart, GuestMemory memory, Environment env, long limit) {
        long start = hart.instret;
        long stop = start + limit;
        hart.runLimit = stop;
        context.environment = env;
        TranslatedBlock last = null;
        int exit = CompiledUnit.EXIT_NO_CHAIN;
        while (hart.instret - stop < 0) {
            long pc = hart.pc;
            TranslatedBlock block = null;
            if (last != null && exit >= 0) {
                block = last.links[exit];
                if (block != null && !block.valid) {
                    block = null;
                } else if (block != null) {
                    chained++;
                }
            }
            if (block == null) {
                block = find(pc, memory);
                if (block != null && last != null && exit >= 0) {
                    last.links[exit] = block;
                }
            }
            if (block == null) {
                long before = hart.instret;
                try {
                    interpretBlock(hart, memory, env, stop);
                } finally {
                    interpreted += hart.instret - before;
                }
                last = null;
                exit = CompiledUnit.EXIT_NO_CHAIN;
                continue;
            }
            block = tier(block, memory);
            // The interpreter, and other threads, may have changed mappings since the last unit.
            context.revalidate();
            unitRuns++;
            long before = hart.instret;
            context.chainBudget = CHAIN_DEPTH;
            context.exited = block;
            try {
                exit = block.code.run(hart, context);
            } finally {
                // The units it went on into directly (a fault may end the chain).
                direct += CHAIN_DEPTH - Math.max(context.chainBudget, 0);
            }
            if (!block.code.countsItself) {
                block.executions++;
                block.executedInstructions += hart.instret - before;
            }
            last = context.exited;
            if (exit < 0) {
                last.lastUnchainedTarget = hart.pc;
            }
        }
        return hart.instret - start;
    }

    private TranslatedBlock find(long pc, GuestMemory memory) {
        TranslatedBlock block = jumps.get(pc, USER_FLAGS);
        if (block != null) {
            return block;
        }
        block = cache.get(pc, USER_FLAGS);
        if (block == null) {
            if (threshold > 0) {
                int slot = (int) (pc >>> 1) & ((1 << HOTNESS_BITS) - 1);
                if (hotness[slot] < threshold) {
                    hotness[slot]++;
                    return null;
                }
            }
            long generation = memory.codeGeneration();
            block = translator.translateBlock(pc, USER_FLAGS, memory);
            if (block == null || !publish(block, memory, generation)) {
                return null;
            }
        }
        jumps.put(block);
        return block;
    }

    /**
     * What the runner does to a block before it runs it: a single basic block that has run
     * {@code loopThreshold} times is translated again with the loop it heads
     * ({@link #translateLoop}), once; and what runs, if it chains directly (its unit counts
     * itself), is admitted to direct entry from other units' exits at once, so that HotSpot profiles those exits as taken before it compiles
     * them (an exit compiled as never taken would trap and be compiled again when it is). A
     * block entered only directly is seen here when a chain returns (its budget spent, the
     * run limit reached, an unchained exit): its loop is translated then.
     *
     * @return what to run now
     */
    private TranslatedBlock tier(TranslatedBlock block, GuestMemory memory) {
        if (loopThreshold > 0 && block.guestBlocks == 1 && !block.retranslated && block.executions + 1 >= loopThreshold) {
            block.retranslated = true;
            block = translateLoop(block, memory);
        }
        if (!block.direct && block.code.countsItself) {
            cache.admitDirect(block);
        }
        return block;
    }

    /**
     * A block that ran {@code loopThreshold} times is translated again with the loop it heads,
     * if it heads one, so that the loop runs inside one method.
     */
    private TranslatedBlock translateLoop(TranslatedBlock block, GuestMemory memory) {
        long generation = memory.codeGeneration();
        TranslatedBlock loop = translator.translateLoop(block.pc, USER_FLAGS, memory, this::observedTarget);
        if (loop == null || loop.guestBlocks == 1 && loop.guestInstructions == block.guestInstructions
                || !publish(loop, memory, generation)) {
            return block;
        }
        jumps.put(loop);
        return loop;
    }

    /**
     * Where the indirect jump ending the basic block at {@code pc} went last, as the block's own
     * unit saw it (a region's exits are not told apart), or -1.
     */
    private long observedTarget(long pc) {
        TranslatedBlock block = cache.get(pc, USER_FLAGS);
        return block != null && block.guestBlocks == 1 ? block.lastUnchainedTarget : -1;
    }

    /**
     * Caches a new translation, unless code may have been written while it was made (then the
     * bytes it read may be old): it goes in first and is taken out again if the memory's code
     * generation moved, so that a writer's invalidation, before or after, cannot miss it.
     *
     * @return whether it stays
     */
    private boolean publish(TranslatedBlock block, GuestMemory memory, long generation) {
        translations++;
        translationNanos += block.translationNanos;
        cache.put(block);
        if (generation != GuestMemory.UNTRACKED && memory.codeGeneration() != generation) {
            cache.remove(block);
            return false;
        }
        return true;
    }

    /** Interprets up to the next control transfer (or a few dozen instructions). */
    private void interpretBlock(RiscvHart hart, GuestMemory memory, Environment env, long stop) {
        for (int i = 0; i < COLD_BLOCK && hart.instret - stop < 0; i++) {
            long pc = hart.pc;
            Insn insn = interpreter.step(hart, memory, env);
            if (hart.pc != pc + insn.length()) {
                return;
            }
        }
    }

    /** @return the regions this runner translated */
    public long translations() {
        return translations;
    }

    /** @return units entered directly from another unit's exit so far (not through this runner) */
    public long directTransfers() {
        return direct;
    }

    /** @return a line of this runner's counts: translations, unit runs, chained transitions, direct transfers, interpreted instructions */
    public String statistics() {
        return String.format(
                "translations %d (%.0f ms optimizing, emitting, defining), unit runs %d from the runner (%d through chain links) and %d entered directly from another unit, instructions interpreted %d",
                translations, translationNanos / 1e6, unitRuns, chained, direct, interpreted);
    }

    /** Forgets this hart's own view of the cache (after FENCE.I, or when the cache was cleared). */
    public void forgetJumps() {
        jumps.clear();
    }
}
