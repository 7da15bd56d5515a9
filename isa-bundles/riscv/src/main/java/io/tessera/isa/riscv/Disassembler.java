package io.tessera.isa.riscv;

/**
 * Prints decoded instructions as GNU objdump does with {@code -M no-aliases}: canonical
 * mnemonics, compressed instructions under their {@code c.} names, ABI register names, branch
 * targets as absolute addresses. For the monitor and for translation dumps.
 */
public final class Disassembler {

    private static final String[] ROUNDING = {"rne", "rtz", "rdn", "rup", "rmm", "0x5", "0x6", "dyn"};

    private Disassembler() {
    }

    private static String x(int r) {
        return RiscvHart.ABI_NAMES[r];
    }

    private static String f(int r) {
        return RiscvHart.FP_ABI_NAMES[r];
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** @return the name of a CSR as objdump prints it, or its number in hex */
    public static String csrName(int csr) {
        return switch (csr) {
            case 0x001 -> "fflags";
            case 0x002 -> "frm";
            case 0x003 -> "fcsr";
            case 0xc00 -> "cycle";
            case 0xc01 -> "time";
            case 0xc02 -> "instret";
            case 0x100 -> "sstatus";
            case 0x104 -> "sie";
            case 0x105 -> "stvec";
            case 0x140 -> "sscratch";
            case 0x141 -> "sepc";
            case 0x142 -> "scause";
            case 0x143 -> "stval";
            case 0x144 -> "sip";
            case 0x180 -> "satp";
            case 0x300 -> "mstatus";
            case 0x301 -> "misa";
            case 0x302 -> "medeleg";
            case 0x303 -> "mideleg";
            case 0x304 -> "mie";
            case 0x305 -> "mtvec";
            case 0x340 -> "mscratch";
            case 0x341 -> "mepc";
            case 0x342 -> "mcause";
            case 0x343 -> "mtval";
            case 0x344 -> "mip";
            case 0xf14 -> "mhartid";
            default -> hex(csr);
        };
    }

    private static String fence(int bits) {
        StringBuilder s = new StringBuilder();
        String letters = "iorw";
        for (int i = 0; i < 4; i++) {
            if ((bits & (8 >> i)) != 0) {
                s.append(letters.charAt(i));
            }
        }
        return s.isEmpty() ? "0" : s.toString();
    }

    /**
     * @param insn a decoded instruction
     * @param pc its address (branch and jump targets are printed absolute)
     * @return the text objdump {@code -M no-aliases} prints for it, without comments
     */
    public static String format(Insn insn, long pc) {
        if (insn.op() == Op.ILLEGAL) {
            return insn.length() == 2 ? String.format(".2byte 0x%x", insn.raw() & 0xffff)
                    : String.format(".4byte 0x%x", insn.raw() & 0xffff_ffffL);
        }
        return insn.length() == 2 ? compressed(insn, pc) : full(insn, pc);
    }

    private static String full(Insn i, long pc) {
        String m = i.op().mnemonic();
        int rd = i.rd();
        int rs1 = i.rs1();
        int rs2 = i.rs2();
        long imm = i.imm();
        String rm = ROUNDING[(i.raw() >>> 12) & 7];
        String rmSuffix = rm.equals("dyn") ? "" : "," + rm;
        return switch (i.op()) {
            case LUI, AUIPC -> m + " " + x(rd) + "," + hex((imm >>> 12) & 0xfffff);
            case JAL -> m + " " + x(rd) + "," + Long.toHexString(pc + imm);
            case JALR -> m + " " + x(rd) + "," + imm + "(" + x(rs1) + ")";
            case BEQ, BNE, BLT, BGE, BLTU, BGEU -> m + " " + x(rs1) + "," + x(rs2) + "," + Long.toHexString(pc + imm);
            case LB, LH, LW, LD, LBU, LHU, LWU -> m + " " + x(rd) + "," + imm + "(" + x(rs1) + ")";
            case SB, SH, SW, SD -> m + " " + x(rs2) + "," + imm + "(" + x(rs1) + ")";
            case FLW, FLD -> m + " " + f(rd) + "," + imm + "(" + x(rs1) + ")";
            case FSW, FSD -> m + " " + f(rs2) + "," + imm + "(" + x(rs1) + ")";
            case SLLI, SRLI, SRAI, SLLIW, SRLIW, SRAIW, RORI, RORIW, BCLRI, BEXTI, BINVI, BSETI, SLLI_UW ->
                    m + " " + x(rd) + "," + x(rs1) + "," + hex(imm);
            case ADDI, SLTI, SLTIU, XORI, ORI, ANDI, ADDIW -> m + " " + x(rd) + "," + x(rs1) + "," + imm;
            case CLZ, CTZ, CPOP, CLZW, CTZW, CPOPW, SEXT_B, SEXT_H, ZEXT_H, ORC_B, REV8 -> m + " " + x(rd) + "," + x(rs1);
            case FENCE -> m + " " + fence((int) imm >>> 4 & 0xf) + "," + fence((int) imm & 0xf);
            case FENCE_I, ECALL, EBREAK, MRET, SRET, WFI -> m;
            case SFENCE_VMA -> m + " " + x(rs1) + "," + x(rs2);
            case CSRRW, CSRRS, CSRRC -> m + " " + x(rd) + "," + csrName((int) imm) + "," + x(rs1);
            case CSRRWI, CSRRSI, CSRRCI -> m + " " + x(rd) + "," + csrName((int) imm) + "," + rs1;
            case LR_W, LR_D -> m + aqrl(imm) + " " + x(rd) + ",(" + x(rs1) + ")";
            case SC_W, SC_D, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W,
                    AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D, AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D ->
                    m + aqrl(imm) + " " + x(rd) + "," + x(rs2) + ",(" + x(rs1) + ")";
            case FADD_S, FSUB_S, FMUL_S, FDIV_S, FADD_D, FSUB_D, FMUL_D, FDIV_D ->
                    m + " " + f(rd) + "," + f(rs1) + "," + f(rs2) + rmSuffix;
            case FSQRT_S, FSQRT_D, FCVT_S_D -> m + " " + f(rd) + "," + f(rs1) + rmSuffix;
            case FCVT_D_S -> m + " " + f(rd) + "," + f(rs1);
            case FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D ->
                    m + " " + f(rd) + "," + f(rs1) + "," + f(rs2) + "," + f(i.raw() >>> 27) + rmSuffix;
            case FSGNJ_S, FSGNJN_S, FSGNJX_S, FSGNJ_D, FSGNJN_D, FSGNJX_D, FMIN_S, FMAX_S, FMIN_D, FMAX_D ->
                    m + " " + f(rd) + "," + f(rs1) + "," + f(rs2);
            case FEQ_S, FLT_S, FLE_S, FEQ_D, FLT_D, FLE_D -> m + " " + x(rd) + "," + f(rs1) + "," + f(rs2);
            case FCLASS_S, FCLASS_D, FMV_X_W, FMV_X_D -> m + " " + x(rd) + "," + f(rs1);
            case FCVT_W_S, FCVT_WU_S, FCVT_L_S, FCVT_LU_S, FCVT_W_D, FCVT_WU_D, FCVT_L_D, FCVT_LU_D ->
                    m + " " + x(rd) + "," + f(rs1) + rmSuffix;
            case FCVT_S_W, FCVT_S_WU, FCVT_S_L, FCVT_S_LU, FCVT_D_L, FCVT_D_LU -> m + " " + f(rd) + "," + x(rs1) + rmSuffix;
            case FCVT_D_W, FCVT_D_WU, FMV_W_X, FMV_D_X -> m + " " + f(rd) + "," + x(rs1);
            default -> m + " " + x(rd) + "," + x(rs1) + "," + x(rs2);
        };
    }

    private static String aqrl(long bits) {
        return switch ((int) bits & 3) {
            case 2 -> ".aq";
            case 1 -> ".rl";
            case 3 -> ".aqrl";
            default -> "";
        };
    }

    /** Compressed instructions under the names objdump gives them, from their bits. */
    private static String compressed(Insn i, long pc) {
        int raw = i.raw() & 0xffff;
        int quadrant = raw & 3;
        int f3 = raw >>> 13;
        int rd = i.rd();
        int rs1 = i.rs1();
        int rs2 = i.rs2();
        long imm = i.imm();
        return switch (quadrant) {
            case 0 -> switch (f3) {
                case 0 -> "c.addi4spn " + x(rd) + ",sp," + imm;
                case 1 -> "c.fld " + f(rd) + "," + imm + "(" + x(rs1) + ")";
                case 2 -> "c.lw " + x(rd) + "," + imm + "(" + x(rs1) + ")";
                case 3 -> "c.ld " + x(rd) + "," + imm + "(" + x(rs1) + ")";
                case 5 -> "c.fsd " + f(rs2) + "," + imm + "(" + x(rs1) + ")";
                case 6 -> "c.sw " + x(rs2) + "," + imm + "(" + x(rs1) + ")";
                default -> "c.sd " + x(rs2) + "," + imm + "(" + x(rs1) + ")";
            };
            case 1 -> switch (f3) {
                case 0 -> "c.addi " + x(rd) + "," + imm;
                case 1 -> "c.addiw " + x(rd) + "," + imm;
                case 2 -> "c.li " + x(rd) + "," + imm;
                case 3 -> rd == 2 ? "c.addi16sp sp," + imm : "c.lui " + x(rd) + "," + hex((imm >>> 12) & 0xfffff);
                case 4 -> switch (i.op()) {
                    case SRLI -> "c.srli " + x(rd) + "," + hex(imm);
                    case SRAI -> "c.srai " + x(rd) + "," + hex(imm);
                    case ANDI -> "c.andi " + x(rd) + "," + imm;
                    default -> "c." + i.op().mnemonic() + " " + x(rd) + "," + x(rs2);
                };
                case 5 -> "c.j " + Long.toHexString(pc + imm);
                case 6 -> "c.beqz " + x(rs1) + "," + Long.toHexString(pc + imm);
                default -> "c.bnez " + x(rs1) + "," + Long.toHexString(pc + imm);
            };
            default -> switch (f3) {
                case 0 -> "c.slli " + x(rd) + "," + hex(imm);
                case 1 -> "c.fldsp " + f(rd) + "," + imm + "(sp)";
                case 2 -> "c.lwsp " + x(rd) + "," + imm + "(sp)";
                case 3 -> "c.ldsp " + x(rd) + "," + imm + "(sp)";
                case 4 -> switch (i.op()) {
                    case EBREAK -> "c.ebreak";
                    case JALR -> (rd == 0 ? "c.jr " : "c.jalr ") + x(rs1);
                    default -> (rs1 == 0 ? "c.mv " : "c.add ") + x(rd) + "," + x(rs2);
                };
                case 5 -> "c.fsdsp " + f(rs2) + "," + imm + "(sp)";
                case 6 -> "c.swsp " + x(rs2) + "," + imm + "(sp)";
                default -> "c.sdsp " + x(rs2) + "," + imm + "(sp)";
            };
        };
    }
}
