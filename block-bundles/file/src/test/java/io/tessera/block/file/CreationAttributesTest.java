package io.tessera.block.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CreationAttributesTest {

    @TempDir
    Path dir;

    @Test
    void takesQemusValuesAndDefault() {
        CreationAttributes none = CreationAttributes.of(Map.of());
        assertFalse(none.nocow());
        assertEquals(1L << 20, none.extentSizeHint());
        CreationAttributes given = CreationAttributes.of(Map.of("nocow", "on", "extent_size_hint", "4095M"));
        assertTrue(given.nocow());
        assertEquals(4095L << 20, given.extentSizeHint());
        assertEquals(0, CreationAttributes.of(Map.of("extent_size_hint", "0")).extentSizeHint());
    }

    @Test
    void refusesBadValuesInQemuImgsWords() {
        assertEquals("Parameter 'nocow' expects 'on' or 'off'",
                assertThrows(IllegalArgumentException.class, () -> CreationAttributes.of(Map.of("nocow", "yes"))).getMessage());
        assertEquals("Extent size hint is too large",
                assertThrows(IllegalArgumentException.class, () -> CreationAttributes.of(Map.of("extent_size_hint", "4G"))).getMessage());
        assertEquals("Parameter 'extent_size_hint' expects a non-negative number below 2^64",
                assertThrows(IllegalArgumentException.class, () -> CreationAttributes.of(Map.of("extent_size_hint", "big"))).getMessage());
    }

    /** A character device has no file attributes: the kernel's refusal comes back only for a hint that was asked for. */
    @Test
    void reportsARefusedHintOnlyWhenGiven() {
        assumeTrue(Libc.ioctl() != null && Files.isReadable(Path.of("/dev/null")), "needs Linux's ioctl and /dev/null");
        assertEquals("Inappropriate ioctl for device",
                CreationAttributes.of(Map.of("extent_size_hint", "2M", "nocow", "on")).applyTo("/dev/null").orElseThrow());
        assertTrue(CreationAttributes.of(Map.of("nocow", "on")).applyTo("/dev/null").isEmpty());
    }

    @Test
    void theFileDriverTakesThemOnlyWhenItCreatesTheFile() throws Exception {
        FileDriver driver = new FileDriver();
        Path file = dir.resolve("new.img");
        try (BlockNode node = driver.open(new BlockOpenRequest(file.toString(), null, false,
                Map.of("create", "on", "nocow", "on", "extent_size_hint", "2M")))) {
            assertEquals(0, node.size());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> driver.open(new BlockOpenRequest(file.toString(), null, false, Map.of("nocow", "on"))));
        assertTrue(e.getMessage().contains("create=on"), e.getMessage());
        Path refused = dir.resolve("refused.img");
        assertThrows(IllegalArgumentException.class, () -> driver.open(new BlockOpenRequest(refused.toString(), null, false,
                Map.of("create", "on", "extent_size_hint", "8G"))));
        assertFalse(Files.exists(refused), "a refused option makes no file");
    }
}
