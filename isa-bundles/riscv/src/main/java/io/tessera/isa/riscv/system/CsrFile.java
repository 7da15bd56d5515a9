package io.tessera.isa.riscv.system;

import static io.tessera.isa.riscv.Csr.*;

import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.RiscvHart;

/**
 * The control and status registers of a hart in a machine: who may access each, and what a
 * write leaves in it (WARL fields are legalized here, as the privileged specification 1.12
 * and QEMU's riscv64 CPU do it). Writes that may enable an interrupt ask the hart to look
 * at its pending interrupts again; writes that change translation flush the TLB.
 */
final class CsrFile {

    /** misa: RV64 with I, M, A, F, D, C, S and U. */
    static final long MISA_VALUE = (2L << 62) | letters("IMAFDCSU");

    private static final long MSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP
            | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
    private static final long SSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM
            | MSTATUS_MXR;
    /** Exceptions S-mode may handle: all but environment calls from M-mode and the reserved causes. */
    private static final long DELEGABLE_EXCEPTIONS = 0x3ffL | (1L << CAUSE_FETCH_PAGE_FAULT)
            | (1L << CAUSE_LOAD_PAGE_FAULT) | (1L << CAUSE_STORE_PAGE_FAULT);
    private static final long SATP_FIELDS = (0xfL << 60) | (0xffffL << 44) | ((1L << 44) - 1);
    private static final int COUNTER_TIME = 1;

    private final SystemHart hart;

    CsrFile(SystemHart hart) {
        this.hart = hart;
    }

    private static long letters(String letters) {
        long bits = 0;
        for (char c : letters.toCharArray()) {
            bits |= 1L << (c - 'A');
        }
        return bits;
    }

