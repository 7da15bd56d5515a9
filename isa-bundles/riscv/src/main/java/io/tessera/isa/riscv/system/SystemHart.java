package io.tessera.isa.riscv.system;

import static io.tessera.isa.riscv.Csr.*;

import io.tessera.core.clock.Timer;
import io.tessera.core.isa.Isa;
import io.tessera.core.isa.RegisterInfo;
import io.tessera.core.memory.AddressSpace;
import io.tessera.isa.riscv.Environment;
import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.Insn;
import io.tessera.isa.riscv.Interpreter;
import io.tessera.isa.riscv.RiscvHart;
import io.tessera.isa.riscv.RiscvIsa;
import io.tessera.isa.riscv.platform.RiscvCpu;
import io.tessera.isa.riscv.platform.Timebase;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A RISC-V hart in a machine: the unprivileged state of {@link RiscvHart} plus M, S and U
 * modes, their CSRs, traps and interrupts with delegation, and the MMU. One thread runs it
 * ({@link #interpret(long)}); devices raise its interrupt inputs from theirs, which only set
 * a flag the running thread looks at between instructions.
 */
public final class SystemHart implements RiscvCpu {

    /** Interrupts in the order the specification takes them when several are pending. */
    private static final int[] PRIORITY = {IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER, IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER};
    /** How long an idle hart sleeps before it returns to its accelerator (which may want to pause it). */
    private static final long IDLE_NANOS = 20_000_000L;

    final RiscvHart core;
    final Pmp pmp = new Pmp();
    final Mmu mmu;
    private final CsrFile csrs = new CsrFile(this);
    private final Interpreter interpreter = new Interpreter();
    private final Environment environment = new Privileged();

    long medeleg, mideleg, mie;
    /** The pending bits software writes (SSIP, STIP without Sstc, SEIP); devices drive {@link #lines}. */
    long mipSoftware;
    long mtvec, mscratch, mepc, mcause, mtval;
    long stvec, sscratch, sepc, scause, stval, satp;
    int mcounteren, scounteren;
    long mcountinhibit, menvcfg, senvcfg;
    long stimecmp = -1;
    long cycleBias;

    private final AtomicLong lines = new AtomicLong();
    private volatile boolean attention = true;
    private volatile boolean kicked;
    private volatile Thread runner;
    private boolean waitingForInterrupt;
    private Timebase timebase;
    private Timer supervisorTimer;

    /** @param index the hart's index (mhartid); @param isa the ISA that made it */
    public SystemHart(int index, Isa isa) {
        this.core = new RiscvHart(index, isa);
        this.mmu = new Mmu(this, pmp);
        reset();
    }

    @Override
    public void connect(AddressSpace memory, Timebase timebase) {
        mmu.connect(memory);
        this.timebase = timebase;
        if (supervisorTimer != null) {
            supervisorTimer.cancel();
        }
        supervisorTimer = timebase.clock().newTimer(this::requestAttention);
    }

    @Override
    public String isaString() {
        return RiscvIsa.ISA_STRING;
    }

    @Override
    public List<String> isaExtensions() {
        return RiscvIsa.ISA_EXTENSIONS;
    }

    // ---- running

    @Override
    public long interpret(long budget) {
        runner = Thread.currentThread();
        long retired = 0;
        while (retired < budget) {
            if (attention) {
                attention = false;
                if (kicked) {
                    kicked = false;
                    break;
                }
                int interrupt = pendingInterrupt();
                if (interrupt >= 0) {
                    waitingForInterrupt = false;
                    takeTrap(true, interrupt, 0);
                } else if (waitingForInterrupt) {
                    if ((mip() & mie) != 0) {
                        waitingForInterrupt = false;
                    } else {
                        attention = true;
                        LockSupport.parkNanos(this, IDLE_NANOS);
                        break;
                    }
                }
            }
            try {
                interpreter.step(core, mmu, environment);
                retired++;
            } catch (GuestFault fault) {
                takeTrap(false, fault.cause(), fault.tval());
            }
        }
        return retired;
    }

    @Override
    public void kick() {
        kicked = true;
        wake();
    }

    /** Makes the running thread look at interrupts (and WFI) before its next instruction. */
    void requestAttention() {
        wake();
    }

    private void wake() {
        attention = true;
        Thread thread = runner;
        if (thread != null && thread != Thread.currentThread()) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void setInterruptPending(int cause, boolean level) {
        if (cause < 0 || cause >= 64 || ((1L << cause) & ALL_INTERRUPTS) == 0) {
            throw new IllegalArgumentException("hart " + index() + " has no interrupt input " + cause);
        }
        long bit = 1L << cause;
        long old;
        do {
            old = lines.get();
        } while (!lines.compareAndSet(old, level ? old | bit : old & ~bit));
        wake();
    }

    // ---- interrupts and traps

    long mip() {
        long pending = mipSoftware | lines.get();
        if ((menvcfg & MENVCFG_STCE) != 0 && timebase != null && Long.compareUnsigned(time(), stimecmp) >= 0) {
            pending |= 1L << IRQ_S_TIMER;
        }
        return pending;
    }

    void writeSoftwarePending(long writable, long value) {
        mipSoftware = (mipSoftware & ~writable) | (value & writable);
    }

    long time() {
        if (timebase == null) {
            throw new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, 0);
        }
        return timebase.ticks();
    }

    /** Sstc: the supervisor timer fires when time reaches stimecmp; arm a wake-up for then. */
    void setStimecmp(long value) {
        stimecmp = value;
        if (supervisorTimer == null) {
            return;
        }
        if ((menvcfg & MENVCFG_STCE) != 0 && value != -1) {
            supervisorTimer.armAt(timebase.nanosAt(value));
        } else {
            supervisorTimer.cancel();
        }
        requestAttention();
    }

    /** @return the interrupt to take now, or -1 */
    private int pendingInterrupt() {
        long pending = mip() & mie;
        if (pending == 0) {
            return -1;
        }
        int privilege = core.privilege;
        long status = core.mstatus;
        long machine = pending & ~mideleg;
        if (machine != 0 && (privilege < PRV_M || (status & MSTATUS_MIE) != 0)) {
            return highestPriority(machine);
        }
        long supervisor = pending & mideleg;
        if (supervisor != 0 && (privilege < PRV_S || (privilege == PRV_S && (status & MSTATUS_SIE) != 0))) {
            return highestPriority(supervisor);
        }
        return -1;
    }

    private static int highestPriority(long pending) {
        for (int cause : PRIORITY) {
            if ((pending & (1L << cause)) != 0) {
                return cause;
            }
        }
        return -1;
    }

    /** Enters the trap handler of M-mode, or of S-mode when the cause is delegated and the hart is not in M-mode. */
    void takeTrap(boolean interrupt, int cause, long tval) {
        int privilege = core.privilege;
        long status = core.mstatus;
        long causeValue = (interrupt ? Long.MIN_VALUE : 0) | cause;
        boolean delegated = privilege <= PRV_S && (((interrupt ? mideleg : medeleg) >>> cause) & 1) != 0;
        if (delegated) {
            scause = causeValue;
            sepc = core.pc;
            stval = tval;
            status = (status & ~(MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_SPP))
                    | ((status & MSTATUS_SIE) != 0 ? MSTATUS_SPIE : 0) | (privilege == PRV_S ? MSTATUS_SPP : 0);
            core.privilege = PRV_S;
            core.pc = vector(stvec, interrupt, cause);
        } else {
            mcause = causeValue;
            mepc = core.pc;
            mtval = tval;
            status = (status & ~(MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP))
                    | ((status & MSTATUS_MIE) != 0 ? MSTATUS_MPIE : 0) | ((long) privilege << MSTATUS_MPP_SHIFT);
            core.privilege = PRV_M;
            core.pc = vector(mtvec, interrupt, cause);
        }
        core.mstatus = status;
        mmu.contextChanged();
        attention = true;
    }

    private static long vector(long tvec, boolean interrupt, int cause) {
        long base = tvec & ~3L;
        return interrupt && (tvec & 3) == 1 ? base + 4L * cause : base;
    }

    private void mret(Insn insn) {
        if (core.privilege != PRV_M) {
            throw illegal(insn);
        }
        long status = core.mstatus;
        int previous = (int) ((status & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT);
        status = (status & ~(MSTATUS_MIE | MSTATUS_MPP)) | ((status & MSTATUS_MPIE) != 0 ? MSTATUS_MIE : 0) | MSTATUS_MPIE;
        if (previous != PRV_M) {
            status &= ~MSTATUS_MPRV;
        }
        core.mstatus = status;
        core.privilege = previous;
        core.pc = mepc;
        mmu.contextChanged();
        attention = true;
    }

    private void sret(Insn insn) {
        if (core.privilege == PRV_U || (core.privilege == PRV_S && (core.mstatus & MSTATUS_TSR) != 0)) {
            throw illegal(insn);
        }
        long status = core.mstatus;
        int previous = (status & MSTATUS_SPP) != 0 ? PRV_S : PRV_U;
        status = (status & ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV)) | ((status & MSTATUS_SPIE) != 0 ? MSTATUS_SIE : 0)
                | MSTATUS_SPIE;
        core.mstatus = status;
        core.privilege = previous;
        core.pc = sepc;
        mmu.contextChanged();
        attention = true;
    }

    private static GuestFault illegal(Insn insn) {
        return new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, insn.raw() & 0xffff_ffffL);
    }

    /** The privileged side of the instructions the interpreter leaves to its environment. */
    private final class Privileged implements Environment {

        @Override
        public void ecall(RiscvHart hart) {
            throw new GuestFault(switch (hart.privilege) {
                case PRV_U -> GuestFault.ECALL_FROM_U;
                case PRV_S -> CAUSE_ECALL_FROM_S;
                default -> CAUSE_ECALL_FROM_M;
            }, 0);
        }

        @Override
        public long readCsr(RiscvHart hart, int csr) {
            return csrs.read(csr);
        }

        @Override
        public void writeCsr(RiscvHart hart, int csr, long value) {
            csrs.write(csr, value);
        }

        @Override
        public void system(RiscvHart hart, Insn insn) {
            switch (insn.op()) {
                case MRET -> mret(insn);
                case SRET -> sret(insn);
                case WFI -> {
                    if (hart.privilege == PRV_U || (hart.privilege == PRV_S && (hart.mstatus & MSTATUS_TW) != 0)) {
                        throw illegal(insn);
                    }
                    waitingForInterrupt = true;
                    attention = true;
                    hart.pc += 4;
                }
                default -> {
                    if (hart.privilege == PRV_U || (hart.privilege == PRV_S && (hart.mstatus & MSTATUS_TVM) != 0)) {
                        throw illegal(insn);
                    }
                    if (insn.rs1() != 0) {
                        mmu.flushPage(hart.x[insn.rs1()]);
                    } else {
                        mmu.flush();
                    }
                    hart.pc += 4;
                }
            }
        }
    }

    // ---- the Cpu view

    @Override
    public int index() {
        return core.index();
    }

    @Override
    public Isa isa() {
        return core.isa();
    }

    @Override
    public List<RegisterInfo> registers() {
        return core.registers();
    }

    @Override
    public long readRegister(String name) {
        return core.readRegister(name);
    }

    @Override
    public void writeRegister(String name, long value) {
        core.writeRegister(name, value);
    }

    @Override
    public long pc() {
        return core.pc;
    }

    @Override
    public void setPc(long pc) {
        core.pc = pc;
    }

    /** The state at reset: M-mode, interrupts and translation off, PMP open to M-mode only. */
    @Override
    public void reset() {
        core.reset();
        core.privilege = PRV_M;
        core.mstatus = 0;
        medeleg = mideleg = mie = mipSoftware = 0;
        mtvec = mscratch = mepc = mcause = mtval = 0;
        stvec = sscratch = sepc = scause = stval = satp = 0;
        mcounteren = scounteren = 0;
        mcountinhibit = menvcfg = senvcfg = cycleBias = 0;
        stimecmp = -1;
        waitingForInterrupt = false;
        pmp.reset();
        mmu.flush();
        attention = true;
    }

    @Override
    public String toString() {
        return "riscv64 hart " + index();
    }
}
