/**
 * What RISC-V boards need of a hart beyond the generic {@code Cpu}: connecting it to the
 * machine's memory and timebase, its interrupt inputs, and the ISA string for the device tree.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.tessera.isa.riscv.platform;
