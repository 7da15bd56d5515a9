package io.tessera.accel.tcg;

import io.tessera.core.accel.Accelerator;
import io.tessera.core.accel.Availability;
import io.tessera.core.accel.VcpuSet;
import io.tessera.core.accel.VcpuThreads;
import io.tessera.core.isa.Cpu;
import io.tessera.core.isa.Isa;
import io.tessera.core.isa.TranslatingCpu;
import io.tessera.core.machine.Machine;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Runs each vCPU with its ISA's dynamic translator on a thread of its own: cold code in the
 * interpreter, hot code translated to JVM bytecode, one translation cache shared by the
 * machine's vCPUs. Works on any host, for CPUs that implement {@link TranslatingCpu}.
 *
 * <p>Settings (system properties, read when a machine starts): {@code tessera.tcg.threshold}
 * (times a block is interpreted before it is translated; 0 translates everything at once,
 * for tests; default 10000) and {@code tessera.tcg.cache} (bytes of translated code kept,
 * default 256 MiB).
 */
@Component(service = Accelerator.class)
public final class TranslatorAccelerator implements Accelerator {

    static final String THRESHOLD = "tessera.tcg.threshold";
    static final String CACHE = "tessera.tcg.cache";
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
    public VcpuSet start(Machine machine) {
        List<TranslatingCpu> cpus = new ArrayList<>();
        for (Cpu cpu : machine.cpus()) {
            if (!(cpu instanceof TranslatingCpu translating)) {
                throw new IllegalArgumentException("the " + cpu.isa().name() + " CPUs of machine '" + machine.name()
                        + "' have no translator; -accel interp runs them");
            }
            cpus.add(translating);
        }
        int threshold = (int) setting(THRESHOLD, DEFAULT_THRESHOLD, 0, Short.MAX_VALUE);
        long cacheBytes = setting(CACHE, 256L << 20, 65536, Long.MAX_VALUE);
        TranslatingCpu.SharedTranslations shared = cpus.get(0).newSharedTranslations(threshold, cacheBytes);
        VcpuThreads<TranslatingCpu> threads = new VcpuThreads<>(machine, cpus, (cpu, budget) -> cpu.runTranslated(budget, shared));
        threads.start();
        return threads;
    }

    /** A whole-number setting from a system property, checked against its range. */
    static long setting(String property, long fallback, long min, long max) {
        String text = System.getProperty(property);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Reported below with the valid range.
        }
        throw new IllegalArgumentException(property + "=" + text + ": valid values are whole numbers from " + min + " to " + max);
    }
}
