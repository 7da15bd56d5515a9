package io.tessera.core.isa;

import java.util.Map;
import java.util.Objects;

/**
 * What a machine asks of an {@link Isa} for one CPU, the equivalent of QEMU's
 * {@code -cpu model,opt=value,...} plus the CPU's position in the machine.
 *
 * @param index the CPU's index in its machine, from zero; also its hart/MPIDR number unless the
 *        machine maps it otherwise
 * @param model the CPU model, one of the ISA's {@link Isa#cpuModels()}
 * @param options model-specific options (for example ISA extensions to enable), copied and
 *        unmodifiable
 */
public record CpuConfig(int index, String model, Map<String, String> options) {

    /** Checks the values and freezes the options. */
    public CpuConfig {
        if (index < 0) {
            throw new IllegalArgumentException("negative CPU index: " + index);
        }
        Objects.requireNonNull(model, "model");
        if (model.isBlank()) {
            throw new IllegalArgumentException("blank CPU model");
        }
        options = Map.copyOf(options);
    }

    /**
     * A configuration without options.
     *
     * @param index the CPU's index in its machine
     * @param model the CPU model
     */
    public CpuConfig(int index, String model) {
        this(index, model, Map.of());
    }
}
