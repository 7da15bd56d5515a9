package io.tessera.isa.riscv;

/**
 * Runs a hart's instructions for a while: the {@link Interpreter}, or the translator's runner
 * (io.tessera.isa.riscv.tcg). Either stops early when the environment throws (a system call
 * that redirects or exits, a fault), leaving the hart's state exact.
 */
public interface HartRunner {

    /**
     * Runs until about {@code limit} instructions retired (translated code may overshoot by
     * the rest of one block) or the environment stops the hart by throwing.
     *
     * @return the number of instructions retired
     */
    long run(RiscvHart hart, GuestMemory memory, Environment env, long limit);
}
