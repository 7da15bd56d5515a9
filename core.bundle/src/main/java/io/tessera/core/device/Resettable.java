package io.tessera.core.device;

/** A device with a reset: puts every register back to its power-on value. */
public interface Resettable {

    /** Resets the device as a machine reset would. */
    void reset();
}
