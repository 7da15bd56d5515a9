/** Memory regions and the address spaces that CPUs and DMA see. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.tessera.core.memory;
