package io.tessera.core.accel;

import io.tessera.core.isa.Isa;

import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/** Choosing among installed {@link Accelerator} services. */
public final class Accelerators {

    /** Highest ranking first; equal rankings by name, so the choice never depends on service order. */
    private static final Comparator<Accelerator> PREFERENCE =
            Comparator.comparingInt(Accelerator::ranking).reversed().thenComparing(Accelerator::name);

    private Accelerators() {
    }

    /**
     * Picks the accelerator a machine should use when the user names none: the highest-ranked
     * one that is available on this host and supports the ISA. Among equal rankings the name
     * that sorts first wins, so the result does not depend on the order services were found in.
     * Each candidate's {@link Accelerator#availability()} is queried at most once.
     *
     * @param candidates the installed accelerators
     * @param isa the machine's instruction set
     * @return the best accelerator, or empty if none can run the ISA here
     */
    public static Optional<Accelerator> best(Collection<Accelerator> candidates, Isa isa) {
        Objects.requireNonNull(candidates, "candidates");
        Objects.requireNonNull(isa, "isa");
        return candidates.stream()
                .filter(a -> a.supports(isa))
                .filter(a -> a.availability().available())
                .min(PREFERENCE);
    }
}
