package io.tessera.core.isa;

/**
 * A CPU that can also run with a dynamic translator: what the translator accelerator needs of
 * an ISA. The translated code of a machine is shared by its CPUs, so the accelerator asks one
 * of them for a {@link SharedTranslations} and hands it to all; one thread per CPU then calls
 * {@link #runTranslated} in a loop, as it would {@link #interpret(long)}.
 */
public interface TranslatingCpu extends InterpretedCpu {

    /** The translation cache and its settings, shared by the CPUs of one machine. */
    interface SharedTranslations {

        /** @return a line of counts (translations, cached blocks and bytes, invalidations) */
        String statistics();
    }

    /**
     * Makes the translation state for this CPU and its machine's other CPUs of the same ISA.
     *
     * @param threshold times a block of guest code runs in the interpreter before it is
     *        translated; 0 translates everything before its first run
     * @param cacheBytes the bound on the translated code kept (LRU eviction beyond it)
     * @throws IllegalArgumentException if a setting is out of range (the message says the valid range)
     */
    SharedTranslations newSharedTranslations(int threshold, long cacheBytes);

    /**
     * Like {@link #interpret(long)}, but hot code runs translated: executes until about
     * {@code budget} instructions retired, the CPU idles, or it is kicked.
     *
     * @param shared what {@link #newSharedTranslations} of a CPU of this machine made
     * @return the number of instructions retired
     */
    long runTranslated(long budget, SharedTranslations shared);
}
