package io.tessera.isa.riscv;

import io.tessera.isa.riscv.fp.Fp32;
import io.tessera.isa.riscv.fp.Fp64;
import io.tessera.isa.riscv.fp.FpFlags;

/**
 * Executes RISC-V instructions one at a time on a hart: the cold tier, single-stepping and
 * the reference the translator is checked against. Decoded instructions are cached by pc;
 * while the memory's code generation is unchanged they are used without fetching again,
 * otherwise they are checked against the fetched bits, so modified code is decoded again.
 */
public final class Interpreter implements HartRunner {

    private static final int CACHE_BITS = 18;
    private static final int CACHE_MASK = (1 << CACHE_BITS) - 1;

    private final Insn[] cache = new Insn[1 << CACHE_BITS];
    private final long[] cachePc = new long[1 << CACHE_BITS];
    private final long[] cacheGeneration = new long[1 << CACHE_BITS];

    /**
     * Runs until the environment stops the hart (by throwing) or {@code limit} instructions
     * retired.
     *
     * @return the number of instructions retired
     */
    @Override
    public long run(RiscvHart hart, GuestMemory memory, Environment env, long limit) {
        long executed = 0;
        while (executed < limit) {
            step(hart, memory, env);
            executed++;
        }
        return executed;
    }

    /** Fetches, decodes and executes one instruction. */
    public Insn fetch(RiscvHart hart, GuestMemory memory) {
        long pc = hart.pc;
        long generation = memory.codeGeneration();
        int slot = (int) (pc >>> 1) & CACHE_MASK;
        Insn cached = cache[slot];
        if (cached != null && cachePc[slot] == pc && generation != GuestMemory.UNTRACKED && cacheGeneration[slot] == generation) {
            return cached;
        }
        int low = memory.fetch16(pc);
        int raw = Decoder.isFullLength(low) ? low | (memory.fetch16(pc + 2) << 16) : low;
        Insn insn = cached;
        if (insn == null || cachePc[slot] != pc || insn.raw() != raw) {
            insn = Decoder.decode(raw);
            cache[slot] = insn;
            cachePc[slot] = pc;
        }
        cacheGeneration[slot] = generation;
        return insn;
    }

    /**
     * Executes one instruction.
     *
     * @return the instruction it executed
     */
    public Insn step(RiscvHart hart, GuestMemory memory, Environment env) {
        Insn insn = fetch(hart, memory);
        execute(hart, memory, env, insn);
        hart.instret++;
        return insn;
    }

    private static long sext32(long v) {
        return (int) v;
    }

    private static long loadSigned(GuestMemory memory, long address, int size) {
        long v = memory.load(address, size);
        return switch (size) {
            case 1 -> (byte) v;
            case 2 -> (short) v;
            case 4 -> (int) v;
            default -> v;
        };
    }

