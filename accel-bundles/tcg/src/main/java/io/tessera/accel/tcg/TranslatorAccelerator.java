package io.tessera.accel.tcg;

import io.tessera.core.accel.Accelerator;
import io.tessera.core.accel.Availability;
import io.tessera.core.accel.VcpuSet;
import io.tessera.core.accel.VcpuThreads;
import io.tessera.core.isa.Cpu;
import io.tessera.core.isa.Isa;
import io.tessera.core.isa.TranslatingCpu;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineOption;
import io.tessera.core.machine.OptionValues;
import io.tessera.tcg.stats.TranslationStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Runs each vCPU with its ISA's dynamic translator on a thread of its own: cold code in the
 * interpreter, hot code translated to JVM bytecode, one translation cache shared by the
 * machine's vCPUs. Works on any host, for CPUs that implement {@link TranslatingCpu}.
 *
 * <p>Options, QEMU's way ({@code -accel tcg,threshold=0,cache=64M}, or the machine option
 * {@code accel=tcg,...}): {@code threshold} (times a block is interpreted before it is
 * translated; 0 translates everything at once, for tests) and {@code cache} (the bound on the
 * translated code kept, a size). The system properties {@code tessera.tcg.threshold} and
 * {@code tessera.tcg.cache} give the defaults of machines that do not set them.
 */
@Component(service = Accelerator.class)
public final class TranslatorAccelerator implements Accelerator {

    /** Where a machine's translation statistics are published; null outside OSGi (unit tests). */
    private final BundleContext context;

    /** For tests: publishes no statistics. */
    TranslatorAccelerator() {
        this(null);
    }

    @Activate
    public TranslatorAccelerator(BundleContext context) {
        this.context = context;
    }

    static final String THRESHOLD = "threshold";
    static final String CACHE = "cache";
    static final String THRESHOLD_PROPERTY = "tessera.tcg.threshold";
    static final String CACHE_PROPERTY = "tessera.tcg.cache";
    /**
     * Interpreted runs before a block is translated. Higher than user mode's 50: a translated
     * unit runs in HotSpot's bytecode interpreter until HotSpot compiles it, which is slower
     * than the hart's own interpreter, and a kernel's boot runs much code a few hundred times
     * (Linux to the shell, 1 hart: 59 s at 500, 38 s at 2000, 35 s at 10000). With RAM
     * accessed inline, 10000 still costs the least CPU time (boot-virt -accel tcg: 74 s at
     * 10000, 86 s at 30000, 97 s at 2000): fewer units compiled by HotSpot, and only code that
     * keeps running.
     */
    static final int DEFAULT_THRESHOLD = 10000;
    static final long DEFAULT_CACHE = 256L << 20;
    /** The smallest cache bound: a few of the largest units. */
    static final long MIN_CACHE = 64L << 10;

    private static final List<MachineOption> OPTIONS = List.of(
            new MachineOption(THRESHOLD, "times a block is interpreted before it is translated, 0 to " + Short.MAX_VALUE
                    + "; 0 translates everything at once", String.valueOf(DEFAULT_THRESHOLD)),
            new MachineOption(CACHE, "class-file bytes of translated code kept (LRU beyond), a size from 64K (256M, 1G)", "256M"));

    /**
     * The settings of one machine's translator.
     *
     * @param threshold interpreted runs before translation (0: translate everything at once)
     * @param cacheBytes the bound on the translated code kept
     */
    record Settings(int threshold, long cacheBytes) {

        /**
         * The settings {@code options} give, the system properties standing in for those not given.
         *
         * @param options known options ({@link #checkOptions} refuses others)
         * @throws IllegalArgumentException naming the option (or property) whose value is
         *         invalid, with what is valid
         */
        static Settings of(Map<String, String> options) {
            String threshold = setting(options, THRESHOLD, THRESHOLD_PROPERTY);
            String cache = setting(options, CACHE, CACHE_PROPERTY);
            return new Settings(
                    threshold == null ? DEFAULT_THRESHOLD : (int) OptionValues.number(name(options, THRESHOLD, THRESHOLD_PROPERTY),
                            threshold, 0, Short.MAX_VALUE),
                    cache == null ? DEFAULT_CACHE : OptionValues.size(name(options, CACHE, CACHE_PROPERTY), cache, MIN_CACHE,
                            Long.MAX_VALUE));
        }

        private static String setting(Map<String, String> options, String option, String property) {
            if (options.containsKey(option)) {
                return options.get(option);
            }
            String value = System.getProperty(property);
            return value == null || value.isBlank() ? null : value;
        }

        /** What an error names: the option if it was given, else the property that stood in for it. */
        private static String name(Map<String, String> options, String option, String property) {
            return options.containsKey(option) ? option : property;
        }
    }

    @Override
    public String name() {
        return "tcg";
    }

    /** Below the interpreter until the translator boots every guest the interpreter does. */
    @Override
    public int ranking() {
        return -10;
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public boolean supports(Isa isa) {
        return true;
    }

    @Override
    public List<MachineOption> options() {
        return OPTIONS;
    }

    @Override
    public void checkOptions(Map<String, String> options) {
        Accelerator.super.checkOptions(options);
        Settings.of(options);
    }

    @Override
    public VcpuSet start(Machine machine) {
        return start(machine, Map.of());
    }

    @Override
    public VcpuSet start(Machine machine, Map<String, String> options) {
        checkOptions(options);
        Settings settings = Settings.of(options);
        List<TranslatingCpu> cpus = new ArrayList<>();
        for (Cpu cpu : machine.cpus()) {
            if (!(cpu instanceof TranslatingCpu translating)) {
                throw new IllegalArgumentException("the " + cpu.isa().name() + " CPUs of machine '" + machine.name()
                        + "' have no translator; -accel interp runs them");
            }
            cpus.add(translating);
        }
        TranslatingCpu.SharedTranslations shared = cpus.get(0).newSharedTranslations(settings.threshold(), settings.cacheBytes());
        VcpuThreads<TranslatingCpu> threads = new VcpuThreads<>(machine, cpus, (cpu, budget) -> cpu.runTranslated(budget, shared));
        threads.start();
        // ISAs whose translations keep statistics publish them for the monitor's tcg commands.
        if (context != null && shared instanceof TranslationStatistics statistics) {
            return new PublishedStatistics(threads, statistics, context, machine.name());
        }
        return threads;
    }
}
