package io.tessera.core.accel;

import io.tessera.core.isa.Isa;
import io.tessera.core.machine.MachineOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A way of executing guest code, published as a service: an interpreter, a binary translator,
 * or a host hypervisor such as KVM. Several may be installed; a machine uses the one the user
 * names or else the best available one (see {@link Accelerators#best}).
 */
public interface Accelerator {

    /**
     * The stable identifier users select with, lower case, as in QEMU's {@code -accel}.
     *
     * @return the name, for example {@code "interp"}, {@code "tcg"} or {@code "kvm"}
     */
    String name();

    /**
     * How much this accelerator is preferred when the user chose none: a hypervisor ranks above
     * a translator, which ranks above an interpreter.
     *
     * @return the ranking; higher is preferred
     */
    int ranking();

    /**
     * Tells whether the accelerator can work on this host right now (for example whether
     * {@code /dev/kvm} exists and is accessible), and if not, why, so the user gets an
     * actionable message. May probe the host, so callers should not call it in a loop.
     *
     * @return the availability, never {@code null}
     */
    Availability availability();

    /**
     * Tells whether this accelerator can execute CPUs of the given instruction set on this host
     * (a hypervisor, for instance, only the host's own ISA).
     *
     * @param isa the machine's instruction set
     * @return {@code true} if {@link #start} accepts machines of that ISA
     */
    boolean supports(Isa isa);

    /**
     * Creates and starts vCPU threads for every CPU of the machine, which must be fully built
     * (memory mapped, devices realized, CPUs reset and their entry point set). The vCPUs run
     * until the returned set is paused or stopped.
     *
     * @param machine the machine to run
     * @return the running vCPUs
     * @throws IllegalStateException if the accelerator is not {@linkplain #availability() available}
     * @throws IllegalArgumentException if the machine's ISA is not {@linkplain #supports supported}
     */
    VcpuSet start(io.tessera.core.machine.Machine machine);

    /**
     * The options this accelerator takes ({@code -accel NAME,option=value...}), for help texts,
     * completion and error messages.
     *
     * @return its options with their defaults; none unless the accelerator says otherwise
     */
    default List<MachineOption> options() {
        return List.of();
    }

    /**
     * Checks options before a machine is made with them, so that a mistake is refused when
     * the user writes it rather than when the machine starts.
     *
     * @param options the settings given after the accelerator's name
     * @throws IllegalArgumentException naming the option that is unknown or whose value is
     *         invalid, with what is valid
     */
    default void checkOptions(Map<String, String> options) {
        for (String key : options.keySet()) {
            if (options().stream().noneMatch(o -> o.name().equals(key))) {
                throw new IllegalArgumentException("accelerator '" + name() + "' has no option '" + key + "'; "
                        + (options().isEmpty() ? "it takes none" : "options: " + options().stream()
                                .map(o -> o.name() + " (" + o.description() + ")").collect(Collectors.joining(", "))));
            }
        }
    }

    /**
     * Like {@link #start(io.tessera.core.machine.Machine)}, with options. The default checks
     * them and starts without them, which is right for accelerators that take none.
     *
     * @param options the settings given after the accelerator's name
     * @throws IllegalArgumentException if an option is unknown or invalid (as {@link #checkOptions})
     */
    default VcpuSet start(io.tessera.core.machine.Machine machine, Map<String, String> options) {
        checkOptions(options);
        return start(machine);
    }
}