    /** Executes a decoded instruction at the hart's pc. */
    public static void execute(RiscvHart hart, GuestMemory memory, Environment env, Insn insn) {
        long[] x = hart.x;
        long a = x[insn.rs1()];
        long b = x[insn.rs2()];
        long imm = insn.imm();
        long pc = hart.pc;
        long next = pc + insn.length();
        long result;
        if (insn.op().ordinal() >= Op.FLW.ordinal()) {
            requireFloatingPoint(hart, insn);
        }
        switch (insn.op()) {
            case LUI -> result = imm;
            case AUIPC -> result = pc + imm;
            case JAL -> {
                result = next;
                next = pc + imm;
            }
            case JALR -> {
                result = next;
                next = (a + imm) & ~1L;
            }
            case BEQ, BNE, BLT, BGE, BLTU, BGEU -> {
                boolean taken = switch (insn.op()) {
                    case BEQ -> a == b;
                    case BNE -> a != b;
                    case BLT -> a < b;
                    case BGE -> a >= b;
                    case BLTU -> Long.compareUnsigned(a, b) < 0;
                    default -> Long.compareUnsigned(a, b) >= 0;
                };
                if (taken) {
                    next = pc + imm;
                }
                hart.pc = next;
                return;
            }
            case LB -> result = loadSigned(memory, a + imm, 1);
            case LH -> result = loadSigned(memory, a + imm, 2);
            case LW -> result = loadSigned(memory, a + imm, 4);
            case LD -> result = memory.load(a + imm, 8);
            case LBU -> result = memory.load(a + imm, 1);
            case LHU -> result = memory.load(a + imm, 2);
            case LWU -> result = memory.load(a + imm, 4);
            case SB, SH, SW, SD -> {
                int size = switch (insn.op()) {
                    case SB -> 1;
                    case SH -> 2;
                    case SW -> 4;
                    default -> 8;
                };
                memory.store(a + imm, size, b);
                hart.pc = next;
                return;
            }
            case ADDI -> result = a + imm;
            case SLTI -> result = a < imm ? 1 : 0;
            case SLTIU -> result = Long.compareUnsigned(a, imm) < 0 ? 1 : 0;
            case XORI -> result = a ^ imm;
            case ORI -> result = a | imm;
            case ANDI -> result = a & imm;
            case SLLI -> result = a << imm;
            case SRLI -> result = a >>> imm;
            case SRAI -> result = a >> imm;
            case ADD -> result = a + b;
            case SUB -> result = a - b;
            case SLL -> result = a << b;
            case SLT -> result = a < b ? 1 : 0;
            case SLTU -> result = Long.compareUnsigned(a, b) < 0 ? 1 : 0;
            case XOR -> result = a ^ b;
            case SRL -> result = a >>> b;
            case SRA -> result = a >> b;
            case OR -> result = a | b;
            case AND -> result = a & b;
            case ADDIW -> result = sext32(a + imm);
            case SLLIW -> result = sext32((int) a << imm);
            case SRLIW -> result = sext32((int) a >>> imm);
            case SRAIW -> result = sext32((int) a >> imm);
            case ADDW -> result = sext32(a + b);
            case SUBW -> result = sext32(a - b);
            case SLLW -> result = sext32((int) a << (b & 31));
            case SRLW -> result = sext32((int) a >>> (b & 31));
            case SRAW -> result = sext32((int) a >> (b & 31));
            case FENCE -> {
                // One hart in program order; the translator maps these to VarHandle fences.
                hart.pc = next;
                return;
            }
            case FENCE_I -> {
                memory.instructionFence();
                hart.pc = next;
                return;
            }
            case ECALL -> {
                env.ecall(hart);
                hart.pc = next;
                return;
            }
            case EBREAK -> throw new GuestFault(GuestFault.BREAKPOINT, 0);
            case MRET, SRET, WFI, SFENCE_VMA -> {
                env.system(hart, insn);
                return;
            }
            case CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI -> {
                int csr = (int) imm;
                long source = insn.op().ordinal() >= Op.CSRRWI.ordinal() ? insn.rs1() : a;
                boolean write = insn.op() == Op.CSRRW || insn.op() == Op.CSRRWI || insn.rs1() != 0;
                boolean read = !((insn.op() == Op.CSRRW || insn.op() == Op.CSRRWI) && insn.rd() == 0);
                long old;
                try {
                    old = read ? env.readCsr(hart, csr) : 0;
                    if (write) {
                        long value = switch (insn.op()) {
                            case CSRRW, CSRRWI -> source;
                            case CSRRS, CSRRSI -> env.readModifyWriteBase(hart, csr, old) | source;
                            default -> env.readModifyWriteBase(hart, csr, old) & ~source;
                        };
                        env.writeCsr(hart, csr, value);
                    }
                } catch (GuestFault fault) {
                    // The environment does not know the instruction; tval gets its bits.
                    if (fault.cause() == GuestFault.ILLEGAL_INSTRUCTION && fault.tval() == 0) {
                        throw new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, insn.raw() & 0xffff_ffffL);
                    }
                    throw fault;
                }
                result = old;
            }
            case MUL -> result = a * b;
            case MULH -> result = Math.multiplyHigh(a, b);
            case MULHSU -> result = Math.multiplyHigh(a, b) + (b < 0 ? a : 0);
            case MULHU -> result = Math.unsignedMultiplyHigh(a, b);
            case DIV -> result = b == 0 ? -1 : (a == Long.MIN_VALUE && b == -1) ? a : a / b;
            case DIVU -> result = b == 0 ? -1 : Long.divideUnsigned(a, b);
            case REM -> result = b == 0 ? a : (a == Long.MIN_VALUE && b == -1) ? 0 : a % b;
            case REMU -> result = b == 0 ? a : Long.remainderUnsigned(a, b);
            case MULW -> result = sext32((int) a * (int) b);
            case DIVW -> {
                int n = (int) a;
                int d = (int) b;
                result = d == 0 ? -1 : (n == Integer.MIN_VALUE && d == -1) ? n : n / d;
            }
            case DIVUW -> result = (int) b == 0 ? -1 : sext32(Integer.divideUnsigned((int) a, (int) b));
            case REMW -> {
                int n = (int) a;
                int d = (int) b;
                result = d == 0 ? n : (n == Integer.MIN_VALUE && d == -1) ? 0 : n % d;
            }
            case REMUW -> result = (int) b == 0 ? sext32(a) : sext32(Integer.remainderUnsigned((int) a, (int) b));
            case LR_W, LR_D -> {
                int size = insn.op() == Op.LR_W ? 4 : 8;
                checkAligned(a, size, GuestFault.LOAD_MISALIGNED);
                result = size == 4 ? (int) memory.loadReserved(a, 4) : memory.loadReserved(a, 8);
                hart.reservation = a;
            }
            case SC_W, SC_D -> {
                int size = insn.op() == Op.SC_W ? 4 : 8;
                checkAligned(a, size, GuestFault.STORE_MISALIGNED);
                result = hart.reservation == a && memory.storeConditional(a, size, b) ? 0 : 1;
                hart.reservation = -1;
            }
            case AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W -> {
                checkAligned(a, 4, GuestFault.STORE_MISALIGNED);
                long old;
                do {
                    old = (int) memory.loadForUpdate(a, 4);
                } while (!memory.compareAndSet(a, 4, old, amo(insn.op(), old, (int) b, true)));
                result = old;
            }
            case AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D, AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D -> {
                checkAligned(a, 8, GuestFault.STORE_MISALIGNED);
                long old;
                do {
                    old = memory.loadForUpdate(a, 8);
                } while (!memory.compareAndSet(a, 8, old, amo(insn.op(), old, b, false)));
                result = old;
            }
            case SH1ADD -> result = (a << 1) + b;
            case SH2ADD -> result = (a << 2) + b;
            case SH3ADD -> result = (a << 3) + b;
            case ADD_UW -> result = (a & 0xffff_ffffL) + b;
            case SH1ADD_UW -> result = ((a & 0xffff_ffffL) << 1) + b;
            case SH2ADD_UW -> result = ((a & 0xffff_ffffL) << 2) + b;
            case SH3ADD_UW -> result = ((a & 0xffff_ffffL) << 3) + b;
            case SLLI_UW -> result = (a & 0xffff_ffffL) << imm;
            case ANDN -> result = a & ~b;
            case ORN -> result = a | ~b;
            case XNOR -> result = ~(a ^ b);
            case CLZ -> result = Long.numberOfLeadingZeros(a);
            case CTZ -> result = Long.numberOfTrailingZeros(a);
            case CPOP -> result = Long.bitCount(a);
            case CLZW -> result = Integer.numberOfLeadingZeros((int) a);
            case CTZW -> result = Integer.numberOfTrailingZeros((int) a);
            case CPOPW -> result = Integer.bitCount((int) a);
            case MAX -> result = Math.max(a, b);
            case MAXU -> result = Long.compareUnsigned(a, b) >= 0 ? a : b;
            case MIN -> result = Math.min(a, b);
            case MINU -> result = Long.compareUnsigned(a, b) <= 0 ? a : b;
            case SEXT_B -> result = (byte) a;
            case SEXT_H -> result = (short) a;
            case ZEXT_H -> result = a & 0xffff;
            case ROL -> result = Long.rotateLeft(a, (int) b);
            case ROR -> result = Long.rotateRight(a, (int) b);
            case RORI -> result = Long.rotateRight(a, (int) imm);
            case ROLW -> result = sext32(Integer.rotateLeft((int) a, (int) b));
            case RORW -> result = sext32(Integer.rotateRight((int) a, (int) b));
            case RORIW -> result = sext32(Integer.rotateRight((int) a, (int) imm));
            case ORC_B -> result = orcB(a);
            case REV8 -> result = Long.reverseBytes(a);
            case BCLR -> result = a & ~(1L << b);
            case BCLRI -> result = a & ~(1L << imm);
            case BEXT -> result = (a >>> b) & 1;
            case BEXTI -> result = (a >>> imm) & 1;
            case BINV -> result = a ^ (1L << b);
            case BINVI -> result = a ^ (1L << imm);
            case BSET -> result = a | (1L << b);
            case BSETI -> result = a | (1L << imm);
            case CZERO_EQZ -> result = b == 0 ? 0 : a;
            case CZERO_NEZ -> result = b != 0 ? 0 : a;
            case FLW, FLD, FSW, FSD, FSGNJ_S, FSGNJN_S, FSGNJX_S, FSGNJ_D, FSGNJN_D, FSGNJX_D, FMV_W_X, FMV_D_X -> {
                executeFloatMove(hart, memory, insn, a);
                hart.pc = next;
                return;
            }
            case FMV_X_W -> result = (int) hart.f[insn.rs1()];
            case FMV_X_D -> result = hart.f[insn.rs1()];
            case FCLASS_S, FCLASS_D -> result = classify(insn, hart.f[insn.rs1()]);
            case FEQ_S, FLT_S, FLE_S, FEQ_D, FLT_D, FLE_D, FCVT_W_S, FCVT_WU_S, FCVT_L_S, FCVT_LU_S, FCVT_W_D,
                    FCVT_WU_D, FCVT_L_D, FCVT_LU_D -> result = floatToInteger(hart, insn, hart.f[insn.rs1()], hart.f[insn.rs2()]);
            case FADD_S, FSUB_S, FMUL_S, FDIV_S, FSQRT_S, FMIN_S, FMAX_S, FADD_D, FSUB_D, FMUL_D, FDIV_D, FSQRT_D,
                    FMIN_D, FMAX_D, FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D,
                    FCVT_S_W, FCVT_S_WU, FCVT_S_L, FCVT_S_LU, FCVT_D_W, FCVT_D_WU, FCVT_D_L, FCVT_D_LU, FCVT_S_D,
                    FCVT_D_S -> {
                hart.f[insn.rd()] = floatResult(hart, insn, a, hart.f[insn.rs1()], hart.f[insn.rs2()], hart.f[insn.raw() >>> 27]);
                hart.pc = next;
                return;
            }
            default -> throw new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, insn.raw() & (insn.length() == 2 ? 0xffffL : 0xffff_ffffL));
        }
        if (insn.rd() != 0) {
            x[insn.rd()] = result;
        }
        hart.pc = next;
    }

    /**
     * Floating-point instructions are illegal while mstatus.FS is Off; any other state becomes
     * Dirty, conservatively, so that a kernel saving FP registers on a context switch saves them.
     */
    private static void requireFloatingPoint(RiscvHart hart, Insn insn) {
        long status = hart.mstatus;
        if ((status & Csr.MSTATUS_FS) == 0) {
            throw new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, insn.raw() & (insn.length() == 2 ? 0xffffL : 0xffff_ffffL));
        }
        hart.mstatus = status | Csr.MSTATUS_FS;
    }

    /**
     * The rounding mode an instruction uses: its static field, or frm for the dynamic one (7).
     * Reserved modes (5, 6, or frm holding one) make the instruction illegal.
     */
    private static int roundingMode(RiscvHart hart, Insn insn) {
        int rm = (int) insn.imm();
        if (rm == 7) {
            rm = hart.frm;
        }
        if (rm > 4) {
            throw new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, insn.raw() & 0xffff_ffffL);
        }
        return rm;
    }

    /** fclass.s and fclass.d of register value {@code value}. */
    public static long classify(Insn insn, long value) {
        return insn.op() == Op.FCLASS_S ? Fp32.classify(FloatBits.unbox(value)) : Fp64.classify(value);
    }

    /**
     * Comparisons and conversions to integers, of f-register values {@code da} and {@code db}
     * (rs1 and rs2): the result goes to an x register. Raises flags in the hart's fflags.
     */
    public static long floatToInteger(RiscvHart hart, Insn insn, long da, long db) {
        requireFloatingPoint(hart, insn);
        FpFlags flags = hart.fflags;
        int sa = FloatBits.unbox(da);
        int sb = FloatBits.unbox(db);
        return switch (insn.op()) {
            case FEQ_S -> Fp32.eq(sa, sb, flags);
            case FLT_S -> Fp32.lt(sa, sb, flags);
            case FLE_S -> Fp32.le(sa, sb, flags);
            case FEQ_D -> Fp64.eq(da, db, flags);
            case FLT_D -> Fp64.lt(da, db, flags);
            case FLE_D -> Fp64.le(da, db, flags);
            case FCVT_W_S -> Fp32.toInt32(sa, roundingMode(hart, insn), flags);
            case FCVT_WU_S -> Fp32.toUint32(sa, roundingMode(hart, insn), flags);
            case FCVT_L_S -> Fp32.toInt64(sa, roundingMode(hart, insn), flags);
            case FCVT_LU_S -> Fp32.toUint64(sa, roundingMode(hart, insn), flags);
            case FCVT_W_D -> Fp64.toInt32(da, roundingMode(hart, insn), flags);
            case FCVT_WU_D -> Fp64.toUint32(da, roundingMode(hart, insn), flags);
            case FCVT_L_D -> Fp64.toInt64(da, roundingMode(hart, insn), flags);
            default -> Fp64.toUint64(da, roundingMode(hart, insn), flags);
        };
    }

    /**
     * Arithmetic and conversions with a floating-point result (singles NaN-boxed), of x-register
     * value {@code x} (rs1) and f-register values {@code da}, {@code db}, {@code dc} (rs1, rs2,
     * rs3). Raises flags in the hart's fflags; a reserved rounding mode is an illegal instruction.
     */
    public static long floatResult(RiscvHart hart, Insn insn, long x, long da, long db, long dc) {
        requireFloatingPoint(hart, insn);
        FpFlags flags = hart.fflags;
        int sa = FloatBits.unbox(da);
        int sb = FloatBits.unbox(db);
        int sc = FloatBits.unbox(dc);
        return switch (insn.op()) {
            case FADD_S -> FloatBits.box(Fp32.add(sa, sb, roundingMode(hart, insn), flags));
            case FSUB_S -> FloatBits.box(Fp32.sub(sa, sb, roundingMode(hart, insn), flags));
            case FMUL_S -> FloatBits.box(Fp32.mul(sa, sb, roundingMode(hart, insn), flags));
            case FDIV_S -> FloatBits.box(Fp32.div(sa, sb, roundingMode(hart, insn), flags));
            case FSQRT_S -> FloatBits.box(Fp32.sqrt(sa, roundingMode(hart, insn), flags));
            case FMIN_S -> FloatBits.box(Fp32.min(sa, sb, flags));
            case FMAX_S -> FloatBits.box(Fp32.max(sa, sb, flags));
            case FMADD_S -> FloatBits.box(Fp32.fmadd(sa, sb, sc, roundingMode(hart, insn), flags));
            case FMSUB_S -> FloatBits.box(Fp32.fmsub(sa, sb, sc, roundingMode(hart, insn), flags));
            case FNMSUB_S -> FloatBits.box(Fp32.fnmsub(sa, sb, sc, roundingMode(hart, insn), flags));
            case FNMADD_S -> FloatBits.box(Fp32.fnmadd(sa, sb, sc, roundingMode(hart, insn), flags));
            case FCVT_S_W -> FloatBits.box(Fp32.fromInt32((int) x, roundingMode(hart, insn), flags));
            case FCVT_S_WU -> FloatBits.box(Fp32.fromUint32((int) x, roundingMode(hart, insn), flags));
            case FCVT_S_L -> FloatBits.box(Fp32.fromInt64(x, roundingMode(hart, insn), flags));
            case FCVT_S_LU -> FloatBits.box(Fp32.fromUint64(x, roundingMode(hart, insn), flags));
            case FCVT_S_D -> FloatBits.box(Fp64.toFp32(da, roundingMode(hart, insn), flags));
            case FADD_D -> Fp64.add(da, db, roundingMode(hart, insn), flags);
            case FSUB_D -> Fp64.sub(da, db, roundingMode(hart, insn), flags);
            case FMUL_D -> Fp64.mul(da, db, roundingMode(hart, insn), flags);
            case FDIV_D -> Fp64.div(da, db, roundingMode(hart, insn), flags);
            case FSQRT_D -> Fp64.sqrt(da, roundingMode(hart, insn), flags);
            case FMIN_D -> Fp64.min(da, db, flags);
            case FMAX_D -> Fp64.max(da, db, flags);
            case FMADD_D -> Fp64.fmadd(da, db, dc, roundingMode(hart, insn), flags);
            case FMSUB_D -> Fp64.fmsub(da, db, dc, roundingMode(hart, insn), flags);
            case FNMSUB_D -> Fp64.fnmsub(da, db, dc, roundingMode(hart, insn), flags);
            case FNMADD_D -> Fp64.fnmadd(da, db, dc, roundingMode(hart, insn), flags);
            case FCVT_D_W -> {
                roundingMode(hart, insn);
                yield Fp64.fromInt32((int) x);
            }
            case FCVT_D_WU -> {
                roundingMode(hart, insn);
                yield Fp64.fromUint32((int) x);
            }
            case FCVT_D_L -> Fp64.fromInt64(x, roundingMode(hart, insn), flags);
            case FCVT_D_LU -> Fp64.fromUint64(x, roundingMode(hart, insn), flags);
            default -> Fp32.toFp64(sa, flags);
        };
    }

    /** Floating-point loads, stores and moves: bit copies that raise no flags. */
    private static void executeFloatMove(RiscvHart hart, GuestMemory memory, Insn insn, long a) {
        long[] f = hart.f;
        long imm = insn.imm();
        switch (insn.op()) {
            case FLW -> f[insn.rd()] = FloatBits.box((int) memory.load(a + imm, 4));
            case FLD -> f[insn.rd()] = memory.load(a + imm, 8);
            case FSW -> memory.store(a + imm, 4, f[insn.rs2()]);
            case FSD -> memory.store(a + imm, 8, f[insn.rs2()]);
            case FMV_W_X -> f[insn.rd()] = FloatBits.box((int) a);
            case FMV_D_X -> f[insn.rd()] = a;
            default -> f[insn.rd()] = signInjection(insn, f[insn.rs1()], f[insn.rs2()]);
        }
    }

    /** The sign-injection instructions (fsgnj, fsgnjn, fsgnjx, .s and .d) of f-register values {@code a} and {@code b}. */
    public static long signInjection(Insn insn, long a, long b) {
        return switch (insn.op()) {
            case FSGNJ_S -> FloatBits.box(Fp32.sgnj(FloatBits.unbox(a), FloatBits.unbox(b)));
            case FSGNJN_S -> FloatBits.box(Fp32.sgnjn(FloatBits.unbox(a), FloatBits.unbox(b)));
            case FSGNJX_S -> FloatBits.box(Fp32.sgnjx(FloatBits.unbox(a), FloatBits.unbox(b)));
            case FSGNJ_D -> Fp64.sgnj(a, b);
            case FSGNJN_D -> Fp64.sgnjn(a, b);
            default -> Fp64.sgnjx(a, b);
        };
    }

    /** orc.b: each byte of the result is all ones where that byte of {@code a} is not zero. */
    public static long orcB(long a) {
        long r = 0;
        for (int i = 0; i < 64; i += 8) {
            if (((a >>> i) & 0xff) != 0) {
                r |= 0xffL << i;
            }
        }
        return r;
    }

    private static void checkAligned(long address, int size, int cause) {
        if ((address & (size - 1)) != 0) {
            throw new GuestFault(cause, address);
        }
    }

    private static long amo(Op op, long old, long operand, boolean word) {
        long r = switch (op) {
            case AMOSWAP_W, AMOSWAP_D -> operand;
            case AMOADD_W, AMOADD_D -> old + operand;
            case AMOXOR_W, AMOXOR_D -> old ^ operand;
            case AMOAND_W, AMOAND_D -> old & operand;
            case AMOOR_W, AMOOR_D -> old | operand;
            case AMOMIN_W, AMOMIN_D -> Math.min(old, operand);
            case AMOMAX_W, AMOMAX_D -> Math.max(old, operand);
            case AMOMINU_W -> Integer.compareUnsigned((int) old, (int) operand) <= 0 ? old : operand;
            case AMOMAXU_W -> Integer.compareUnsigned((int) old, (int) operand) >= 0 ? old : operand;
            case AMOMINU_D -> Long.compareUnsigned(old, operand) <= 0 ? old : operand;
            default -> Long.compareUnsigned(old, operand) >= 0 ? old : operand;
        };
        return word ? (int) r : r;
    }
}
