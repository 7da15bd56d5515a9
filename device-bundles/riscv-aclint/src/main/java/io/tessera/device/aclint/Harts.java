package io.tessera.device.aclint;

import io.tessera.core.isa.Cpu;
import io.tessera.core.machine.Machine;
import io.tessera.isa.riscv.platform.RiscvCpu;
import java.util.ArrayList;
import java.util.List;

/** The harts an ACLINT device serves: {@code count} of the machine's RISC-V CPUs from {@code first}. */
final class Harts {

    private Harts() {
    }

    /**
     * @param count how many; 0 means every hart from {@code first} on
     * @throws IllegalArgumentException when the machine has no such harts, or they are not RISC-V
     */
    static List<RiscvCpu> of(Machine machine, int first, int count) {
        List<Cpu> cpus = machine.cpus();
        int last = count == 0 ? cpus.size() : first + count;
        if (first < 0 || count < 0 || last > cpus.size() || first >= last) {
            throw new IllegalArgumentException("harts " + first + ".." + (last - 1) + " are not in machine '" + machine.name()
                    + "', which has " + cpus.size() + " (hart-base and harts select them)");
        }
        List<RiscvCpu> harts = new ArrayList<>();
        for (Cpu cpu : cpus.subList(first, last)) {
            if (!(cpu instanceof RiscvCpu hart)) {
                throw new IllegalArgumentException("CPU " + cpu.index() + " of machine '" + machine.name() + "' is "
                        + cpu.isa().name() + ", not RISC-V");
            }
            harts.add(hart);
        }
        return harts;
    }

    /** A 4-byte write replaces one half of a 64-bit register, as 32-bit software does. */
    static long merge(long old, long offset, int size, long value) {
        if (size == 8) {
            return value;
        }
        int shift = (int) (offset & 7) * 8;
        long mask = ((1L << (8 * size)) - 1) << shift;
        return (old & ~mask) | ((value << shift) & mask);
    }

    /** The bytes of a 64-bit register that a narrower read at {@code offset} sees. */
    static long extract(long value, long offset, int size) {
        return size == 8 ? value : (value >>> ((int) (offset & 7) * 8)) & ((1L << (8 * size)) - 1);
    }
}
