package io.tessera.isa.riscv.system;

import static io.tessera.isa.riscv.Csr.*;

import io.tessera.core.clock.Timer;
import io.tessera.core.isa.Isa;
import io.tessera.core.isa.RegisterInfo;
import io.tessera.core.isa.TranslatingCpu;
import io.tessera.core.memory.AddressSpace;
import io.tessera.isa.riscv.Decoder;
import io.tessera.isa.riscv.Environment;
import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.Insn;
import io.tessera.isa.riscv.Interpreter;
import io.tessera.isa.riscv.RiscvHart;
import io.tessera.isa.riscv.RiscvIsa;
import io.tessera.isa.riscv.platform.RiscvCpu;
import io.tessera.isa.riscv.platform.Timebase;
import io.tessera.tcg.HostMemory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A RISC-V hart in a machine: the unprivileged state of {@link RiscvHart} plus M, S and U
 * modes, their CSRs, traps and interrupts with delegation, and the MMU. One thread runs it
 * ({@link #interpret(long)}); devices raise its interrupt inputs from theirs, which only set
 * a flag the running thread looks at between instructions.
 */
public final class SystemHart implements RiscvCpu, TranslatingCpu {

    /** Interrupts in the order the specification takes them when several are pending. */
    private static final int[] PRIORITY = {IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER, IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER};
    /** How long an idle hart sleeps before it returns to its accelerator (which may want to pause it). */
    private static final long IDLE_NANOS = 20_000_000L;

    final RiscvHart core;
    final Pmp pmp = new Pmp();
    final Mmu mmu;
    private final CsrFile csrs = new CsrFile(this);
    final Environment environment = new Privileged();

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
    volatile boolean attention = true;
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
        return execute(budget, null);
    }

    @Override
    public SharedTranslations newSharedTranslations(int threshold, long cacheBytes) {
        return new SystemTranslations(threshold, cacheBytes);
    }

    @Override
    public long runTranslated(long budget, SharedTranslations shared) {
        if (!(shared instanceof SystemTranslations translations)) {
            throw new IllegalArgumentException("hart " + index() + " runs with the translations of RISC-V harts, not " + shared);
        }
        TranslatedHart engine = translated;
        if (engine == null || engine.shared != translations) {
            engine = new TranslatedHart(this, translations);
            translated = engine;
        }
        return execute(budget, engine);
    }

    /** The translator's state of this hart, for the shared translations it last ran with. */
    private TranslatedHart translated;

    /**
     * Takes interrupts and waits for them (WFI) between runs of instructions: the interpreter's
     * ({@code engine} null) or the translator's.
     */
    private long execute(long budget, TranslatedHart engine) {
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
            retired = engine == null ? run(retired, budget) : engine.run(retired, budget);
        }
        return retired;
    }

    /**
     * Executes instructions until something needs attention or {@code retired} reaches the
     * budget; a fault enters its trap handler and ends the run.
     *
     * <p>Instructions come from {@link CodePage}s, decoded and packed: {@link #fast} carries out
     * the common integer operations, loads and stores while the pc stays in one page; this
     * method moves between pages, decodes, and leaves the other instructions to the
     * {@link Interpreter}.
     *
     * @return the instructions retired, counting from {@code retired}
     */
    long run(long retired, long budget) {
        RiscvHart core = this.core;
        Mmu mmu = this.mmu;
        long pc = core.pc;
        try {
            CodePage page = null;
            do {
                if (page == null || (pc & -CodePage.SIZE) != page.vpage || page.generation != mmu.codePageGeneration()) {
                    page = mmu.codePage(pc);
                    if (page == null) {
                        slowStep(pc);
                        pc = core.pc;
                        core.instret++;
                        retired++;
                        continue;
                    }
                }
                long done = fast(page.decoded, page.vpage, pc, budget - retired);
                pc = fastPc;
                core.instret += done;
                retired += done;
                if (attention || retired >= budget || (pc & -CodePage.SIZE) != page.vpage) {
                    continue;
                }
                // The instruction at pc is not decoded yet, or not one fast() carries out (all
                // but the integer operations, and loads and stores that miss the TLB's RAM).
                int index = (int) (pc & (CodePage.SIZE - 1)) >>> 1;
                long d = page.decoded[index];
                if (d == 0) {
                    d = page.decode(index);
                    if (d == 0) {
                        slowStep(pc);
                        pc = core.pc;
                        core.instret++;
                        retired++;
                        page = null;
                    }
                    continue;
                }
                core.pc = pc;
                Interpreter.execute(core, mmu, environment, page.insns[index]);
                pc = core.pc;
                core.instret++;
                retired++;
            } while (!attention && retired < budget);
            core.pc = pc;
        } catch (GuestFault fault) {
            core.pc = pc;
            takeTrap(false, fault.cause(), fault.tval());
        }
        return retired;
    }

    /** Where {@link #fast} stopped: the pc of the first instruction it did not carry out. */
    private long fastPc;

    /**
     * Carries out instructions of one code page, at most {@code limit}, while they are decoded
     * and are operations it knows, their loads and stores hit RAM in the TLB, and nothing needs
     * attention. It calls nothing and throws nothing, so that its values stay in registers:
     * whatever may fault or take long is the caller's.
     *
     * @param decoded the page's {@link CodePage#decoded} instructions
     * @param base the page's virtual address
     * @return the instructions retired; {@link #fastPc} is where it stopped
     */
    private long fast(long[] decoded, long base, long pc, long limit) {
        long[] x = core.x;
        Mmu mmu = this.mmu;
        long left = limit;
        if (left > 0 && !attention) {
            loop:
            while (true) {
                // Falling off the page's end reads the 0 past it, which stops the loop; the
                // other ways out of the page, the budget and attention are looked at when
                // control moves (so straight-line code may overrun the budget a little).
                long d = decoded[(int) (pc - base) >>> 1];
                int rd = (int) (d >>> 8) & 31;
                long a = x[(int) (d >>> 13) & 31];
                long b = x[(int) (d >>> 18) & 31];
                long imm = d >> 32;
                long following = pc + ((d >>> CodePage.LENGTH_SHIFT) & 7);
                long next = following;
                switch ((int) d & 0xff) {
                    case CodePage.GENERIC -> {
                        break loop;
                    }
                    case CodePage.NOP -> {
                    }
                    case CodePage.LUI -> x[rd] = imm;
                    case CodePage.AUIPC -> x[rd] = pc + imm;
                    case CodePage.JAL -> {
                        if (rd != 0) {
                            x[rd] = next;
                        }
                        next = pc + imm;
                    }
                    case CodePage.JALR -> {
                        long target = (a + imm) & ~1L;
                        if (rd != 0) {
                            x[rd] = next;
                        }
                        next = target;
                    }
                    case CodePage.BEQ -> next = a == b ? pc + imm : next;
                    case CodePage.BNE -> next = a != b ? pc + imm : next;
                    case CodePage.BLT -> next = a < b ? pc + imm : next;
                    case CodePage.BGE -> next = a >= b ? pc + imm : next;
                    case CodePage.BLTU -> next = Long.compareUnsigned(a, b) < 0 ? pc + imm : next;
                    case CodePage.BGEU -> next = Long.compareUnsigned(a, b) >= 0 ? pc + imm : next;
                    case CodePage.LOAD, CodePage.STORE -> {
                        // One case for both, so that the TLB lookup is not computed ahead of the dispatch.
                        long address = a + imm;
                        int size = 1 << ((int) (d >>> CodePage.SIZE_SHIFT) & 3);
                        boolean store = ((int) d & 0xff) == CodePage.STORE;
                        Mmu.Tlb tlb = store ? mmu.storeTlb : mmu.loadTlb;
                        int slot = Mmu.slot(address);
                        if (tlb.tags[slot] != Mmu.key(address, size)) {
                            break loop;
                        }
                        long host = tlb.hostAddresses[slot];
                        if (host == 0) {
                            break loop;
                        }
                        long at = host + (address & (CodePage.SIZE - 1));
                        if (store) {
                            Mmu.write(HostMemory.ALL, at, size, b);
                        } else {
                            int extend = (int) (d >>> (CodePage.EXTEND_SHIFT - 3)) & 0x38;
                            long value = Mmu.read(HostMemory.ALL, at, size) << extend >> extend;
                            if (rd != 0) {
                                x[rd] = value;
                            }
                        }
                    }
                    case CodePage.ADDI -> x[rd] = a + imm;
                    case CodePage.SLTI -> x[rd] = a < imm ? 1 : 0;
                    case CodePage.SLTIU -> x[rd] = Long.compareUnsigned(a, imm) < 0 ? 1 : 0;
                    case CodePage.XORI -> x[rd] = a ^ imm;
                    case CodePage.ORI -> x[rd] = a | imm;
                    case CodePage.ANDI -> x[rd] = a & imm;
                    case CodePage.SLLI -> x[rd] = a << imm;
                    case CodePage.SRLI -> x[rd] = a >>> imm;
                    case CodePage.SRAI -> x[rd] = a >> imm;
                    case CodePage.ADD -> x[rd] = a + b;
                    case CodePage.SUB -> x[rd] = a - b;
                    case CodePage.SLL -> x[rd] = a << b;
                    case CodePage.SLT -> x[rd] = a < b ? 1 : 0;
                    case CodePage.SLTU -> x[rd] = Long.compareUnsigned(a, b) < 0 ? 1 : 0;
                    case CodePage.XOR -> x[rd] = a ^ b;
                    case CodePage.SRL -> x[rd] = a >>> b;
                    case CodePage.SRA -> x[rd] = a >> b;
                    case CodePage.OR -> x[rd] = a | b;
                    case CodePage.AND -> x[rd] = a & b;
                    case CodePage.ADDIW -> x[rd] = (int) (a + imm);
                    case CodePage.SLLIW -> x[rd] = (int) a << imm;
                    case CodePage.SRLIW -> x[rd] = (int) a >>> imm;
                    case CodePage.SRAIW -> x[rd] = (int) a >> imm;
                    case CodePage.ADDW -> x[rd] = (int) (a + b);
                    case CodePage.SUBW -> x[rd] = (int) (a - b);
                    case CodePage.SLLW -> x[rd] = (int) a << (b & 31);
                    case CodePage.SRLW -> x[rd] = (int) a >>> (b & 31);
                    case CodePage.SRAW -> x[rd] = (int) a >> (b & 31);
                    case CodePage.MUL -> x[rd] = a * b;
                    case CodePage.MULH -> x[rd] = Math.multiplyHigh(a, b);
                    case CodePage.MULHSU -> x[rd] = Math.multiplyHigh(a, b) + (b < 0 ? a : 0);
                    case CodePage.MULHU -> x[rd] = Math.unsignedMultiplyHigh(a, b);
                    case CodePage.DIV -> x[rd] = b == 0 ? -1 : (a == Long.MIN_VALUE && b == -1) ? a : a / b;
                    case CodePage.DIVU -> x[rd] = b == 0 ? -1 : Long.divideUnsigned(a, b);
                    case CodePage.REM -> x[rd] = b == 0 ? a : (a == Long.MIN_VALUE && b == -1) ? 0 : a % b;
                    case CodePage.REMU -> x[rd] = b == 0 ? a : Long.remainderUnsigned(a, b);
                    case CodePage.MULW -> x[rd] = (int) a * (int) b;
                    case CodePage.DIVW -> {
                        int n = (int) a;
                        int m = (int) b;
                        x[rd] = m == 0 ? -1 : (n == Integer.MIN_VALUE && m == -1) ? n : n / m;
                    }
                    case CodePage.DIVUW -> x[rd] = (int) b == 0 ? -1 : Integer.divideUnsigned((int) a, (int) b);
                    case CodePage.REMW -> {
                        int n = (int) a;
                        int m = (int) b;
                        x[rd] = m == 0 ? n : (n == Integer.MIN_VALUE && m == -1) ? 0 : n % m;
                    }
                    case CodePage.REMUW -> x[rd] = (int) b == 0 ? (int) a : Integer.remainderUnsigned((int) a, (int) b);
                    case CodePage.SH1ADD -> x[rd] = (a << 1) + b;
                    case CodePage.SH2ADD -> x[rd] = (a << 2) + b;
                    case CodePage.SH3ADD -> x[rd] = (a << 3) + b;
                    case CodePage.ADD_UW -> x[rd] = (a & 0xffff_ffffL) + b;
                    case CodePage.SH1ADD_UW -> x[rd] = ((a & 0xffff_ffffL) << 1) + b;
                    case CodePage.SH2ADD_UW -> x[rd] = ((a & 0xffff_ffffL) << 2) + b;
                    case CodePage.SH3ADD_UW -> x[rd] = ((a & 0xffff_ffffL) << 3) + b;
                    case CodePage.SLLI_UW -> x[rd] = (a & 0xffff_ffffL) << imm;
                    case CodePage.ANDN -> x[rd] = a & ~b;
                    case CodePage.ORN -> x[rd] = a | ~b;
                    case CodePage.XNOR -> x[rd] = ~(a ^ b);
                    case CodePage.SEXT_B -> x[rd] = (byte) a;
                    case CodePage.SEXT_H -> x[rd] = (short) a;
                    case CodePage.ZEXT_H -> x[rd] = a & 0xffff;
                    case CodePage.MIN -> x[rd] = Math.min(a, b);
                    case CodePage.MINU -> x[rd] = Long.compareUnsigned(a, b) <= 0 ? a : b;
                    case CodePage.MAX -> x[rd] = Math.max(a, b);
                    case CodePage.MAXU -> x[rd] = Long.compareUnsigned(a, b) >= 0 ? a : b;
                    case CodePage.CZERO_EQZ -> x[rd] = b == 0 ? 0 : a;
                    case CodePage.CZERO_NEZ -> x[rd] = b != 0 ? 0 : a;
                    default -> {
                        break loop;
                    }
                }
                pc = next;
                left--;
                if (next != following && ((next & -CodePage.SIZE) != base || left <= 0 || attention)) {
                    break;
                }
            }
        }
        fastPc = pc;
        return limit - left;
    }

    /** One instruction fetched and decoded on its own: code outside RAM, or crossing into the next page. */
    private void slowStep(long pc) {
        core.pc = pc;
        int low = mmu.fetch16(pc);
        int raw = Decoder.isFullLength(low) ? low | (mmu.fetch16(pc + 2) << 16) : low;
        Interpreter.execute(core, mmu, environment, Decoder.decode(raw));
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
        if ((menvcfg & MENVCFG_STCE) != 0) {
            timebase.arm(supervisorTimer, value);
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
        public long readModifyWriteBase(RiscvHart hart, int csr, long read) {
            return csrs.readModifyWriteBase(csr, read);
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
        if (supervisorTimer != null) {
            supervisorTimer.cancel();
        }
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
