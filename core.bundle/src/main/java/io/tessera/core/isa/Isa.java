package io.tessera.core.isa;

import java.util.Set;

/**
 * One instruction set, published as a service by the bundle that implements it. Machines look
 * an ISA up by {@link #name()} and ask it for CPUs; accelerators decide by the ISA whether they
 * can run those CPUs. The ISA owns the architectural state ({@link Cpu}); how instructions are
 * executed is the accelerator's business.
 */
public interface Isa {

    /**
     * The stable identifier machines and users refer to, lower case, as in QEMU's target names.
     *
     * @return the name, for example {@code "riscv64"} or {@code "aarch64"}
     */
    String name();

    /** @return a one-line human-readable description, for listings such as {@code -cpu help} */
    String description();

    /**
     * The CPU models {@link #createCpu} accepts.
     *
     * @return an unmodifiable, non-empty set of model names that contains {@link #defaultCpuModel()}
     */
    Set<String> cpuModels();

    /** @return the model used when the user names none; always one of {@link #cpuModels()} */
    String defaultCpuModel();

    /**
     * Creates a CPU in its reset state. The CPU is not running: an accelerator runs it.
     *
     * @param config which model, which index in the machine, and model options
     * @return a new CPU whose {@link Cpu#index()} is {@code config.index()}
     * @throws IllegalArgumentException if the model is not one of {@link #cpuModels()} or an
     *         option is unknown or malformed; the message says which
     */
    Cpu createCpu(CpuConfig config);
}
