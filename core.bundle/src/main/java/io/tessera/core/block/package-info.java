/** The block layer: image formats and storage protocols as drivers, and the graph of nodes they open. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.5.0")
package io.tessera.core.block;
