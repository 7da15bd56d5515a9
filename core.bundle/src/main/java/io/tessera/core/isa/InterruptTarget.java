package io.tessera.core.isa;

/**
 * A capability of CPUs that take interrupts: interrupt controllers and machine wiring drive
 * it, without knowing the CPU's implementation. A {@link Cpu} implements it as a mix-in when it
 * has interrupt inputs.
 */
public interface InterruptTarget {

    /**
     * Drives one interrupt input of the CPU as a level: the cause stays pending while
     * {@code level} is {@code true} and is withdrawn when it becomes {@code false}. Safe to call
     * from any thread; a running or halted (waiting-for-interrupt) CPU notices the change
     * promptly, at its next instruction boundary or by waking up.
     *
     * @param cause the ISA-defined interrupt number, for example a RISC-V {@code mip} bit
     *        number or an AArch64 IRQ/FIQ line index
     * @param level {@code true} to assert, {@code false} to deassert
     * @throws IllegalArgumentException if the CPU has no such interrupt input
     */
    void setInterruptPending(int cause, boolean level);
}
