package io.tessera.core.machine;

/** Told about a machine's state changes (QMP events are built on it). */
@FunctionalInterface
public interface MachineListener {

    /** Called on the thread that changed the state, after the change. */
    void stateChanged(Machine machine, MachineState from, MachineState to);
}
