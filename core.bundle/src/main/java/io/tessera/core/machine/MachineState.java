package io.tessera.core.machine;

/** Where a machine is in its life. */
public enum MachineState {
    /** Assembled, vCPUs not started (QEMU's {@code -S} "prelaunch"). */
    CREATED,
    /** vCPUs running, virtual time advancing. */
    RUNNING,
    /** vCPUs stopped, virtual time frozen, devices quiescent. */
    PAUSED,
    /** Shut down; only destroying it remains. */
    SHUTDOWN
}
