package io.tessera.core.machine;

import java.util.List;

/** A board definition, as a service: builds machines of one kind ({@code virt}, {@code spike}, {@code none}). */
public interface MachineType {

    /** @return the name users select it by */
    String name();

    /** @return one line saying what the board is */
    String description();

    /** @return the options it accepts */
    List<MachineOption> options();

    /**
     * Builds the board into an empty machine: RAM, ROMs, CPUs, built-in devices.
     *
     * @throws IllegalArgumentException when an option's value is invalid; the message names the option and what is valid
     */
    void assemble(MachineAssembly assembly);
}
