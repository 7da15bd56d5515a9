package io.tessera.core.device;

import java.util.List;

/**
 * A device type as installed: described once, by the metatype of its factory configuration,
 * so the shell, QMP and saved machine definitions all list and check the same properties.
 *
 * @param name the type name ({@code ns16550a})
 * @param description one line on what it is
 * @param bundle symbolic name and version of the bundle that provides it
 * @param properties the properties an instance takes
 */
public record DeviceType(String name, String description, String bundle, List<PropertyInfo> properties) {

    /**
     * A property of a device type.
     *
     * @param name property name
     * @param type value type: {@code string}, {@code long}, {@code integer}, {@code boolean}, ...
     * @param description what it does
     * @param defaultValue the default, or {@code null} when the property is required
     * @param options the only values allowed, or empty when any value of the type is
     */
    public record PropertyInfo(String name, String type, String description, String defaultValue, List<String> options) {
        /** @return whether an instance must be given this property */
        public boolean required() {
            return defaultValue == null;
        }
    }
}
