package io.tessera.core.device;

import java.util.List;
import java.util.Map;

/**
 * What the platform knows of a device instance, for monitors.
 *
 * @param machine the machine's name
 * @param id the instance id
 * @param type the device type
 * @param status whether the instance is realized
 * @param properties the instance's configured properties
 * @param bundle the providing bundle (symbolic name and version), or {@code null} when none provides the type now
 * @param regions the instance's mappings on the system bus, one line each
 * @param problem why the instance is not active, or {@code null}
 */
public record DeviceInfo(String machine, String id, String type, Status status, Map<String, Object> properties,
        String bundle, List<String> regions, String problem) {

    /** Whether an instance is realized. */
    public enum Status {
        /** Realized: its component is active and its regions are mapped. */
        ACTIVE,
        /** Configured but not realized: its bundle is stopped or absent, or a reference is missing. */
        INACTIVE,
        /** Its realization failed; {@code problem} says why. */
        FAILED
    }
}
