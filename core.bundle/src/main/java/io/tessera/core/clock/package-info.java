/** Virtual time that stops while a machine is paused, and the timers devices arm against it. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.tessera.core.clock;
