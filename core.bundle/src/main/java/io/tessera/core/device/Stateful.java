package io.tessera.core.device;

/**
 * A device whose state can be saved and restored: for snapshots, migration, and replacing a
 * device bundle while the guest runs (the platform saves the instance's state before the old
 * code stops and restores it into the instance the new code creates).
 *
 * <p>The state travels as a {@link DeviceState} made of plain Java values only, so that no
 * class of the old bundle stays reachable once it is gone.
 */
public interface Stateful {

    /** @return the schema of this device's state: its name, its version, its fields */
    StateSchema stateSchema();

    /** @return the state now; called while the device is quiescent (the machine paused) */
    DeviceState saveState();

    /**
     * Takes over a saved state. The state is first checked and upgraded by the schema
     * ({@link StateSchema#accept(DeviceState)}), so implementations see only valid fields of
     * their own version.
     *
     * @throws InvalidStateException when the state cannot be accepted; the device keeps its state
     */
    void restoreState(DeviceState state) throws InvalidStateException;
}
