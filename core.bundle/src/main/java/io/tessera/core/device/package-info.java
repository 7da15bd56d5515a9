/**
 * Devices: their small contract, their saved state with a versioned schema, and the names of
 * the configuration and service properties that wire them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.tessera.core.device;
