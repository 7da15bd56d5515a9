package io.tessera.device.aclint;

import io.tessera.core.memory.MmioHandler;
import io.tessera.isa.riscv.platform.RiscvCpu;
import java.util.List;

/**
 * The register file of an ACLINT MSWI device: one 32-bit MSIP register per hart whose bit 0
 * drives that hart's machine software interrupt. Reserved bits read as zero.
 */
final class SoftwareInterrupts implements MmioHandler {

    private final List<RiscvCpu> harts;
    private final int[] pending;

    SoftwareInterrupts(List<RiscvCpu> harts) {
        this.harts = List.copyOf(harts);
        this.pending = new int[harts.size()];
    }

    @Override
    public synchronized long read(long offset, int size) {
        int hart = (int) (offset / 4);
        return hart < harts.size() && size == 4 && offset % 4 == 0 ? pending[hart] : 0;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        int hart = (int) (offset / 4);
        if (hart >= harts.size() || size != 4 || offset % 4 != 0) {
            return;
        }
        pending[hart] = (int) value & 1;
        harts.get(hart).setInterruptPending(RiscvCpu.MACHINE_SOFTWARE_INTERRUPT, pending[hart] != 0);
    }

    synchronized void reset() {
        for (int hart = 0; hart < harts.size(); hart++) {
            pending[hart] = 0;
            harts.get(hart).setInterruptPending(RiscvCpu.MACHINE_SOFTWARE_INTERRUPT, false);
        }
    }

    synchronized int[] pending() {
        return pending.clone();
    }

    synchronized void restore(int[] values) {
        for (int hart = 0; hart < harts.size(); hart++) {
            pending[hart] = values[hart] & 1;
            harts.get(hart).setInterruptPending(RiscvCpu.MACHINE_SOFTWARE_INTERRUPT, pending[hart] != 0);
        }
    }
}
