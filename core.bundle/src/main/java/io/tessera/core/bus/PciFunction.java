package io.tessera.core.bus;

import java.util.List;

/**
 * What a PCI device model provides to a bus: identity, BARs, and the device-specific part of
 * its configuration space. The bus owns the standard header (command, status, BAR
 * programming, capabilities list) and forwards the rest.
 */
public interface PciFunction {

    /** @return the vendor id */
    int vendorId();

    /** @return the device id */
    int deviceId();

    /** @return the 24-bit class code (class, subclass, programming interface) */
    int classCode();

    /** @return the BARs the function exposes */
    List<PciBar> bars();

    /** Reads device-specific configuration space (offsets 0x40 and up), {@code size} 1, 2 or 4. */
    long configRead(int offset, int size);

    /** Writes device-specific configuration space (offsets 0x40 and up). */
    void configWrite(int offset, int size, long value);
}
