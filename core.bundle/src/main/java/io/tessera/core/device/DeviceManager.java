package io.tessera.core.device;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adds and removes device instances by writing and deleting their factory configurations:
 * the one path the shell, QMP and the command line share. One service per platform.
 */
public interface DeviceManager {

    /** @return the device types installed now, by name */
    List<DeviceType> types();

    /** @return the type named {@code name}, if installed */
    Optional<DeviceType> type(String name);

    /**
     * Creates a device instance and waits until it is realized.
     *
     * @param machine the machine's name
     * @param type the device type
     * @param id the instance id, or {@code null} to have one made from the type
     * @param properties property values as text, checked and converted by the type's metatype
     * @return the realized instance
     * @throws IllegalArgumentException for an unknown machine, type or property, a bad value, a missing
     *     required property or a taken id; the message lists what is valid
     * @throws IllegalStateException when the device failed to realize (its reason given); nothing is left behind
     */
    DeviceInfo add(String machine, String type, String id, Map<String, String> properties);

    /** @return the instances of {@code machine}, or of every machine when it is {@code null} */
    List<DeviceInfo> list(String machine);

    /** @return one instance */
    Optional<DeviceInfo> find(String machine, String id);

    /**
     * Removes an instance and waits until it is unrealized.
     *
     * @throws IllegalArgumentException when there is no such instance; the message lists the machine's devices
     */
    void remove(String machine, String id);
}
