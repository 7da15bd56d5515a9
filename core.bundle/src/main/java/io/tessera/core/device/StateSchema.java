package io.tessera.core.device;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The shape of a device's saved state, versioned as QEMU's VMStateDescription: fields with
 * types and the version that introduced them, upgrade steps from older versions, and checks
 * that reject impossible values after loading. {@link #accept(DeviceState)} is the one door
 * through which a saved state enters a device.
 */
public final class StateSchema {

    /** The value types a field may have. */
    public enum FieldType {
        /** {@code Boolean} */
        BOOLEAN(Boolean.class),
        /** {@code Integer} */
        INT(Integer.class),
        /** {@code Long} */
        LONG(Long.class),
        /** {@code String} */
        STRING(String.class),
        /** {@code byte[]} */
        BYTES(byte[].class),
        /** {@code long[]} */
        LONGS(long[].class);

        private final Class<?> javaType;

        FieldType(Class<?> javaType) {
            this.javaType = javaType;
        }

        boolean holds(Object value) {
            return javaType.isInstance(value);
        }
    }

    /**
     * A field of the state.
     *
     * @param name field name
     * @param type value type
     * @param since the schema version that introduced it
     * @param initial the value an older state gets when upgraded, or {@code null} when an upgrade step supplies it
     */
    public record Field(String name, FieldType type, int since, Object initial) {
    }

    /** A check run on an accepted state; returns a description of what is wrong, or {@code null}. */
    @FunctionalInterface
    public interface Check {
        /** @return what is wrong with {@code state}, or {@code null} when it is fine */
        String problem(DeviceState state);
    }

    private final String name;
    private final int version;
    private final List<Field> fields;
    private final Map<Integer, UnaryOperator<Map<String, Object>>> upgrades;
    private final List<Check> checks;

    private StateSchema(Builder b) {
        this.name = b.name;
        this.version = b.version;
        this.fields = List.copyOf(b.fields.values());
        this.upgrades = Map.copyOf(b.upgrades);
        this.checks = List.copyOf(b.checks);
    }

    /** Starts a schema named {@code name} at version {@code version}. */
    public static Builder builder(String name, int version) {
        return new Builder(name, version);
    }

    /** @return the schema's name */
    public String name() {
        return name;
    }

    /** @return the current version: what {@link #state} writes and {@link #accept} upgrades to */
    public int version() {
        return version;
    }

    /** @return the fields of the current version */
    public List<Field> fields() {
        return fields;
    }

    /**
     * Builds a state of the current version from name/value pairs, checking it.
     *
     * @param namesAndValues {@code "count", 3L, "enabled", true, ...}
     */
    public DeviceState state(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (!(namesAndValues[i] instanceof String fieldName)) {
                throw new IllegalArgumentException("argument " + i + " should be a field name, not " + namesAndValues[i]);
            }
            values.put(fieldName, namesAndValues[i + 1]);
        }
        DeviceState state = new DeviceState(name, version, values);
        try {
            return accept(state);
        } catch (InvalidStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Checks a saved state against this schema and upgrades it to the current version.
     *
     * @return the state as the current version has it
     * @throws InvalidStateException when the state belongs to another schema, is newer than this
     *     code, lacks a field, has an unknown or ill-typed field, or fails a check
     */
    public DeviceState accept(DeviceState saved) throws InvalidStateException {
        if (!saved.schema().equals(name)) {
            throw new InvalidStateException("state of '" + saved.schema() + "' given to schema '" + name + "'");
        }
        if (saved.version() > version) {
            throw new InvalidStateException("state '" + name + "' v" + saved.version()
                    + " is newer than this code, which reads versions 1 to " + version);
        }
        Map<String, Object> values = new LinkedHashMap<>(saved.fields());
        for (int v = saved.version() + 1; v <= version; v++) {
            for (Field f : fields) {
                if (f.since() == v && f.initial() != null) {
                    values.putIfAbsent(f.name(), copyIfArray(f.initial()));
                }
            }
            UnaryOperator<Map<String, Object>> step = upgrades.get(v);
            if (step != null) {
                values = new LinkedHashMap<>(step.apply(values));
            }
        }
        List<String> known = new ArrayList<>();
        for (Field f : fields) {
            known.add(f.name());
            Object value = values.get(f.name());
            if (value == null) {
                throw new InvalidStateException("state '" + name + "' v" + saved.version() + " lacks field '" + f.name() + "'");
            }
            if (!f.type().holds(value)) {
                throw new InvalidStateException("state '" + name + "': field '" + f.name() + "' should be "
                        + f.type() + " but is " + value.getClass().getSimpleName());
            }
        }
        for (String present : values.keySet()) {
            if (!known.contains(present)) {
                throw new InvalidStateException("state '" + name + "' has unknown field '" + present + "'; fields are " + known);
            }
        }
        DeviceState upgraded = new DeviceState(name, version, values);
        for (Check check : checks) {
            String problem = check.problem(upgraded);
            if (problem != null) {
                throw new InvalidStateException("state '" + name + "': " + problem);
            }
        }
        return upgraded;
    }

    private static Object copyIfArray(Object value) {
        return switch (value) {
            case byte[] bytes -> bytes.clone();
            case long[] longs -> longs.clone();
            case null, default -> value;
        };
    }

    /** Builds a {@link StateSchema}. */
    public static final class Builder {
        private final String name;
        private final int version;
        private final Map<String, Field> fields = new LinkedHashMap<>();
        private final Map<Integer, UnaryOperator<Map<String, Object>>> upgrades = new TreeMap<>();
        private final List<Check> checks = new ArrayList<>();

        private Builder(String name, int version) {
            this.name = Objects.requireNonNull(name, "name");
            if (version < 1) {
                throw new IllegalArgumentException("schema version must be 1 or more");
            }
            this.version = version;
        }

        /** Adds a field present since version 1. */
        public Builder field(String fieldName, FieldType type) {
            return field(fieldName, type, 1, null);
        }

        /**
         * Adds a field introduced by version {@code since}; older states get {@code initial}.
         */
        public Builder field(String fieldName, FieldType type, int since, Object initial) {
            if (since < 1 || since > version) {
                throw new IllegalArgumentException("field '" + fieldName + "' since v" + since + " outside 1.." + version);
            }
            if (initial != null && !type.holds(initial)) {
                throw new IllegalArgumentException("initial value of '" + fieldName + "' is not a " + type);
            }
            if (fields.putIfAbsent(fieldName, new Field(fieldName, type, since, copyIfArray(initial))) != null) {
                throw new IllegalArgumentException("field '" + fieldName + "' declared twice");
            }
            return this;
        }

        /** Adds a step that turns the fields of version {@code toVersion - 1} into those of {@code toVersion}. */
        public Builder upgrade(int toVersion, UnaryOperator<Map<String, Object>> step) {
            if (toVersion < 2 || toVersion > version) {
                throw new IllegalArgumentException("upgrade to v" + toVersion + " outside 2.." + version);
            }
            upgrades.put(toVersion, step);
            return this;
        }

        /** Adds a check run on every accepted state (QEMU's post_load validation). */
        public Builder check(Check check) {
            checks.add(check);
            return this;
        }

        /** @return the schema */
        public StateSchema build() {
            return new StateSchema(this);
        }
    }
}
