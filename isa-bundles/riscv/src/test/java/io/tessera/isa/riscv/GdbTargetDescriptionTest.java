package io.tessera.isa.riscv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target description as gdb-multiarch reads it: every register under its name and number. */
class GdbTargetDescriptionTest {

    @Test
    void gdbReadsEveryRegisterWithItsNumber(@TempDir Path dir) throws Exception {
        Path xml = Files.writeString(dir.resolve("target.xml"), GdbTargetDescription.riscv64());
        Process gdb;
        try {
            gdb = new ProcessBuilder("gdb-multiarch", "-batch", "-nx", "-ex", "set architecture riscv:rv64",
                    "-ex", "set tdesc filename " + xml, "-ex", "maint print registers").redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("gdb-multiarch is not installed: apt-get install gdb-multiarch (.ci/run does)", e);
        }
        String out = new String(gdb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gdb.waitFor(), out);
        Map<Integer, String> byNumber = new HashMap<>();
        for (String line : out.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length > 2 && cols[1].matches("\\d+")) {
                byNumber.put(Integer.parseInt(cols[1]), cols[0]);
            }
        }
        for (int i = 0; i < 32; i++) {
            assertEquals(GdbTargetDescription.gdbName(i), byNumber.get(i), "x" + i + " in:\n" + out);
        }
        assertEquals("fp", byNumber.get(8));
        assertEquals("pc", byNumber.get(32));
        assertEquals("ft0", byNumber.get(GdbTargetDescription.FIRST_FP_REGNUM));
        assertEquals("fs0", byNumber.get(GdbTargetDescription.FIRST_FP_REGNUM + 8));
        assertEquals("ft11", byNumber.get(GdbTargetDescription.FIRST_FP_REGNUM + 31));
        assertEquals("fflags", byNumber.get(GdbTargetDescription.FFLAGS_REGNUM));
        assertEquals("frm", byNumber.get(GdbTargetDescription.FRM_REGNUM));
        assertEquals("fcsr", byNumber.get(GdbTargetDescription.FCSR_REGNUM));
        assertTrue(out.contains("riscv_double") || out.contains("union"), "the f registers are float/double unions:\n" + out);
    }
}
