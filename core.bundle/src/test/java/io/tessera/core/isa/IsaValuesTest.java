package io.tessera.core.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class IsaValuesTest {

    @Test
    void cpuConfigFreezesItsOptions() {
        Map<String, String> options = new HashMap<>(Map.of("v", "true"));
        CpuConfig config = new CpuConfig(1, "rv64", options);
        options.put("zba", "false");
        assertEquals(Map.of("v", "true"), config.options());
        assertThrows(UnsupportedOperationException.class, () -> config.options().put("x", "y"));
        assertEquals(Map.of(), new CpuConfig(0, "rv64").options());
        assertThrows(IllegalArgumentException.class, () -> new CpuConfig(-1, "rv64"));
        assertThrows(IllegalArgumentException.class, () -> new CpuConfig(0, ""));
    }

    @Test
    void registerInfoChecksItsWidth() {
        assertEquals(64, new RegisterInfo("pc", 32, 64, "general").bitWidth());
        assertThrows(IllegalArgumentException.class, () -> new RegisterInfo("pc", 32, 0, "general"));
        assertThrows(IllegalArgumentException.class, () -> new RegisterInfo("pc", 32, 65, "general"));
        assertThrows(IllegalArgumentException.class, () -> new RegisterInfo("pc", -2, 64, "general"));
    }

    @Test
    void unknownRegisterListsTheValidNames() {
        var e = new UnknownRegisterException("x32", List.of("x0", "x1", "pc"));
        assertTrue(e.getMessage().contains("x32"), e.getMessage());
        assertTrue(e.getMessage().contains("x0, x1, pc"), e.getMessage());
        assertEquals(List.of("x0", "x1", "pc"), e.validNames());
        assertEquals("x32", e.registerName());
    }
}
