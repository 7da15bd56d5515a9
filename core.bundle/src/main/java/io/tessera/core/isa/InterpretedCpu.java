package io.tessera.core.isa;

/**
 * A CPU that runs its own interpreter on the calling thread: what the interpreter accelerator
 * needs of an ISA. One thread calls {@link #interpret(long)} in a loop; any thread may call
 * {@link #kick()}.
 */
public interface InterpretedCpu extends Cpu {

    /**
     * Executes guest instructions until about {@code budget} of them retired, or the CPU has
     * nothing to do (it waits for an interrupt: the call then returns after a short idle wait),
     * or {@link #kick()} was called. Guest exceptions are taken as the architecture says;
     * they do not escape.
     *
     * @return the number of instructions retired
     */
    long interpret(long budget);

    /** Makes a running or idle {@link #interpret(long)} return soon; thread-safe. */
    void kick();
}
