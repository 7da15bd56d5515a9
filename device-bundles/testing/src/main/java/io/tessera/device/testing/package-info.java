/**
 * Fakes for device unit tests, which build a device the way DS would but without a running
 * platform, a CPU or OSGi: a {@link io.tessera.device.testing.ManualClock} the test moves by
 * hand, a {@link io.tessera.device.testing.RecordingInterruptController} whose
 * {@link io.tessera.device.testing.RecordingIrqLine lines} remember what the device did to
 * them, a {@link io.tessera.device.testing.TestMachine} over a real address space, and
 * {@link io.tessera.device.testing.Configs} for the configuration and service properties.
 *
 * <p>A test-scope dependency of the device modules; nothing in the application uses it.
 */
package io.tessera.device.testing;
