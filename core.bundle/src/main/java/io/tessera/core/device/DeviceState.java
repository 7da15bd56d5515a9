package io.tessera.core.device;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A device's saved state: the schema's name and version, and named fields holding only
 * {@code Boolean}, {@code Integer}, {@code Long}, {@code String}, {@code byte[]} or
 * {@code long[]} values. Being made of JDK types only, it outlives the bundle that saved it.
 * Arrays are copied in and out, so a state is immutable.
 *
 * @param schema name of the schema that wrote it
 * @param version version of that schema
 * @param fields the values by field name
 */
public record DeviceState(String schema, int version, Map<String, Object> fields) {

    /** Checks names and value types and takes a deep copy. */
    public DeviceState {
        Objects.requireNonNull(schema, "schema");
        if (version < 1) {
            throw new IllegalArgumentException("state version must be 1 or more, not " + version);
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        fields.forEach((name, value) -> copy.put(Objects.requireNonNull(name, "field name"), copyValue(schema, name, value)));
        fields = java.util.Collections.unmodifiableMap(copy);
    }

    private static Object copyValue(String schema, String name, Object value) {
        return switch (value) {
            case Boolean b -> b;
            case Integer i -> i;
            case Long l -> l;
            case String s -> s;
            case byte[] bytes -> bytes.clone();
            case long[] longs -> longs.clone();
            case null -> throw new IllegalArgumentException("state '" + schema + "': field '" + name + "' is null");
            default -> throw new IllegalArgumentException("state '" + schema + "': field '" + name + "' is a "
                    + value.getClass().getTypeName() + "; valid are Boolean, Integer, Long, String, byte[], long[]");
        };
    }

    /** @return the fields, arrays copied, so the state stays immutable */
    @Override
    public Map<String, Object> fields() {
        Map<String, Object> copy = new LinkedHashMap<>();
        fields.forEach((name, value) -> copy.put(name, copyValue(schema, name, value)));
        return java.util.Collections.unmodifiableMap(copy);
    }

    private Object field(String name) {
        Object value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("state '" + schema + "' v" + version + " has no field '" + name
                    + "'; it has " + fields.keySet());
        }
        return value;
    }

    /** @return a {@code Long} field */
    public long getLong(String name) {
        return (Long) field(name);
    }

    /** @return an {@code Integer} field */
    public int getInt(String name) {
        return (Integer) field(name);
    }

    /** @return a {@code Boolean} field */
    public boolean getBoolean(String name) {
        return (Boolean) field(name);
    }

    /** @return a {@code String} field */
    public String getString(String name) {
        return (String) field(name);
    }

    /** @return a copy of a {@code byte[]} field */
    public byte[] getBytes(String name) {
        return ((byte[]) field(name)).clone();
    }

    /** @return a copy of a {@code long[]} field */
    public long[] getLongs(String name) {
        return ((long[]) field(name)).clone();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DeviceState other) || !schema.equals(other.schema) || version != other.version
                || !fields.keySet().equals(other.fields.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!Objects.deepEquals(e.getValue(), other.fields.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int sum = 0;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            sum += e.getKey().hashCode() ^ Arrays.deepHashCode(new Object[] {e.getValue()});
        }
        return 31 * Objects.hash(schema, version) + sum;
    }
}
