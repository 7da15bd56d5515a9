/** Accelerators: the engines (interpreter, translator, hypervisor) that run a machine's vCPUs. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.tessera.core.accel;
