package io.tessera.isa.riscv;

/**
 * Numbers and bit fields of the privileged architecture (RISC-V privileged specification
 * 1.12) that more than one class needs: CSR addresses, privilege levels, mstatus fields and
 * interrupt causes.
 */
public final class Csr {

    private Csr() {
    }

    /** Privilege levels. */
    public static final int PRV_U = 0, PRV_S = 1, PRV_M = 3;

    /** Unprivileged floating-point and counter CSRs. */
    public static final int FFLAGS = 0x001, FRM = 0x002, FCSR = 0x003, CYCLE = 0xc00, TIME = 0xc01, INSTRET = 0xc02,
            HPMCOUNTER3 = 0xc03, HPMCOUNTER31 = 0xc1f;

    /** Supervisor CSRs. */
    public static final int SSTATUS = 0x100, SIE = 0x104, STVEC = 0x105, SCOUNTEREN = 0x106, SENVCFG = 0x10a,
            SSCRATCH = 0x140, SEPC = 0x141, SCAUSE = 0x142, STVAL = 0x143, SIP = 0x144, STIMECMP = 0x14d, SATP = 0x180;

    /** Machine CSRs. */
    public static final int MVENDORID = 0xf11, MARCHID = 0xf12, MIMPID = 0xf13, MHARTID = 0xf14, MCONFIGPTR = 0xf15,
            MSTATUS = 0x300, MISA = 0x301, MEDELEG = 0x302, MIDELEG = 0x303, MIE = 0x304, MTVEC = 0x305,
            MCOUNTEREN = 0x306, MENVCFG = 0x30a, MCOUNTINHIBIT = 0x320, MHPMEVENT3 = 0x323, MHPMEVENT31 = 0x33f,
            MSCRATCH = 0x340, MEPC = 0x341, MCAUSE = 0x342, MTVAL = 0x343, MIP = 0x344, PMPCFG0 = 0x3a0,
            PMPCFG15 = 0x3af, PMPADDR0 = 0x3b0, PMPADDR63 = 0x3ef, MCYCLE = 0xb00, MINSTRET = 0xb02,
            MHPMCOUNTER3 = 0xb03, MHPMCOUNTER31 = 0xb1f;

    /** mstatus fields (RV64). */
    public static final long MSTATUS_SIE = 1L << 1, MSTATUS_MIE = 1L << 3, MSTATUS_SPIE = 1L << 5,
            MSTATUS_MPIE = 1L << 7, MSTATUS_SPP = 1L << 8, MSTATUS_MPP = 3L << 11, MSTATUS_FS = 3L << 13,
            MSTATUS_XS = 3L << 15, MSTATUS_MPRV = 1L << 17, MSTATUS_SUM = 1L << 18, MSTATUS_MXR = 1L << 19,
            MSTATUS_TVM = 1L << 20, MSTATUS_TW = 1L << 21, MSTATUS_TSR = 1L << 22, MSTATUS_UXL = 3L << 32,
            MSTATUS_SXL = 3L << 34, MSTATUS_SD = 1L << 63;
    /** The position of mstatus.MPP. */
    public static final int MSTATUS_MPP_SHIFT = 11;
    /** UXL and SXL: both XLEN 64, read-only. */
    public static final long MSTATUS_XLEN64 = (2L << 32) | (2L << 34);

    /** The fields of mstatus that sstatus shows. */
    public static final long SSTATUS_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_XS
            | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD;

    /** Interrupt causes (also their bit in mip/mie). */
    public static final int IRQ_S_SOFT = 1, IRQ_M_SOFT = 3, IRQ_S_TIMER = 5, IRQ_M_TIMER = 7, IRQ_S_EXT = 9,
            IRQ_M_EXT = 11;
    /** The supervisor-level interrupt bits. */
    public static final long SUPERVISOR_INTERRUPTS = (1L << IRQ_S_SOFT) | (1L << IRQ_S_TIMER) | (1L << IRQ_S_EXT);
    /** All interrupt bits this hart implements. */
    public static final long ALL_INTERRUPTS = SUPERVISOR_INTERRUPTS | (1L << IRQ_M_SOFT) | (1L << IRQ_M_TIMER)
            | (1L << IRQ_M_EXT);

    /** menvcfg.STCE: the Sstc extension's stimecmp is enabled for S-mode. */
    public static final long MENVCFG_STCE = 1L << 63;
    /** menvcfg/senvcfg.FIOM. */
    public static final long ENVCFG_FIOM = 1L;

    /** Exception causes beyond {@link GuestFault}'s. */
    public static final int CAUSE_ECALL_FROM_S = 9, CAUSE_ECALL_FROM_M = 11, CAUSE_FETCH_PAGE_FAULT = 12,
            CAUSE_LOAD_PAGE_FAULT = 13, CAUSE_STORE_PAGE_FAULT = 15;
}
