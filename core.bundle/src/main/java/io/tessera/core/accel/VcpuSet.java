package io.tessera.core.accel;

/**
 * The vCPUs an {@link Accelerator} runs for one machine, controlled as a unit: the monitor,
 * debugger and snapshot code pause them all to get a consistent view of the machine.
 *
 * <p>All methods are thread-safe. They must not be called from a vCPU thread of this set
 * (for example from an MMIO handler), except {@link #kick()}, since pause and stop wait for the
 * vCPU threads.
 */
public interface VcpuSet {

    /**
     * Stops every vCPU at an instruction boundary and returns once all have stopped, so CPU
     * registers and guest memory can be inspected and changed. Does nothing if already paused.
     *
     * @throws IllegalStateException if the set has been stopped
     */
    void pause();

    /**
     * Lets paused vCPUs continue from where they stopped, picking up any register changes made
     * while paused. Does nothing if they are running.
     *
     * @throws IllegalStateException if the set has been stopped
     */
    void resume();

    /**
     * Ends the vCPUs for good and returns once their threads have finished; the machine can
     * then be torn down. Idempotent.
     */
    void stop();

    /**
     * Makes running vCPUs leave their execution loop (translated block, {@code KVM_RUN},
     * wait-for-interrupt) promptly so that they notice a newly pending interrupt or an exit
     * request. Never blocks; harmless when nothing is running.
     */
    void kick();

    /** @return {@code true} while the vCPUs are started and not paused or stopped */
    boolean isRunning();
}
