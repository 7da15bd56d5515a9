package io.tessera.monitor.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void alignsColumnsToTheWidestCellPlusTwoSpaces() {
        Table t = new Table("NAME", "TYPE", "STATE")
                .row("virt", "riscv64", "running")
                .row("a", "b", "c");

        assertEquals("""
                NAME  TYPE     STATE
                virt  riscv64  running
                a     b        c
                """, t.toString());
    }

    @Test
    void aHeaderWiderThanItsCellsSetsTheWidth() {
        Table t = new Table("ID", "DESCRIPTION", "BUNDLE").row("uart0", "16550", "12");

        assertEquals("""
                ID     DESCRIPTION  BUNDLE
                uart0  16550        12
                """, t.toString());
    }

    @Test
    void everyColumnStartsAtTheSamePlaceOnEveryLine() {
        Table t = new Table("A", "B", "C")
                .row("x", "yyyyyy", "z")
                .row("xxxxxxxxx", "y", "zz");

        String[] lines = t.toString().split("\n");
        assertEquals(3, lines.length);
        for (String line : lines) {
            assertEquals(' ', line.charAt(10), line);
            assertEquals(' ', line.charAt(18), line);
        }
        assertEquals("A          B       C", lines[0]);
        assertEquals("x          yyyyyy  z", lines[1]);
        assertEquals("xxxxxxxxx  y       zz", lines[2]);
    }

    @Test
    void missingAndNullCellsAreEmptyAndLinesHaveNoTrailingBlanks() {
        Table t = new Table("MACHINE", "ID", "STATUS")
                .row("vm1", null, "ok")
                .row("vm2", "uart0")
                .row("vm3");

        assertEquals("""
                MACHINE  ID     STATUS
                vm1             ok
                vm2      uart0
                vm3
                """, t.toString());
    }

    @Test
    void cellsBeyondTheHeaderAreDropped() {
        Table t = new Table("K", "V").row("a", "b", "extra");

        assertEquals("K  V\na  b\n", t.toString());
    }

    @Test
    void cellsAreShownWithToString() {
        Table t = new Table("N", "HEX", "ON").row(42, Long.toHexString(255), true);

        assertEquals("N   HEX  ON\n42  ff   true\n", t.toString());
    }

    @Test
    void isEmptyUntilARowIsAdded() {
        Table t = new Table("NAME");

        assertTrue(t.isEmpty());
        assertEquals("NAME\n", t.toString());
        assertSame(t, t.row("x"));
        assertFalse(t.isEmpty());
    }
}
