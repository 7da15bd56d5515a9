package io.tessera.core.device;

/**
 * Names that wire devices through ConfigAdmin and the service registry: one factory
 * configuration per device instance, whose properties become the component's service
 * properties.
 */
public final class DeviceConstants {

    /** Factory PIDs of device types start with this; the rest is the type name ({@code io.tessera.device.ns16550a}). */
    public static final String FACTORY_PID_PREFIX = "io.tessera.device.";

    /** Instance id, unique within a machine. */
    public static final String ID = "tessera.id";

    /** Name of the machine the instance belongs to. */
    public static final String MACHINE = "tessera.machine";

    /** Device type name. */
    public static final String TYPE = "tessera.device.type";

    /** Target filter of a device's reference to its machine, derived from {@link #MACHINE}. */
    public static final String MACHINE_TARGET = "machine.target";

    private DeviceConstants() {
    }

    /** @return the factory PID of device type {@code type} */
    public static String factoryPid(String type) {
        return FACTORY_PID_PREFIX + type;
    }

    /** @return the type named by a factory PID, or {@code null} when it is not a device's */
    public static String typeOf(String factoryPid) {
        return factoryPid != null && factoryPid.startsWith(FACTORY_PID_PREFIX) && factoryPid.length() > FACTORY_PID_PREFIX.length()
                ? factoryPid.substring(FACTORY_PID_PREFIX.length())
                : null;
    }

    /** @return the LDAP filter that selects machine {@code machine} */
    public static String machineFilter(String machine) {
        return "(" + MACHINE + "=" + escape(machine) + ")";
    }

    private static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '(' || c == ')' || c == '*') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
