package io.tessera.core.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.core.device.StateSchema.Field;
import io.tessera.core.device.StateSchema.FieldType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateSchemaTest {

    /** v1: count, enabled, fifo. v2 adds limit (initial 100). Checks count <= limit. */
    private static StateSchema counter() {
        return StateSchema.builder("counter", 2)
                .field("count", FieldType.LONG)
                .field("enabled", FieldType.BOOLEAN)
                .field("fifo", FieldType.BYTES)
                .field("limit", FieldType.INT, 2, 100)
                .check(s -> s.getLong("count") > s.getInt("limit")
                        ? "count " + s.getLong("count") + " exceeds limit " + s.getInt("limit")
                        : null)
                .build();
    }

    private static Map<String, Object> map(Object... namesAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    private static String refusal(StateSchema schema, DeviceState saved) {
        return assertThrows(InvalidStateException.class, () -> schema.accept(saved)).getMessage();
    }

    // --- the schema itself ---

    @Test
    void describesItsNameVersionAndFieldsInDeclarationOrder() {
        StateSchema schema = counter();

        assertEquals("counter", schema.name());
        assertEquals(2, schema.version());
        assertEquals(List.of(
                new Field("count", FieldType.LONG, 1, null),
                new Field("enabled", FieldType.BOOLEAN, 1, null),
                new Field("fifo", FieldType.BYTES, 1, null),
                new Field("limit", FieldType.INT, 2, 100)), schema.fields());
    }

    // --- state(): building a state of the current version ---

    @Test
    void stateBuildsACheckedStateOfTheCurrentVersion() {
        DeviceState state = counter().state("count", 3L, "enabled", true, "fifo", new byte[] {1, 2}, "limit", 7);

        assertEquals("counter", state.schema());
        assertEquals(2, state.version());
        assertEquals(3L, state.getLong("count"));
        assertEquals(true, state.getBoolean("enabled"));
        assertArrayEquals(new byte[] {1, 2}, state.getBytes("fifo"));
        assertEquals(7, state.getInt("limit"));
        assertEquals(List.of("count", "enabled", "fifo", "limit"), new ArrayList<>(state.fields().keySet()));
    }

    @Test
    void stateRefusesAnOddNumberOfNamesAndValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> counter().state("count", 3L, "enabled"));
        assertEquals("names and values come in pairs", e.getMessage());
    }

    @Test
    void stateRefusesAMissingFieldAsIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> counter().state("count", 3L, "enabled", true, "fifo", new byte[0]));
        assertEquals("state 'counter' v2 lacks field 'limit'", e.getMessage());
        assertInstanceOf(InvalidStateException.class, e.getCause());
    }

    @Test
    void stateRunsTheChecks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> counter().state("count", 8L, "enabled", true, "fifo", new byte[0], "limit", 5));
        assertEquals("state 'counter': count 8 exceeds limit 5", e.getMessage());
    }

    // --- accept(): the current version ---

    @Test
    void acceptTakesAStateOfTheCurrentVersionAsItIs() throws InvalidStateException {
        DeviceState saved = new DeviceState("counter", 2,
                map("count", 3L, "enabled", false, "fifo", new byte[] {9}, "limit", 4));

        DeviceState accepted = counter().accept(saved);

        assertEquals(saved, accepted);
        assertEquals(2, accepted.version());
        assertEquals(4, accepted.getInt("limit"));
    }

    // --- accept(): upgrades ---

    @Test
    void acceptUpgradesAV1StateGivingANewFieldItsInitialValue() throws InvalidStateException {
        DeviceState v1 = new DeviceState("counter", 1, map("count", 3L, "enabled", true, "fifo", new byte[] {7}));

        DeviceState v2 = counter().accept(v1);

        assertEquals("counter", v2.schema());
        assertEquals(2, v2.version());
        assertEquals(100, v2.getInt("limit"));
        assertEquals(3L, v2.getLong("count"));
        assertEquals(true, v2.getBoolean("enabled"));
        assertArrayEquals(new byte[] {7}, v2.getBytes("fifo"));
        assertEquals(1, v1.version(), "the saved state is left as it was");
    }

    @Test
    void acceptRunsTheChecksOnTheUpgradedState() {
        DeviceState v1 = new DeviceState("counter", 1, map("count", 150L, "enabled", true, "fifo", new byte[0]));

        assertEquals("state 'counter': count 150 exceeds limit 100", refusal(counter(), v1));
    }

    /** v1 kept the period in milliseconds as an INT; v2 keeps nanoseconds as a LONG. */
    private static StateSchema timer() {
        return StateSchema.builder("timer", 2)
                .field("running", FieldType.BOOLEAN)
                .field("periodNs", FieldType.LONG, 2, null)
                .upgrade(2, m -> {
                    m.put("periodNs", (Integer) m.remove("periodMs") * 1_000_000L);
                    return m;
                })
                .build();
    }

    @Test
    void acceptUpgradesAV1StateWithAnUpgradeStep() throws InvalidStateException {
        DeviceState v1 = new DeviceState("timer", 1, map("running", true, "periodMs", 20));

        DeviceState v2 = timer().accept(v1);

        assertEquals(2, v2.version());
        assertEquals(20_000_000L, v2.getLong("periodNs"));
        assertEquals(true, v2.getBoolean("running"));
        assertEquals(List.of("running", "periodNs"), new ArrayList<>(v2.fields().keySet()));
    }

    @Test
    void acceptDoesNotRunAnUpgradeStepOnAStateAlreadyAtThatVersion() throws InvalidStateException {
        DeviceState v2 = new DeviceState("timer", 2, map("running", false, "periodNs", 5L));

        assertEquals(v2, timer().accept(v2));
    }

    @Test
    void anUpgradeStepThatLeavesAFieldOutIsReportedAsMissing() {
        StateSchema forgetful = StateSchema.builder("timer", 2)
                .field("running", FieldType.BOOLEAN)
                .field("periodNs", FieldType.LONG, 2, null)
                .build();
        DeviceState v1 = new DeviceState("timer", 1, map("running", true));

        assertEquals("state 'timer' v1 lacks field 'periodNs'", refusal(forgetful, v1));
    }

    @Test
    void acceptChainsInitialValuesAndStepsVersionByVersion() throws InvalidStateException {
        // v1: a. v2 adds b (initial 5). v3 adds sum, computed by the v3 step from a and b.
        StateSchema schema = StateSchema.builder("chain", 3)
                .field("a", FieldType.INT)
                .field("b", FieldType.INT, 2, 5)
                .field("sum", FieldType.LONG, 3, null)
                .upgrade(3, m -> {
                    Map<String, Object> next = new LinkedHashMap<>(m);
                    next.put("sum", (long) (Integer) m.get("a") + (Integer) m.get("b"));
                    return next;
                })
                .build();

        DeviceState fromV1 = schema.accept(new DeviceState("chain", 1, map("a", 2)));
        DeviceState fromV2 = schema.accept(new DeviceState("chain", 2, map("a", 2, "b", 10)));

        assertEquals(3, fromV1.version());
        assertEquals(5, fromV1.getInt("b"));
        assertEquals(7L, fromV1.getLong("sum"));
        assertEquals(3, fromV2.version());
        assertEquals(10, fromV2.getInt("b"), "a v2 state keeps its own b, not the initial value");
        assertEquals(12L, fromV2.getLong("sum"));
    }

    // --- accept(): refusals ---

    @Test
    void acceptRefusesAStateNewerThanTheSchema() {
        DeviceState v3 = new DeviceState("counter", 3,
                map("count", 3L, "enabled", true, "fifo", new byte[0], "limit", 4));

        assertEquals("state 'counter' v3 is newer than this code, which reads versions 1 to 2", refusal(counter(), v3));
    }

    @Test
    void acceptRefusesAnotherSchemasState() {
        DeviceState other = new DeviceState("timer", 2, map("running", true, "periodNs", 1L));

        assertEquals("state of 'timer' given to schema 'counter'", refusal(counter(), other));
    }

    @Test
    void acceptRefusesAMissingField() {
        DeviceState v2 = new DeviceState("counter", 2, map("count", 3L, "fifo", new byte[0], "limit", 4));

        assertEquals("state 'counter' v2 lacks field 'enabled'", refusal(counter(), v2));
    }

    @Test
    void acceptNamesTheSavedVersionWhenAnOldStateLacksAField() {
        DeviceState v1 = new DeviceState("counter", 1, map("count", 3L, "enabled", true));

        assertEquals("state 'counter' v1 lacks field 'fifo'", refusal(counter(), v1));
    }

    @Test
    void acceptRefusesAnUnknownFieldListingTheKnownOnes() {
        DeviceState v2 = new DeviceState("counter", 2,
                map("count", 3L, "enabled", true, "fifo", new byte[0], "limit", 4, "colour", "red"));

        assertEquals("state 'counter' has unknown field 'colour'; fields are [count, enabled, fifo, limit]",
                refusal(counter(), v2));
    }

    @Test
    void acceptRefusesAnIllTypedField() {
        DeviceState intForLong = new DeviceState("counter", 2,
                map("count", 3, "enabled", true, "fifo", new byte[0], "limit", 4));
        DeviceState longsForBytes = new DeviceState("counter", 2,
                map("count", 3L, "enabled", true, "fifo", new long[] {1}, "limit", 4));

        assertEquals("state 'counter': field 'count' should be LONG but is Integer", refusal(counter(), intForLong));
        assertEquals("state 'counter': field 'fifo' should be BYTES but is long[]", refusal(counter(), longsForBytes));
    }

    @Test
    void acceptRefusesAStateFailingACheck() {
        DeviceState v2 = new DeviceState("counter", 2,
                map("count", 9L, "enabled", true, "fifo", new byte[0], "limit", 5));

        assertEquals("state 'counter': count 9 exceeds limit 5", refusal(counter(), v2));
    }

    @Test
    void everyCheckRunsAndTheFirstProblemIsReported() {
        List<String> ran = new ArrayList<>();
        StateSchema schema = StateSchema.builder("s", 1)
                .field("x", FieldType.INT)
                .check(s -> {
                    ran.add("first");
                    return null;
                })
                .check(s -> {
                    ran.add("second");
                    return "x is " + s.getInt("x");
                })
                .build();

        assertEquals("state 's': x is 4", refusal(schema, new DeviceState("s", 1, map("x", 4))));
        assertEquals(List.of("first", "second"), ran);
    }

    // --- builder refusals ---

    @Test
    void builderRefusesVersionZero() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateSchema.builder("s", 0));
        assertEquals("schema version must be 1 or more", e.getMessage());
    }

    @Test
    void builderRefusesAFieldFromAVersionOutsideTheSchema() {
        StateSchema.Builder b = StateSchema.builder("s", 2);
        IllegalArgumentException later = assertThrows(IllegalArgumentException.class,
                () -> b.field("x", FieldType.INT, 3, 0));
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> b.field("y", FieldType.INT, 0, 0));
        assertEquals("field 'x' since v3 outside 1..2", later.getMessage());
        assertEquals("field 'y' since v0 outside 1..2", zero.getMessage());
    }

    @Test
    void builderRefusesAnInitialValueOfTheWrongType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StateSchema.builder("s", 2).field("x", FieldType.LONG, 2, 1));
        assertEquals("initial value of 'x' is not a LONG", e.getMessage());
    }

    @Test
    void builderRefusesAFieldDeclaredTwice() {
        StateSchema.Builder b = StateSchema.builder("s", 1).field("x", FieldType.INT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.field("x", FieldType.LONG));
        assertEquals("field 'x' declared twice", e.getMessage());
    }

    @Test
    void builderRefusesAnUpgradeStepOutsideTheSchema() {
        StateSchema.Builder b = StateSchema.builder("s", 2);
        IllegalArgumentException toOne = assertThrows(IllegalArgumentException.class, () -> b.upgrade(1, m -> m));
        IllegalArgumentException toThree = assertThrows(IllegalArgumentException.class, () -> b.upgrade(3, m -> m));
        assertEquals("upgrade to v1 outside 2..2", toOne.getMessage());
        assertEquals("upgrade to v3 outside 2..2", toThree.getMessage());
    }

    @Test
    void builderReturnsItselfForChaining() {
        StateSchema.Builder b = StateSchema.builder("s", 2);
        assertSame(b, b.field("x", FieldType.INT));
        assertSame(b, b.upgrade(2, m -> m));
        assertSame(b, b.check(s -> null));
        assertFalse(b.build().fields().isEmpty());
    }
}
