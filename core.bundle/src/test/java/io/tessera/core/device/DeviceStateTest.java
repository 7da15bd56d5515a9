package io.tessera.core.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceStateTest {

    private static Map<String, Object> map(Object... namesAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void holdsEveryValidTypeAndReadsItBack() {
        DeviceState s = new DeviceState("uart", 3, map(
                "flag", true, "int", -7, "long", 1L << 40, "text", "hi",
                "bytes", new byte[] {1, 2, 3}, "longs", new long[] {4, 5}));

        assertEquals("uart", s.schema());
        assertEquals(3, s.version());
        assertEquals(true, s.getBoolean("flag"));
        assertEquals(-7, s.getInt("int"));
        assertEquals(1L << 40, s.getLong("long"));
        assertEquals("hi", s.getString("text"));
        assertArrayEquals(new byte[] {1, 2, 3}, s.getBytes("bytes"));
        assertArrayEquals(new long[] {4, 5}, s.getLongs("longs"));
        assertEquals(List.of("flag", "int", "long", "text", "bytes", "longs"), new ArrayList<>(s.fields().keySet()));
    }

    // --- immutability ---

    @Test
    void copiesArraysIn() {
        byte[] bytes = {1, 2, 3};
        long[] longs = {4, 5};
        DeviceState s = new DeviceState("uart", 1, map("bytes", bytes, "longs", longs));

        bytes[0] = 99;
        longs[0] = 99;

        assertArrayEquals(new byte[] {1, 2, 3}, s.getBytes("bytes"));
        assertArrayEquals(new long[] {4, 5}, s.getLongs("longs"));
    }

    @Test
    void copiesArraysOut() {
        DeviceState s = new DeviceState("uart", 1, map("bytes", new byte[] {1, 2, 3}, "longs", new long[] {4, 5}));

        byte[] bytes = s.getBytes("bytes");
        long[] longs = s.getLongs("longs");
        bytes[0] = 99;
        longs[0] = 99;

        assertArrayEquals(new byte[] {1, 2, 3}, s.getBytes("bytes"));
        assertArrayEquals(new long[] {4, 5}, s.getLongs("longs"));
        assertNotSame(s.getBytes("bytes"), s.getBytes("bytes"));
    }

    @Test
    void isNotChangedByTheMapItWasMadeFrom() {
        Map<String, Object> source = map("a", 1);
        DeviceState s = new DeviceState("uart", 1, source);

        source.put("b", 2);
        source.put("a", 5);

        assertEquals(Map.of("a", 1), s.fields());
    }

    @Test
    void fieldsCannotBeChanged() {
        DeviceState s = new DeviceState("uart", 1, map("a", 1));

        assertThrows(UnsupportedOperationException.class, () -> s.fields().put("b", 2));
        assertThrows(UnsupportedOperationException.class, () -> s.fields().remove("a"));
        assertEquals(Map.of("a", 1), s.fields());
    }

    @Test
    void fieldsDoesNotExposeTheStatesOwnArrays() {
        DeviceState s = new DeviceState("uart", 1, map("bytes", new byte[] {1, 2, 3}));

        ((byte[]) s.fields().get("bytes"))[0] = 99;

        assertArrayEquals(new byte[] {1, 2, 3}, s.getBytes("bytes"));
    }

    // --- refusals ---

    @Test
    void refusesANullValueNamingTheField() {
        Map<String, Object> fields = new HashMap<>();
        fields.put("mode", null);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DeviceState("uart", 1, fields));
        assertEquals("state 'uart': field 'mode' is null", e.getMessage());
    }

    @Test
    void refusesANullFieldName() {
        Map<String, Object> fields = new HashMap<>();
        fields.put(null, 1);

        NullPointerException e = assertThrows(NullPointerException.class, () -> new DeviceState("uart", 1, fields));
        assertEquals("field name", e.getMessage());
    }

    @Test
    void refusesANullSchema() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new DeviceState(null, 1, Map.of()));
        assertEquals("schema", e.getMessage());
    }

    @Test
    void refusesVersionZero() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DeviceState("uart", 0, Map.of()));
        assertEquals("state version must be 1 or more, not 0", e.getMessage());
    }

    @Test
    void refusesUnsupportedValueTypesNamingTheTypeAndTheValidOnes() {
        String valid = "; valid are Boolean, Integer, Long, String, byte[], long[]";
        Object[][] cases = {
                {(short) 1, "java.lang.Short"},
                {1.5d, "java.lang.Double"},
                {new int[] {1}, "int[]"},
                {List.of(1L), List.of(1L).getClass().getName()},
                {new Object(), "java.lang.Object"},
        };
        for (Object[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DeviceState("uart", 1, map("v", c[0])), "accepted " + c[1]);
            assertEquals("state 'uart': field 'v' is a " + c[1] + valid, e.getMessage());
        }
    }

    @Test
    void readingAnAbsentFieldNamesTheFieldsThereAre() {
        DeviceState s = new DeviceState("uart", 2, map("a", 1, "b", 2L));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.getLong("nope"));
        assertEquals("state 'uart' v2 has no field 'nope'; it has [a, b]", e.getMessage());
    }

    // --- equals / hashCode ---

    @Test
    void statesWithEqualArrayContentsAreEqualAndHashAlike() {
        DeviceState a = new DeviceState("uart", 1, map("n", 1, "bytes", new byte[] {1, 2}, "longs", new long[] {3}));
        DeviceState b = new DeviceState("uart", 1, map("n", 1, "bytes", new byte[] {1, 2}, "longs", new long[] {3}));

        assertEquals(a, b);
        assertEquals(b, a);
        assertEquals(a.hashCode(), b.hashCode());
    }

    @Test
    void statesDifferingInAnArrayElementDiffer() {
        DeviceState a = new DeviceState("uart", 1, map("bytes", new byte[] {1, 2}));
        DeviceState b = new DeviceState("uart", 1, map("bytes", new byte[] {1, 3}));
        DeviceState c = new DeviceState("uart", 1, map("longs", new long[] {1, 2}));
        DeviceState d = new DeviceState("uart", 1, map("longs", new long[] {1, 2, 0}));

        assertNotEquals(a, b);
        assertNotEquals(c, d);
    }

    @Test
    void statesDifferingInSchemaVersionFieldsOrValueTypeDiffer() {
        DeviceState base = new DeviceState("uart", 1, map("n", 1));

        assertNotEquals(base, new DeviceState("rtc", 1, map("n", 1)));
        assertNotEquals(base, new DeviceState("uart", 2, map("n", 1)));
        assertNotEquals(base, new DeviceState("uart", 1, map("m", 1)));
        assertNotEquals(base, new DeviceState("uart", 1, map("n", 1, "m", 1)));
        assertNotEquals(base, new DeviceState("uart", 1, map("n", 1L)));
        assertNotEquals(base, null);
        assertNotEquals(base, "uart");
    }

    @Test
    void equalityIgnoresTheOrderOfFields() {
        DeviceState ab = new DeviceState("uart", 1, map("a", 1, "b", new byte[] {2}));
        DeviceState ba = new DeviceState("uart", 1, map("b", new byte[] {2}, "a", 1));

        assertEquals(ab, ba);
    }

    @Test
    void statesEqualInAnotherFieldOrderHashAlike() {
        DeviceState ab = new DeviceState("uart", 1, map("a", 1, "b", 2));
        DeviceState ba = new DeviceState("uart", 1, map("b", 2, "a", 1));

        assertEquals(ab, ba);
        assertEquals(ab.hashCode(), ba.hashCode());
    }
}
