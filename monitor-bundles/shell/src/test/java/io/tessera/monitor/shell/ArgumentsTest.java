package io.tessera.monitor.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

    private static final String USAGE = "tessera:create NAME [TYPE] [key=value ...]";

    private static Map<String, String> settings(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    @Test
    void splitsPositionalWordsFromSettingsKeepingOrder() {
        Arguments a = Arguments.parse("vm1", "memory=512M", "none", "cpus=2");

        assertEquals(List.of("vm1", "none"), a.positional());
        assertEquals(settings("memory", "512M", "cpus", "2"), a.settings());
        assertEquals(List.of("memory", "cpus"), List.copyOf(a.settings().keySet()));
    }

    @Test
    void splitsASettingAtTheFirstEqualsSign() {
        Arguments a = Arguments.parse("filter=(a=b)", "empty=");

        assertEquals(settings("filter", "(a=b)", "empty", ""), a.settings());
        assertEquals(List.of(), a.positional());
    }

    @Test
    void aWordStartingWithEqualsOrWithoutOneIsPositional() {
        Arguments a = Arguments.parse("=x", "plain", "=");

        assertEquals(List.of("=x", "plain", "="), a.positional());
        assertEquals(Map.of(), a.settings());
    }

    @Test
    void noWordsGiveNothing() {
        assertEquals(new Arguments(List.of(), Map.of()), Arguments.parse());
        assertEquals(new Arguments(List.of(), Map.of()), Arguments.parse((String[]) null));
    }

    @Test
    void positionalWordsCannotBeChanged() {
        Arguments a = Arguments.parse("a");

        assertThrows(UnsupportedOperationException.class, () -> a.positional().add("b"));
    }

    @Test
    void refusesAKeyGivenTwice() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Arguments.parse("memory=1G", "cpus=1", "memory=2G"));
        assertEquals("'memory' is given twice", e.getMessage());
    }

    @Test
    void refusesAKeyGivenTwiceEvenWithTheSameValueOrEmpty() {
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> Arguments.parse("cpus=1", "cpus=1"));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Arguments.parse("k=", "k="));
        assertEquals("'cpus' is given twice", same.getMessage());
        assertEquals("'k' is given twice", empty.getMessage());
    }

    // --- required ---

    @Test
    void requiredReturnsThePositionalWord() {
        Arguments a = Arguments.parse("vm1", "k=v", "riscv");

        assertEquals("vm1", a.required(0, "machine name", USAGE));
        assertEquals("riscv", a.required(1, "machine type", USAGE));
    }

    @Test
    void requiredNamesWhatIsMissingAndGivesTheUsage() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Arguments.parse("k=v").required(0, "machine name", USAGE));
        IllegalArgumentException second = assertThrows(IllegalArgumentException.class,
                () -> Arguments.parse("vm1").required(1, "machine type", USAGE));

        assertEquals("missing machine name; usage: " + USAGE, none.getMessage());
        assertEquals("missing machine type; usage: " + USAGE, second.getMessage());
    }

    // --- atMost ---

    @Test
    void atMostAllowsUpToCountWords() {
        Arguments a = Arguments.parse("vm1", "riscv", "k=v");

        assertSame(a, a.atMost(2, USAGE));
        assertSame(a, a.atMost(3, USAGE));
        Arguments none = Arguments.parse();
        assertSame(none, none.atMost(0, USAGE));
    }

    @Test
    void atMostNamesTheFirstWordTooManyAndGivesTheUsage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Arguments.parse("vm1", "riscv", "extra", "more").atMost(2, USAGE));
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> Arguments.parse("vm1").atMost(0, "tessera:list"));

        assertEquals("unexpected 'extra'; usage: " + USAGE, e.getMessage());
        assertEquals("unexpected 'vm1'; usage: tessera:list", zero.getMessage());
    }

    // --- noSettings ---

    @Test
    void noSettingsPassesWhenThereAreNone() {
        Arguments a = Arguments.parse("vm1");

        assertSame(a, a.noSettings(USAGE));
    }

    @Test
    void noSettingsNamesTheFirstKeyAndGivesTheUsage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Arguments.parse("vm1", "cpus=2", "memory=1G").noSettings("tessera:start NAME"));

        assertEquals("unexpected 'cpus=...'; usage: tessera:start NAME", e.getMessage());
    }
}
