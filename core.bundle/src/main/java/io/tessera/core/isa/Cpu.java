package io.tessera.core.isa;

import java.util.List;

/**
 * The architectural state of one CPU: what a debugger, the monitor and machine setup code
 * (boot loaders placing the entry point and arguments) read and write. Registers are named as
 * GDB names them for the ISA, so the GDB stub and the monitor need no ISA knowledge.
 *
 * <p>Register access is only meaningful while the CPU is not executing, that is before its
 * accelerator starts it or while its {@code VcpuSet} is paused; implementations need not make
 * it atomic with respect to a running vCPU.
 */
public interface Cpu {

    /** @return the CPU's index in its machine, as given in its {@link CpuConfig} */
    int index();

    /** @return the instruction set this CPU implements */
    Isa isa();

    /**
     * Describes the registers this CPU exposes, in GDB register-number order.
     *
     * @return an unmodifiable list; the same for the CPU's whole life
     */
    List<RegisterInfo> registers();

    /**
     * Reads a register by name.
     *
     * @param name a name from {@link #registers()}
     * @return the value, zero-extended to 64 bits when the register is narrower
     * @throws UnknownRegisterException if no register has that name
     */
    long readRegister(String name);

    /**
     * Writes a register by name. Bits beyond the register's width are ignored, and read-only or
     * hard-wired bits keep their architectural value, as a guest write would.
     *
     * @param name a name from {@link #registers()}
     * @param value the new value
     * @throws UnknownRegisterException if no register has that name
     */
    void writeRegister(String name, long value);

    /** @return the address of the next instruction the CPU will execute */
    long pc();

    /**
     * Sets where execution continues, for boot loaders and debuggers.
     *
     * @param pc the address of the next instruction to execute
     */
    void setPc(long pc);

    /** Puts the CPU back in its model's reset state, as a hardware reset would. */
    void reset();
}
