/** Instruction-set services: the CPU models an ISA offers and the architectural state of a CPU. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.tessera.core.isa;
