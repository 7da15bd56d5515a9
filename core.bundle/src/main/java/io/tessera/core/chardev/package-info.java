/** Character devices: the byte streams behind guest consoles, serial ports and monitors. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.tessera.core.chardev;
