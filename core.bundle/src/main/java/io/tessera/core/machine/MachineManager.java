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

    /**
     * Creates a machine with host character devices of the user's, as QEMU's {@code -chardev}:
     * they are opened and registered (with the machine's name and their id) before the board's
     * own devices are added, so that the board's console can be one of them (its spec
     * {@code chardev:ID}) and devices added later select them by id ({@code chardev.target=ID}).
     *
     * @param charDevices id to spec, {@code KIND[:PATH][,KEY=VALUE...]} as
     *     {@link MachineAssembly#addCharDevice} takes it (for example {@code socket,port=4444,server=on}),
     *     opened in this order
     * @throws IllegalArgumentException as {@link #create(String, String, Map)}, and for a bad
     *     character device (its id, kind or options); nothing is left behind
     * @throws IllegalStateException when a character device cannot open its host resource
     */
    Machine create(String name, String type, Map<String, String> options, Map<String, String> charDevices);

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
