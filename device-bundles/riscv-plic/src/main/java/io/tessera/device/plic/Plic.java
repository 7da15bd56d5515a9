package io.tessera.device.plic;

import io.tessera.core.irq.IrqLine;
import io.tessera.core.memory.MmioHandler;
import java.util.Arrays;
import java.util.List;

/**
 * The register file and the arbitration of a SiFive-style PLIC, as the RISC-V PLIC
 * specification lays it out:
 * <pre>
 *   0x000000 + 4*s            priority of source s (1..sources-1; source 0 does not exist)
 *   0x001000 + 4*w            pending bits of sources 32w..32w+31 (read-only)
 *   0x002000 + 0x80*c + 4*w   enable bits of context c
 *   0x200000 + 0x1000*c       priority threshold of context c
 *   0x200004 + 0x1000*c       claim (read) / complete (write) of context c
 * </pre>
 * Sources are level-triggered: a source is pending while its line is high and it is not
 * claimed; when a claimed source is completed and its line is still high it is pending
 * again, so a device that keeps its interrupt asserted is seen again, as on hardware.
 */
final class Plic implements MmioHandler {

    /** Where a context's output goes: a hart's external interrupt input. */
    interface Context {
        void setLevel(boolean level);
    }

    static final long PENDING = 0x1000;
    static final long ENABLE = 0x2000;
    static final long ENABLE_STRIDE = 0x80;
    static final long CONTEXT = 0x20_0000;
    static final long CONTEXT_STRIDE = 0x1000;

    private static final System.Logger LOG = System.getLogger(Plic.class.getName());

    private final int sources;
    private final int words;
    private final int priorityMask;
    private final List<Context> contexts;
    private final int[] priority;
    private final int[] pending;
    private final int[] claimed;
    private final int[] levels;
    private final int[][] enabled;
    private final int[] threshold;
    private final boolean[] outputs;

    /**
     * @param sources number of sources including the non-existent source 0
     * @param priorityBits how many bits a priority has (priorities 0 .. 2^bits-1)
     */
    Plic(int sources, int priorityBits, List<Context> contexts) {
        this.sources = sources;
        this.words = (sources + 31) / 32;
        this.priorityMask = (1 << priorityBits) - 1;
        this.contexts = List.copyOf(contexts);
        this.priority = new int[sources];
        this.pending = new int[words];
        this.claimed = new int[words];
        this.levels = new int[words];
        this.enabled = new int[contexts.size()][words];
        this.threshold = new int[contexts.size()];
        this.outputs = new boolean[contexts.size()];
    }

    /** Sizes the register block must have for {@code contexts} contexts. */
    static long size(int contexts) {
        return CONTEXT + CONTEXT_STRIDE * contexts;
    }

    IrqLine line(int source) {
        if (source < 1 || source >= sources) {
            throw new IllegalArgumentException("PLIC source " + source + " does not exist; sources are 1.." + (sources - 1));
        }
        return new IrqLine() {
            @Override
            public void set(boolean level) {
                setSource(source, level);
            }

            @Override
            public boolean level() {
                return levelOf(source);
            }
        };
    }

    private synchronized boolean levelOf(int source) {
        return bit(levels, source);
    }

    private synchronized void setSource(int source, boolean level) {
        setBit(levels, source, level);
        if (level && !bit(claimed, source)) {
            setBit(pending, source, true);
        } else if (!level) {
            setBit(pending, source, false);
        }
        update();
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (size != 4 || (offset & 3) != 0) {
            LOG.log(System.Logger.Level.DEBUG, "PLIC: {0}-byte read at 0x{1} ignored", size, Long.toHexString(offset));
            return 0;
        }
        if (offset < PENDING) {
            int source = (int) (offset / 4);
            return source < sources ? priority[source] : 0;
        } else if (offset < ENABLE) {
            int word = (int) ((offset - PENDING) / 4);
            return word < words ? pending[word] & 0xffff_ffffL : 0;
        } else if (offset < CONTEXT) {
            int context = (int) ((offset - ENABLE) / ENABLE_STRIDE);
            int word = (int) ((offset - ENABLE) % ENABLE_STRIDE / 4);
            return context < contexts.size() && word < words ? enabled[context][word] & 0xffff_ffffL : 0;
        }
        int context = (int) ((offset - CONTEXT) / CONTEXT_STRIDE);
        if (context >= contexts.size()) {
            return 0;
        }
        return switch ((int) ((offset - CONTEXT) % CONTEXT_STRIDE)) {
            case 0 -> threshold[context];
            case 4 -> claim(context);
            default -> 0;
        };
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (size != 4 || (offset & 3) != 0) {
            LOG.log(System.Logger.Level.DEBUG, "PLIC: {0}-byte write at 0x{1} ignored", size, Long.toHexString(offset));
            return;
        }
        int v = (int) value;
        if (offset < PENDING) {
            int source = (int) (offset / 4);
            if (source > 0 && source < sources) {
                priority[source] = v & priorityMask;
            }
        } else if (offset < ENABLE) {
            return;   // pending bits are read-only
        } else if (offset < CONTEXT) {
            int context = (int) ((offset - ENABLE) / ENABLE_STRIDE);
            int word = (int) ((offset - ENABLE) % ENABLE_STRIDE / 4);
            if (context < contexts.size() && word < words) {
                // Source 0 does not exist, and neither do sources past the last.
                int valid = word == 0 ? ~1 : -1;
                if (word == words - 1 && sources % 32 != 0) {
                    valid &= (1 << (sources % 32)) - 1;
                }
                enabled[context][word] = v & valid;
            }
        } else {
            int context = (int) ((offset - CONTEXT) / CONTEXT_STRIDE);
            if (context >= contexts.size()) {
                return;
            }
            switch ((int) ((offset - CONTEXT) % CONTEXT_STRIDE)) {
                case 0 -> threshold[context] = v & priorityMask;
                case 4 -> complete(context, v);
                default -> {
                    return;
                }
            }
        }
        update();
    }

