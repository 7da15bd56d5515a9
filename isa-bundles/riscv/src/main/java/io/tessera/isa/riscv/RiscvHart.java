package io.tessera.isa.riscv;

import io.tessera.core.isa.Cpu;
import io.tessera.core.isa.Isa;
import io.tessera.core.isa.RegisterInfo;
import io.tessera.core.isa.UnknownRegisterException;
import io.tessera.isa.riscv.fp.FpFlags;
import java.util.ArrayList;
import java.util.List;

/**
 * The architectural state of one RISC-V hart: integer registers, pc, the LR/SC reservation
 * and the counters. The interpreter and the translator read and write these fields directly;
 * monitors and the gdbstub go through {@link Cpu}.
 */
public final class RiscvHart implements Cpu {

    /** ABI names of x0..x31, as objdump and gdb print them. */
    public static final String[] ABI_NAMES = {
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

    /** ABI names of f0..f31. */
    public static final String[] FP_ABI_NAMES = {
        "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
        "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};

    private static final List<RegisterInfo> REGISTERS = describeRegisters();

    /** Integer registers; x[0] is kept zero by the interpreter. */
    public final long[] x = new long[32];
    /** Floating-point registers; single values are NaN-boxed (upper 32 bits all ones). */
    public final long[] f = new long[32];
    /** Accrued floating-point exception flags (fcsr.fflags: NV DZ OF UF NX); the FP operations OR into it. */
    public final FpFlags fflags = new FpFlags();
    /** Dynamic rounding mode (fcsr.frm). */
    public int frm;
    /** The program counter. */
    public long pc;
    /** Address reserved by the last LR, or -1. */
    public long reservation = -1;
    /** Instructions retired (minstret / instret). */
    public long instret;
    /**
     * Where translated code stops: it returns to its runner once {@link #instret} reaches this
     * at a loop head, so that a guest loop cannot keep the runner from signals and exits.
     */
    public long runLimit = Long.MAX_VALUE;
    /** The privilege mode: {@link Csr#PRV_U}, {@link Csr#PRV_S} or {@link Csr#PRV_M}. */
    public int privilege = Csr.PRV_U;
    /**
     * mstatus, without the SD summary bit (derived when read). A user-mode process has the FP
     * unit on from the start, as Linux gives it.
     */
    public long mstatus = Csr.MSTATUS_FS;

    private final int index;
    private final Isa isa;

    /** @param index hart index; @param isa the ISA that made it */
    public RiscvHart(int index, Isa isa) {
        this.index = index;
        this.isa = isa;
    }

    private static List<RegisterInfo> describeRegisters() {
        List<RegisterInfo> list = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            list.add(new RegisterInfo(ABI_NAMES[i], i, 64, "general"));
        }
        list.add(new RegisterInfo("pc", 32, 64, "general"));
        return List.copyOf(list);
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public Isa isa() {
        return isa;
    }

    @Override
    public List<RegisterInfo> registers() {
        return REGISTERS;
    }

    private static int number(String name) {
        if (name.equals("pc")) {
            return 32;
        }
        for (int i = 0; i < 32; i++) {
            if (ABI_NAMES[i].equals(name) || ("x" + i).equals(name) || (i == 8 && name.equals("fp"))) {
                return i;
            }
        }
        throw new UnknownRegisterException(name, REGISTERS.stream().map(RegisterInfo::name).toList());
    }

    @Override
    public long readRegister(String name) {
        int n = number(name);
        return n == 32 ? pc : x[n];
    }

    @Override
    public void writeRegister(String name, long value) {
        int n = number(name);
        if (n == 32) {
            pc = value;
        } else if (n != 0) {
            x[n] = value;
        }
    }

    @Override
    public long pc() {
        return pc;
    }

    @Override
    public void setPc(long pc) {
        this.pc = pc;
    }

    @Override
    public void reset() {
        java.util.Arrays.fill(x, 0);
        java.util.Arrays.fill(f, 0);
        fflags.set(0);
        frm = 0;
        pc = 0;
        reservation = -1;
        instret = 0;
    }
}
