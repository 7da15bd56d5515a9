/** Flattened device trees (DTSpec 0.3): how a board tells firmware and kernels what it has. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.tessera.core.fdt;
