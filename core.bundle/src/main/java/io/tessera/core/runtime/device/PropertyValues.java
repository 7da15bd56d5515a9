package io.tessera.core.runtime.device;

import io.tessera.core.device.DeviceType;
import io.tessera.core.machine.OptionValues;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.osgi.service.metatype.AttributeDefinition;

/** Turns the text a user typed into the typed configuration values a device type declares. */
final class PropertyValues {

    private PropertyValues() {
    }

    static String typeName(int adType) {
        return switch (adType) {
            case AttributeDefinition.LONG -> "long";
            case AttributeDefinition.INTEGER -> "integer";
            case AttributeDefinition.SHORT -> "short";
            case AttributeDefinition.BYTE -> "byte";
            case AttributeDefinition.BOOLEAN -> "boolean";
            case AttributeDefinition.DOUBLE -> "double";
            case AttributeDefinition.FLOAT -> "float";
            case AttributeDefinition.CHARACTER -> "char";
            default -> "string";
        };
    }

    /**
     * @return the configuration of an instance: every property of the type, given or default
     * @throws IllegalArgumentException for an unknown property, a value of the wrong type or
     *     outside its options, or a required property not given
     */
    static Hashtable<String, Object> convert(DeviceType type, Map<String, String> given) {
        Hashtable<String, Object> config = new Hashtable<>();
        Set<String> unknown = new HashSet<>(given.keySet());
        for (DeviceType.PropertyInfo property : type.properties()) {
            unknown.remove(property.name());
            String text = given.getOrDefault(property.name(), property.defaultValue());
            if (text == null) {
                throw new IllegalArgumentException("device type '" + type.name() + "' needs property '" + property.name()
                        + "' (" + property.type() + ": " + property.description() + ")");
            }
            if (!property.options().isEmpty() && !property.options().contains(text)) {
                throw new IllegalArgumentException(property.name() + "=" + text + " is not valid for '" + type.name()
                        + "'; valid values: " + String.join(", ", property.options()));
            }
            config.put(property.name(), parse(property, text));
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("device type '" + type.name() + "' has no propert"
                    + (unknown.size() == 1 ? "y " : "ies ") + unknown.stream().sorted().map(u -> "'" + u + "'").collect(Collectors.joining(", "))
                    + "; its properties: " + (type.properties().isEmpty() ? "(none)"
                            : type.properties().stream().map(p -> p.name() + " (" + p.type() + ")").collect(Collectors.joining(", "))));
        }
        return config;
    }

    private static Object parse(DeviceType.PropertyInfo property, String text) {
        try {
            return switch (property.type()) {
                case "long" -> OptionValues.number(property.name(), text);
                case "integer" -> Math.toIntExact(OptionValues.number(property.name(), text));
                case "short" -> (short) Math.toIntExact(OptionValues.number(property.name(), text));
                case "byte" -> (byte) Math.toIntExact(OptionValues.number(property.name(), text));
                case "boolean" -> switch (text) {
                    case "true", "on", "yes" -> Boolean.TRUE;
                    case "false", "off", "no" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException(property.name() + "=" + text + " is not a boolean; write on/off or true/false");
                };
                case "double" -> Double.parseDouble(text);
                case "float" -> Float.parseFloat(text);
                case "char" -> {
                    if (text.length() != 1) {
                        throw new IllegalArgumentException(property.name() + "=" + text + " is not a single character");
                    }
                    yield text.charAt(0);
                }
                default -> text;
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(property.name() + "=" + text + " is not a valid " + property.type(), e);
        }
    }
}