    /** The highest-priority pending, enabled source above the threshold; ties go to the lowest id. */
    private int best(int context) {
        int best = 0;
        int bestPriority = threshold[context];
        for (int word = 0; word < words; word++) {
            int candidates = pending[word] & enabled[context][word] & ~claimed[word];
            while (candidates != 0) {
                int source = word * 32 + Integer.numberOfTrailingZeros(candidates);
                candidates &= candidates - 1;
                if (priority[source] > bestPriority) {
                    best = source;
                    bestPriority = priority[source];
                }
            }
        }
        return best;
    }

    private int claim(int context) {
        int source = best(context);
        if (source != 0) {
            setBit(pending, source, false);
            setBit(claimed, source, true);
            update();
        }
        return source;
    }

    /**
     * Ends the handling of {@code source}. The specification lets a PLIC ignore the completion
     * of a source the context has not enabled; QEMU's completes it anyway, and Linux relies on
     * that when it moves an interrupt to another hart while one is claimed (the old hart
     * completes through its own context, where the source is no longer enabled).
     */
    private void complete(int context, int source) {
        if (source <= 0 || source >= sources) {
            LOG.log(System.Logger.Level.DEBUG, "PLIC: context {0} completed source {1}, which does not exist; ignored",
                    context, source);
            return;
        }
        setBit(claimed, source, false);
        if (bit(levels, source)) {
            setBit(pending, source, true);
        }
    }

    private void update() {
        for (int context = 0; context < contexts.size(); context++) {
            boolean level = best(context) != 0;
            if (level != outputs[context]) {
                outputs[context] = level;
                contexts.get(context).setLevel(level);
            }
        }
    }

    synchronized void reset() {
        Arrays.fill(priority, 0);
        Arrays.fill(claimed, 0);
        for (int[] e : enabled) {
            Arrays.fill(e, 0);
        }
        Arrays.fill(threshold, 0);
        System.arraycopy(levels, 0, pending, 0, words);
        update();
    }

    synchronized int[][] save() {
        int[][] state = new int[3 + enabled.length][];
        state[0] = priority.clone();
        state[1] = claimed.clone();
        state[2] = threshold.clone();
        for (int c = 0; c < enabled.length; c++) {
            state[3 + c] = enabled[c].clone();
        }
        return state;
    }

    synchronized void restore(int[] priorities, int[] claims, int[] thresholds, int[][] enables) {
        for (int s = 1; s < sources; s++) {
            priority[s] = priorities[s] & priorityMask;
        }
        System.arraycopy(claims, 0, claimed, 0, words);
        for (int c = 0; c < threshold.length; c++) {
            threshold[c] = thresholds[c] & priorityMask;
            System.arraycopy(enables[c], 0, enabled[c], 0, words);
        }
        for (int w = 0; w < words; w++) {
            pending[w] = levels[w] & ~claimed[w];
        }
        update();
    }

    int sources() {
        return sources;
    }

    int contextCount() {
        return contexts.size();
    }

    private static boolean bit(int[] bits, int n) {
        return (bits[n >>> 5] & (1 << (n & 31))) != 0;
    }

    private static void setBit(int[] bits, int n, boolean value) {
        if (value) {
            bits[n >>> 5] |= 1 << (n & 31);
        } else {
            bits[n >>> 5] &= ~(1 << (n & 31));
        }
    }
}
