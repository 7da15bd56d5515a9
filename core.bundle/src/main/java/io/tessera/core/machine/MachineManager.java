package io.tessera.core.machine;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Creates, finds and destroys machines. One service per platform. */
public interface MachineManager {

    /**
     * Creates a machine and registers it as a service.
     *
     * @param name unique name ({@code [A-Za-z0-9_.-]+})
     * @param type machine type name
     * @param options options of that type; unknown ones are refused
     * @throws IllegalArgumentException for an unknown type or option, a taken name, a bad value;
     *     the message lists what is valid. Nothing is left behind.
     */
    Machine create(String name, String type, Map<String, String> options);

    /** @return the machine named {@code name}, if any */
    Optional<Machine> find(String name);

    /** @return all machines, by name */
    List<Machine> machines();

    /** @return the machine types available now, by name */
    List<MachineType> types();

    /**
     * Destroys a machine: removes its devices' configurations, unregisters it, frees its memory.
     *
     * @throws IllegalArgumentException when there is no such machine
     */
    void destroy(String name);
}
