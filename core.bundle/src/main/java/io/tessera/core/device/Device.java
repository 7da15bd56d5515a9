package io.tessera.core.device;

/**
 * A device instance: the whole contract every device fulfils. Capabilities come as small
 * mix-ins ({@link Stateful}, {@link Resettable}).
 *
 * <p>A device is a Declarative Services component created from a ConfigAdmin factory
 * configuration (see {@link DeviceConstants}): its activation realizes it (maps its regions,
 * takes its interrupt lines), its deactivation unrealizes it (undoes all of that), and its
 * service is registered as {@code Device} carrying the configuration's properties, among them
 * {@link DeviceConstants#ID} and {@link DeviceConstants#MACHINE}.
 */
public interface Device {

    /** @return the instance id, unique within its machine ({@code tessera.id}) */
    String id();

    /** @return the device type, the factory PID without {@link DeviceConstants#FACTORY_PID_PREFIX} */
    String type();
}
