package io.tessera.device.testing;

import io.tessera.core.device.DeviceConstants;
import java.lang.reflect.Array;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** What DS hands a device component besides its references: its configuration and service properties. */
public final class Configs {

    private Configs() {
    }

    /**
     * An instance of a component property type (a device's metatype {@code Config} annotation),
     * as DS builds one from a configuration: the values in {@code values} for the attributes
     * they name (by method name), the declared defaults for the others, and for an attribute
     * with neither what DS gives for an absent property, {@code null} (zero or {@code false}
     * for a primitive).
     *
     * @param <T> the annotation type
     * @param type the annotation type
     * @param values attribute values by method name, of the attribute's type
     * @return the instance
     */
    public static <T> T config(Class<T> type, Map<String, ?> values) {
        Map<String, Object> copy = new HashMap<>(values);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            String name = method.getName();
            if (method.getDeclaringClass() == type) {
                if (copy.containsKey(name)) {
                    return copy.get(name);
                }
                Object value = method.getDefaultValue();
                if (value == null && method.getReturnType().isPrimitive()) {
                    return Array.get(Array.newInstance(method.getReturnType(), 1), 0);
                }
                return value;
            }
            return switch (name) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + copy;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> throw new UnsupportedOperationException(name);
            };
        }));
    }

    /**
     * The service properties DS passes a device: its id and the {@link TestMachine}'s name.
     *
     * @param id the device instance's id
     * @return a modifiable map of {@link DeviceConstants#ID} and {@link DeviceConstants#MACHINE}
     */
    public static Map<String, Object> properties(String id) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(DeviceConstants.ID, id);
        properties.put(DeviceConstants.MACHINE, TestMachine.NAME);
        return properties;
    }
}