    private static GuestFault illegal() {
        // The interpreter puts the instruction's bits into tval.
        return new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, 0);
    }

    private void checkAccess(int csr, boolean write) {
        RiscvHart core = hart.core;
        if (core.privilege < ((csr >>> 8) & 3) || (write && (csr >>> 10) == 3)) {
            throw illegal();
        }
        if (csr >= CYCLE && csr <= HPMCOUNTER31) {
            int bit = 1 << (csr & 31);
            if ((core.privilege < PRV_M && (hart.mcounteren & bit) == 0) || (core.privilege == PRV_U && (hart.scounteren & bit) == 0)) {
                throw illegal();
            }
        } else if (csr == SATP && core.privilege == PRV_S && (core.mstatus & MSTATUS_TVM) != 0) {
            throw illegal();
        } else if (csr == STIMECMP && core.privilege == PRV_S
                && ((hart.menvcfg & MENVCFG_STCE) == 0 || (hart.mcounteren & (1 << COUNTER_TIME)) == 0)) {
            throw illegal();
        } else if (csr >= FFLAGS && csr <= FCSR && (core.mstatus & MSTATUS_FS) == 0) {
            throw illegal();
        }
    }

    /** @see io.tessera.isa.riscv.Environment#readModifyWriteBase */
    long readModifyWriteBase(int csr, long read) {
        if (csr == MIP) {
            long seip = 1L << IRQ_S_EXT;
            return (read & ~seip) | (hart.mipSoftware & seip);
        }
        return read;
    }

    long read(int csr) {
        checkAccess(csr, false);
        RiscvHart core = hart.core;
        return switch (csr) {
            case FFLAGS -> core.fflags.get();
            case FRM -> core.frm;
            case FCSR -> (core.frm << 5) | core.fflags.get();
            case CYCLE, MCYCLE -> core.instret + hart.cycleBias;
            case INSTRET, MINSTRET -> core.instret;
            case TIME -> hart.time();
            case SSTATUS -> status() & SSTATUS_MASK;
            case SIE -> hart.mie & hart.mideleg;
            case STVEC -> hart.stvec;
            case SCOUNTEREN -> hart.scounteren & 0xffff_ffffL;
            case SENVCFG -> hart.senvcfg;
            case SSCRATCH -> hart.sscratch;
            case SEPC -> hart.sepc;
            case SCAUSE -> hart.scause;
            case STVAL -> hart.stval;
            case SIP -> hart.mip() & hart.mideleg;
            case STIMECMP -> hart.stimecmp;
            case SATP -> hart.satp;
            case MVENDORID, MARCHID, MIMPID, MCONFIGPTR -> 0;
            case MHARTID -> hart.index();
            case MSTATUS -> status();
            case MISA -> MISA_VALUE;
            case MEDELEG -> hart.medeleg;
            case MIDELEG -> hart.mideleg;
            case MIE -> hart.mie;
            case MTVEC -> hart.mtvec;
            case MCOUNTEREN -> hart.mcounteren & 0xffff_ffffL;
            case MENVCFG -> hart.menvcfg;
            case MCOUNTINHIBIT -> hart.mcountinhibit;
            case MSCRATCH -> hart.mscratch;
            case MEPC -> hart.mepc;
            case MCAUSE -> hart.mcause;
            case MTVAL -> hart.mtval;
            case MIP -> hart.mip();
            default -> readOther(csr);
        };
    }

    /** The counters and PMP registers that come in ranges. */
    private long readOther(int csr) {
        if ((csr >= HPMCOUNTER3 && csr <= HPMCOUNTER31) || (csr >= MHPMCOUNTER3 && csr <= MHPMCOUNTER31)
                || (csr >= MHPMEVENT3 && csr <= MHPMEVENT31)) {
            return 0;
        }
        if (csr >= PMPCFG0 && csr <= PMPCFG15) {
            int register = csr - PMPCFG0;
            if ((register & 1) != 0) {
                throw illegal();
            }
            return register * 4 < Pmp.ENTRIES ? hart.pmp.readConfig(register) : 0;
        }
        if (csr >= PMPADDR0 && csr <= PMPADDR63) {
            int entry = csr - PMPADDR0;
            return entry < Pmp.ENTRIES ? hart.pmp.readAddress(entry) : 0;
        }
        throw illegal();
    }

    /** mstatus as read: XLENs fixed at 64, SD summarizing a dirty FP state. */
    private long status() {
        long status = hart.core.mstatus | MSTATUS_XLEN64;
        return (status & MSTATUS_FS) == MSTATUS_FS ? status | MSTATUS_SD : status;
    }

    void write(int csr, long value) {
        checkAccess(csr, true);
        RiscvHart core = hart.core;
        switch (csr) {
            case FFLAGS -> {
                core.fflags.set((int) value & 0x1f);
                core.mstatus |= MSTATUS_FS;
            }
            case FRM -> {
                core.frm = (int) value & 7;
                core.mstatus |= MSTATUS_FS;
            }
            case FCSR -> {
                core.fflags.set((int) value & 0x1f);
                core.frm = (int) (value >>> 5) & 7;
                core.mstatus |= MSTATUS_FS;
            }
            case MCYCLE -> hart.cycleBias = value - core.instret;
            // The instruction writing minstret does not count itself.
            case MINSTRET -> core.instret = value - 1;
            case SSTATUS -> writeStatus((core.mstatus & ~SSTATUS_WRITABLE) | (value & SSTATUS_WRITABLE));
            case SIE -> hart.mie = (hart.mie & ~hart.mideleg) | (value & hart.mideleg);
            case STVEC -> hart.stvec = legalVector(hart.stvec, value);
            case SCOUNTEREN -> hart.scounteren = (int) value;
            case SENVCFG -> hart.senvcfg = value & ENVCFG_FIOM;
            case SSCRATCH -> hart.sscratch = value;
            case SEPC -> hart.sepc = value & ~1L;
            case SCAUSE -> hart.scause = value;
            case STVAL -> hart.stval = value;
            case SIP -> hart.writeSoftwarePending(1L << IRQ_S_SOFT & hart.mideleg, value);
            case STIMECMP -> hart.setStimecmp(value);
            case SATP -> writeSatp(value);
            case MSTATUS -> writeStatus((core.mstatus & ~MSTATUS_WRITABLE) | (value & MSTATUS_WRITABLE));
            case MISA -> {
                // WARL: the extensions cannot be switched off.
            }
            case MEDELEG -> hart.medeleg = value & DELEGABLE_EXCEPTIONS;
            case MIDELEG -> hart.mideleg = value & SUPERVISOR_INTERRUPTS;
            case MIE -> hart.mie = value & ALL_INTERRUPTS;
            case MTVEC -> hart.mtvec = legalVector(hart.mtvec, value);
            case MCOUNTEREN -> hart.mcounteren = (int) value;
            case MENVCFG -> {
                hart.menvcfg = value & (MENVCFG_STCE | ENVCFG_FIOM);
                hart.setStimecmp(hart.stimecmp);
            }
            case MCOUNTINHIBIT -> hart.mcountinhibit = value & 5;
            case MSCRATCH -> hart.mscratch = value;
            case MEPC -> hart.mepc = value & ~1L;
            case MCAUSE -> hart.mcause = value;
            case MTVAL -> hart.mtval = value;
            case MIP -> {
                long writable = (1L << IRQ_S_SOFT) | (1L << IRQ_S_EXT)
                        | ((hart.menvcfg & MENVCFG_STCE) == 0 ? 1L << IRQ_S_TIMER : 0);
                hart.writeSoftwarePending(writable, value);
            }
            default -> writeOther(csr, value);
        }
        hart.requestAttention();
    }

    private void writeOther(int csr, long value) {
        if ((csr >= MHPMCOUNTER3 && csr <= MHPMCOUNTER31) || (csr >= MHPMEVENT3 && csr <= MHPMEVENT31)) {
            return;
        }
        if (csr >= PMPCFG0 && csr <= PMPCFG15) {
            int register = csr - PMPCFG0;
            if ((register & 1) != 0) {
                throw illegal();
            }
            if (register * 4 < Pmp.ENTRIES) {
                hart.pmp.writeConfig(register, value);
                hart.mmu.flush();
            }
            return;
        }
        if (csr >= PMPADDR0 && csr <= PMPADDR63) {
            int entry = csr - PMPADDR0;
            if (entry < Pmp.ENTRIES) {
                hart.pmp.writeAddress(entry, value);
                hart.mmu.flush();
            }
            return;
        }
        throw illegal();
    }

    private void writeStatus(long value) {
        // MPP is WARL: the reserved level 2 leaves it as it was.
        if (((value & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT) == 2) {
            value = (value & ~MSTATUS_MPP) | (hart.core.mstatus & MSTATUS_MPP);
        }
        hart.core.mstatus = value;
        hart.mmu.contextChanged();
    }

    /** Direct and vectored modes only; a write selecting a reserved mode is ignored, as QEMU does. */
    private static long legalVector(long old, long value) {
        return (value & 3) < 2 ? value : old;
    }

    /** Bare, Sv39, Sv48 and Sv57; a write selecting another mode has no effect. */
    private void writeSatp(long value) {
        int mode = (int) (value >>> 60);
        if (mode == 0 || mode == 8 || mode == 9 || mode == 10) {
            hart.satp = value & SATP_FIELDS;
            hart.mmu.flush();
        }
    }
}
