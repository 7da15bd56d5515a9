package io.tessera.core.irq;

/**
 * A controller that owns input lines (a PLIC, an APIC, a GIC). Registered as a service with
 * the {@code tessera.machine} and {@code tessera.id} properties of its instance, so that a
 * device configuration can target it ({@code irq.target=(tessera.id=plic0)}) and take a line.
 */
public interface InterruptController {

    /** @return the instance id, as in the {@code tessera.id} service property */
    String id();

    /** @return how many input lines there are; valid numbers are {@code 0..lineCount()-1} */
    int lineCount();

    /**
     * @param number input number
     * @return the line a device drives
     * @throws IllegalArgumentException when {@code number} is not a valid input; the message says the range
     */
    IrqLine line(int number);
}
