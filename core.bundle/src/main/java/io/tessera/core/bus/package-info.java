/** Buses devices attach to: the system bus (MMIO mapping) and PCI (config space, BARs, MSI, DMA). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.tessera.core.bus;
