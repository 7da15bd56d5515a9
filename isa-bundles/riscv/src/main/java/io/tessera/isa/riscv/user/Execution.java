package io.tessera.isa.riscv.user;

import io.tessera.core.accel.AcceleratorSpec;
import io.tessera.core.machine.OptionValues;
import io.tessera.isa.riscv.HartRunner;
import io.tessera.isa.riscv.Interpreter;
import io.tessera.isa.riscv.tcg.RiscvTranslator;
import io.tessera.isa.riscv.tcg.TranslatingRunner;
import java.util.Map;

/**
 * How the threads of a run execute guest code: with the translator (the default) or the
 * interpreter alone, and the translator's settings.
 *
 * @param translate whether to translate (false: interpret everything)
 * @param threshold times a block is interpreted before it is translated; 0 translates everything at once
 * @param cacheBytes the bound on translated code per address space (class-file bytes)
 * @param regionBlocks guest basic blocks one translated loop region holds at most
 * @param loopThreshold runs of a translated block after which the loop it heads is translated as one region (0: never)
 * @param statistics what to report about the translator (tessera.tcg.stats)
 */
record Execution(boolean translate, int threshold, long cacheBytes, int regionBlocks, int loopThreshold, StatisticsRequest statistics) {

    /** The smallest bound on translated code: a few of the largest units. */
    static final long MIN_CACHE = 64L << 10;

    /** Guest instructions one region holds at most: keeps a unit's method well under the JVM's 64 KiB. */
    static final int REGION_INSNS = 400;

    /**
     * System properties that set it (see README): tessera.accel, tessera.tcg.threshold,
     * tessera.tcg.cache, tessera.tcg.region, tessera.tcg.loop, tessera.tcg.stats (and
     * tessera.tcg.chain, checked here, read by {@link Chain}).
     */
    static Execution fromProperties() {
        String accel = System.getProperty("tessera.accel", "tcg");
        boolean translate = switch (accel) {
            case "tcg" -> true;
            case "interp" -> false;
            default -> throw new IllegalArgumentException("tessera.accel=" + accel + ": valid values are tcg and interp");
        };
        int threshold = (int) number("tessera.tcg.threshold", 50, 0, Short.MAX_VALUE);
        String cacheText = System.getProperty("tessera.tcg.cache");
        long cache = cacheText == null ? 256L << 20 : OptionValues.size("tessera.tcg.cache", cacheText, MIN_CACHE, Long.MAX_VALUE);
        int region = (int) number("tessera.tcg.region", 16, 1, 256);
        int loop = (int) number("tessera.tcg.loop", 10000, 0, Integer.MAX_VALUE);
        // Read once per JVM by the runners (Chain.ON); checked here, where bad settings are reported.
        chainSetting(System.getProperty("tessera.tcg.chain"));
        return new Execution(translate, threshold, cache, region, loop, StatisticsRequest.parse(System.getProperty(StatisticsRequest.PROPERTY)));
    }

    /** A whole-number property checked against its range (the machines' translator parses its settings the same way). */
    private static long number(String property, long fallback, long min, long max) {
        String text = System.getProperty(property);
        return text == null ? fallback : OptionValues.number(property, text, min, max);
    }

    /**
     * Whether units go on into the next unit directly (tessera.tcg.chain, false by default: it
     * measured no faster here, see README), read once per JVM.
     */
    static final class Chain {
        static final boolean ON = chainSetting(System.getProperty("tessera.tcg.chain"));

        private Chain() {
        }
    }

    /** @return the value of tessera.tcg.chain ({@code text}; unset: false) */
    static boolean chainSetting(String text) {
        if (text == null || text.equals("false")) {
            return false;
        }
        if (text.equals("true")) {
            return true;
        }
        throw new IllegalArgumentException("tessera.tcg.chain=" + text + ": valid values are true and false");
    }

    /** Where translations are described when tessera.tcg.dump names a file (appended to), opened once per JVM. */
    private static final class Dump {
        static final java.io.PrintStream STREAM = open(System.getProperty("tessera.tcg.dump"));

        private static java.io.PrintStream open(String file) {
            if (file == null || file.isEmpty()) {
                return null;
            }
            try {
                return new java.io.PrintStream(new java.io.FileOutputStream(file, true), true, java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("tessera.tcg.dump=" + file + ": cannot write it (" + e.getMessage() + ")", e);
            }
        }
    }

    /**
     * This with what {@code -accel} says, the machines' way: {@code tcg} or {@code interp}, and
     * for tcg the options {@code threshold} (0 to 32767; 0: translate everything at once) and
     * {@code cache} (a size from 64K), which override the properties.
     *
     * @throws IllegalArgumentException naming the accelerator or option that is not valid, with the valid ones
     */
    Execution accelerated(AcceleratorSpec spec) {
        boolean on = switch (spec.name()) {
            case "tcg" -> true;
            case "interp" -> false;
            default -> throw new IllegalArgumentException("valid accelerators are tcg and interp");
        };
        int hot = threshold;
        long bound = cacheBytes;
        for (Map.Entry<String, String> option : spec.options().entrySet()) {
            switch (on ? option.getKey() : "") {
                case "threshold" -> hot = (int) OptionValues.number("threshold", option.getValue(), 0, Short.MAX_VALUE);
                case "cache" -> bound = OptionValues.size("cache", option.getValue(), MIN_CACHE, Long.MAX_VALUE);
                default -> throw new IllegalArgumentException("accelerator '" + spec.name() + "' has no option '" + option.getKey() + "'; "
                        + (on ? "options: threshold, cache" : "it takes none"));
            }
        }
        return new Execution(on, hot, bound, regionBlocks, loopThreshold, statistics);
    }

    /** @return what runs a thread that uses {@code memory} */
    HartRunner runner(ProcessMemory memory) {
        if (!translate) {
            return new Interpreter();
        }
        return new TranslatingRunner(memory.table.translations(cacheBytes), new RiscvTranslator(regionBlocks, REGION_INSNS, Dump.STREAM, Chain.ON),
                new ProcessTlb(memory), threshold, loopThreshold);
    }
}
