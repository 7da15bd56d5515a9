package io.tessera.isa.riscv.platform;

import io.tessera.core.isa.InterpretedCpu;
import io.tessera.core.isa.InterruptTarget;
import io.tessera.core.memory.AddressSpace;

/**
 * A RISC-V hart as a board sees it. The board connects it to the system address space and
 * the timebase before the machine starts, points its pc at the reset vector, and wires the
 * interrupt controllers to {@link #setInterruptPending(int, boolean)} with the causes below.
 */
public interface RiscvCpu extends InterpretedCpu, InterruptTarget {

    /** Interrupt inputs, by their cause number in mip. */
    int SUPERVISOR_EXTERNAL_INTERRUPT = 9;
    /** Machine software interrupt (the ACLINT/CLINT MSIP register). */
    int MACHINE_SOFTWARE_INTERRUPT = 3;
    /** Machine timer interrupt (mtime reached mtimecmp). */
    int MACHINE_TIMER_INTERRUPT = 7;
    /** Machine external interrupt (the PLIC's M-mode context). */
    int MACHINE_EXTERNAL_INTERRUPT = 11;

    /** Connects the hart to the physical address space it fetches, loads and stores through, and its time CSR to the timebase. */
    void connect(AddressSpace memory, Timebase timebase);

    /** @return the ISA string for the device tree's riscv,isa property */
    String isaString();

    /** @return the extensions for the device tree's riscv,isa-extensions property, in canonical order */
    java.util.List<String> isaExtensions();
}
