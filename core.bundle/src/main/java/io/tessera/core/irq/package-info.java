/** Interrupt lines that devices raise and lower, and the controllers that own them. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.tessera.core.irq;
