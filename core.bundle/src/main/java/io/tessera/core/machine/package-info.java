/** Machine types (boards), machines, and the manager that creates and destroys them. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package io.tessera.core.machine;
