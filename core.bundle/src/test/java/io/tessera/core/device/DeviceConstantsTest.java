package io.tessera.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

class DeviceConstantsTest {

    @Test
    void factoryPidPrefixesTheType() {
        assertEquals("io.tessera.device.ns16550a", DeviceConstants.factoryPid("ns16550a"));
    }

    @Test
    void typeOfReversesFactoryPid() {
        for (String type : new String[] {"ns16550a", "virtio.blk", "pl011-uart", "a"}) {
            assertEquals(type, DeviceConstants.typeOf(DeviceConstants.factoryPid(type)));
        }
    }

    @Test
    void typeOfIsNullForPidsThatAreNotDevices() {
        assertNull(DeviceConstants.typeOf(null));
        assertNull(DeviceConstants.typeOf("org.apache.felix.fileinstall"));
        assertNull(DeviceConstants.typeOf("io.tessera.devices.ns16550a"));
        assertNull(DeviceConstants.typeOf("io.tessera.device"));
        assertNull(DeviceConstants.typeOf("io.tessera.device."));
        assertNull(DeviceConstants.typeOf("IO.TESSERA.DEVICE.ns16550a"));
    }

    @Test
    void machineFilterSelectsTheMachineByName() {
        assertEquals("(tessera.machine=virt)", DeviceConstants.machineFilter("virt"));
    }

    @Test
    void machineFilterEscapesTheLdapSpecialCharacters() {
        assertEquals("(tessera.machine=a\\(b\\)\\*c\\\\d)", DeviceConstants.machineFilter("a(b)*c\\d"));
        assertEquals("(tessera.machine=\\*)", DeviceConstants.machineFilter("*"));
    }

    @Test
    void escapedFilterMatchesOnlyTheLiteralName() throws InvalidSyntaxException {
        Filter filter = FrameworkUtil.createFilter(DeviceConstants.machineFilter("a(b)*c\\d"));

        assertTrue(filter.matches(Map.of(DeviceConstants.MACHINE, "a(b)*c\\d")));
        assertFalse(filter.matches(Map.of(DeviceConstants.MACHINE, "a(b)XYZc\\d")));
        assertFalse(filter.matches(Map.of(DeviceConstants.MACHINE, "a(b)c\\d")));
    }

    @Test
    void aMachineNamedStarIsNotAWildcard() throws InvalidSyntaxException {
        Filter filter = FrameworkUtil.createFilter(DeviceConstants.machineFilter("*"));

        assertTrue(filter.matches(Map.of(DeviceConstants.MACHINE, "*")));
        assertFalse(filter.matches(Map.of(DeviceConstants.MACHINE, "virt")));
    }

    @Test
    void plainNamesMatchThemselvesOnly() throws InvalidSyntaxException {
        Filter filter = FrameworkUtil.createFilter(DeviceConstants.machineFilter("virt"));

        assertTrue(filter.matches(Map.of(DeviceConstants.MACHINE, "virt")));
        assertFalse(filter.matches(Map.of(DeviceConstants.MACHINE, "virt2")));
        assertFalse(filter.matches(Map.of("other", "virt")));
    }
}
