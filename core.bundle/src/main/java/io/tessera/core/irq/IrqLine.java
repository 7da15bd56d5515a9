package io.tessera.core.irq;

/**
 * One interrupt input of a controller, as a device sees it: a level it drives. Edge-triggered
 * sources {@link #pulse()} it. Calls are cheap and may come from any thread.
 */
public interface IrqLine {

    /** Drives the line to {@code level}. */
    void set(boolean level);

    /** Asserts the line. */
    default void raise() {
        set(true);
    }

    /** De-asserts the line. */
    default void lower() {
        set(false);
    }

    /** Asserts then de-asserts the line, for edge-triggered sources. */
    default void pulse() {
        set(true);
        set(false);
    }

    /** @return the level the line is driven to now */
    boolean level();

    /** A line connected to nothing: for devices whose interrupt is not wired. */
    IrqLine NONE = new IrqLine() {
        @Override
        public void set(boolean level) {
        }

        @Override
        public boolean level() {
            return false;
        }
    };
}
