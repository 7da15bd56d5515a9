/** Reading guest images: ELF files for kernels, firmware and bare-metal programs. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.tessera.core.loader;
