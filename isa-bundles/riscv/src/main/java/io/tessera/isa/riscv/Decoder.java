package io.tessera.isa.riscv;

/**
 * The one RISC-V decoder: turns instruction bits into {@link Insn}s for the interpreter, the
 * translator and the disassembler. Compressed instructions decode straight to the operation
 * they stand for, with length 2. Encodings follow the unprivileged specification (20191213)
 * and the Zba/Zbb/Zbs 1.0 and Zicond 1.0 extensions.
 */
public final class Decoder {

    private Decoder() {
    }

    /** @return whether {@code lowHalf} starts a 32-bit instruction (otherwise it is compressed) */
    public static boolean isFullLength(int lowHalf) {
        return (lowHalf & 0b11) == 0b11;
    }

    /** Decodes a 32-bit instruction, or a compressed one in the low 16 bits. */
    public static Insn decode(int raw) {
        return isFullLength(raw) ? decode32(raw) : decode16(raw & 0xffff);
    }

    private static int rd(int raw) {
        return (raw >>> 7) & 0x1f;
    }

    private static int rs1(int raw) {
        return (raw >>> 15) & 0x1f;
    }

    private static int rs2(int raw) {
        return (raw >>> 20) & 0x1f;
    }

    private static int funct3(int raw) {
        return (raw >>> 12) & 7;
    }

    private static int funct7(int raw) {
        return raw >>> 25;
    }

    private static long immI(int raw) {
        return raw >> 20;
    }

    private static long immS(int raw) {
        return ((raw >> 25) << 5) | ((raw >>> 7) & 0x1f);
    }

    private static long immB(int raw) {
        return ((raw >> 31) << 12) | (((raw >>> 7) & 1) << 11) | (((raw >>> 25) & 0x3f) << 5) | (((raw >>> 8) & 0xf) << 1);
    }

    private static long immU(int raw) {
        return raw & 0xfffff000;
    }

    private static long immJ(int raw) {
        return ((raw >> 31) << 20) | (raw & 0xff000) | (((raw >>> 20) & 1) << 11) | (((raw >>> 21) & 0x3ff) << 1);
    }

    private static Insn r(Op op, int raw) {
        return new Insn(op, rd(raw), rs1(raw), rs2(raw), 0, 4, raw);
    }

    private static Insn i(Op op, int raw, long imm) {
        return new Insn(op, rd(raw), rs1(raw), 0, imm, 4, raw);
    }

    private static Insn illegal(int raw) {
        return Insn.illegal(raw, 4);
    }

    static Insn decode32(int raw) {
        int f3 = funct3(raw);
        int f7 = funct7(raw);
        switch (raw & 0x7f) {
            case 0x37: return new Insn(Op.LUI, rd(raw), 0, 0, immU(raw), 4, raw);
            case 0x17: return new Insn(Op.AUIPC, rd(raw), 0, 0, immU(raw), 4, raw);
            case 0x6f: return new Insn(Op.JAL, rd(raw), 0, 0, immJ(raw), 4, raw);
            case 0x67: return f3 == 0 ? i(Op.JALR, raw, immI(raw)) : illegal(raw);
            case 0x63: {
                Op op = switch (f3) {
                    case 0 -> Op.BEQ;
                    case 1 -> Op.BNE;
                    case 4 -> Op.BLT;
                    case 5 -> Op.BGE;
                    case 6 -> Op.BLTU;
                    case 7 -> Op.BGEU;
                    default -> null;
                };
                return op == null ? illegal(raw) : new Insn(op, 0, rs1(raw), rs2(raw), immB(raw), 4, raw);
            }
            case 0x03: {
                Op op = switch (f3) {
                    case 0 -> Op.LB;
                    case 1 -> Op.LH;
                    case 2 -> Op.LW;
                    case 3 -> Op.LD;
                    case 4 -> Op.LBU;
                    case 5 -> Op.LHU;
                    case 6 -> Op.LWU;
                    default -> null;
                };
                return op == null ? illegal(raw) : i(op, raw, immI(raw));
            }
            case 0x23: {
                Op op = switch (f3) {
                    case 0 -> Op.SB;
                    case 1 -> Op.SH;
                    case 2 -> Op.SW;
                    case 3 -> Op.SD;
                    default -> null;
                };
                return op == null ? illegal(raw) : new Insn(op, 0, rs1(raw), rs2(raw), immS(raw), 4, raw);
            }
            case 0x13: return opImm(raw, f3);
            case 0x1b: return opImm32(raw, f3, f7);
            case 0x33: return op(raw, f3, f7);
            case 0x3b: return op32(raw, f3, f7);
            case 0x0f:
                if (f3 == 0) {
                    return i(Op.FENCE, raw, immI(raw) & 0xfff);
                }
                return f3 == 1 ? i(Op.FENCE_I, raw, 0) : illegal(raw);
            case 0x73: return system(raw, f3, f7);
            case 0x2f: return amo(raw, f3);
            case 0x07:
                return f3 == 2 ? i(Op.FLW, raw, immI(raw)) : f3 == 3 ? i(Op.FLD, raw, immI(raw)) : illegal(raw);
            case 0x27:
                return f3 == 2 ? new Insn(Op.FSW, 0, rs1(raw), rs2(raw), immS(raw), 4, raw)
                        : f3 == 3 ? new Insn(Op.FSD, 0, rs1(raw), rs2(raw), immS(raw), 4, raw) : illegal(raw);
            case 0x43, 0x47, 0x4b, 0x4f: return fused(raw);
            case 0x53: return opFp(raw, f3, f7);
            default: return illegal(raw);
        }
    }

    private static Insn opImm(int raw, int f3) {
        int shamt = (raw >>> 20) & 0x3f;
        int f6 = raw >>> 26;
        int imm12 = (raw >>> 20) & 0xfff;
        return switch (f3) {
            case 0 -> i(Op.ADDI, raw, immI(raw));
            case 2 -> i(Op.SLTI, raw, immI(raw));
            case 3 -> i(Op.SLTIU, raw, immI(raw));
            case 4 -> i(Op.XORI, raw, immI(raw));
            case 6 -> i(Op.ORI, raw, immI(raw));
            case 7 -> i(Op.ANDI, raw, immI(raw));
            case 1 -> switch (f6) {
                case 0x00 -> i(Op.SLLI, raw, shamt);
                case 0x0a -> i(Op.BSETI, raw, shamt);
                case 0x12 -> i(Op.BCLRI, raw, shamt);
                case 0x1a -> i(Op.BINVI, raw, shamt);
                case 0x18 -> switch (imm12) {
                    case 0x600 -> i(Op.CLZ, raw, 0);
                    case 0x601 -> i(Op.CTZ, raw, 0);
                    case 0x602 -> i(Op.CPOP, raw, 0);
                    case 0x604 -> i(Op.SEXT_B, raw, 0);
                    case 0x605 -> i(Op.SEXT_H, raw, 0);
                    default -> illegal(raw);
                };
                default -> illegal(raw);
            };
            case 5 -> switch (f6) {
                case 0x00 -> i(Op.SRLI, raw, shamt);
                case 0x10 -> i(Op.SRAI, raw, shamt);
                case 0x18 -> i(Op.RORI, raw, shamt);
                case 0x12 -> i(Op.BEXTI, raw, shamt);
                default -> imm12 == 0x287 ? i(Op.ORC_B, raw, 0) : imm12 == 0x6b8 ? i(Op.REV8, raw, 0) : illegal(raw);
            };
            default -> illegal(raw);
        };
    }

    private static Insn opImm32(int raw, int f3, int f7) {
        int shamt = (raw >>> 20) & 0x1f;
        return switch (f3) {
            case 0 -> i(Op.ADDIW, raw, immI(raw));
            case 1 -> switch (f7) {
                case 0x00 -> i(Op.SLLIW, raw, shamt);
                case 0x04, 0x05 -> i(Op.SLLI_UW, raw, (raw >>> 20) & 0x3f);
                case 0x30 -> switch (rs2(raw)) {
                    case 0 -> i(Op.CLZW, raw, 0);
                    case 1 -> i(Op.CTZW, raw, 0);
                    case 2 -> i(Op.CPOPW, raw, 0);
                    default -> illegal(raw);
                };
                default -> illegal(raw);
            };
            case 5 -> switch (f7) {
                case 0x00 -> i(Op.SRLIW, raw, shamt);
                case 0x20 -> i(Op.SRAIW, raw, shamt);
                case 0x30 -> i(Op.RORIW, raw, shamt);
                default -> illegal(raw);
            };
            default -> illegal(raw);
        };
    }

    private static Insn op(int raw, int f3, int f7) {
        Op op = switch (f7) {
            case 0x00 -> switch (f3) {
                case 0 -> Op.ADD;
                case 1 -> Op.SLL;
                case 2 -> Op.SLT;
                case 3 -> Op.SLTU;
                case 4 -> Op.XOR;
                case 5 -> Op.SRL;
                case 6 -> Op.OR;
                default -> Op.AND;
            };
            case 0x20 -> switch (f3) {
                case 0 -> Op.SUB;
                case 5 -> Op.SRA;
                case 4 -> Op.XNOR;
                case 6 -> Op.ORN;
                case 7 -> Op.ANDN;
                default -> null;
            };
            case 0x01 -> switch (f3) {
                case 0 -> Op.MUL;
                case 1 -> Op.MULH;
                case 2 -> Op.MULHSU;
                case 3 -> Op.MULHU;
                case 4 -> Op.DIV;
                case 5 -> Op.DIVU;
                case 6 -> Op.REM;
                default -> Op.REMU;
            };
            case 0x10 -> switch (f3) {
                case 2 -> Op.SH1ADD;
                case 4 -> Op.SH2ADD;
                case 6 -> Op.SH3ADD;
                default -> null;
            };
            case 0x05 -> switch (f3) {
                case 4 -> Op.MIN;
                case 5 -> Op.MINU;
                case 6 -> Op.MAX;
                case 7 -> Op.MAXU;
                default -> null;
            };
            case 0x30 -> f3 == 1 ? Op.ROL : f3 == 5 ? Op.ROR : null;
            case 0x24 -> f3 == 1 ? Op.BCLR : f3 == 5 ? Op.BEXT : null;
            case 0x14 -> f3 == 1 ? Op.BSET : null;
            case 0x34 -> f3 == 1 ? Op.BINV : null;
            case 0x07 -> f3 == 5 ? Op.CZERO_EQZ : f3 == 7 ? Op.CZERO_NEZ : null;
            default -> null;
        };
        return op == null ? illegal(raw) : r(op, raw);
    }

    private static Insn op32(int raw, int f3, int f7) {
        Op op = switch (f7) {
            case 0x00 -> switch (f3) {
                case 0 -> Op.ADDW;
                case 1 -> Op.SLLW;
                case 5 -> Op.SRLW;
                default -> null;
            };
            case 0x20 -> f3 == 0 ? Op.SUBW : f3 == 5 ? Op.SRAW : null;
            case 0x01 -> switch (f3) {
                case 0 -> Op.MULW;
                case 4 -> Op.DIVW;
                case 5 -> Op.DIVUW;
                case 6 -> Op.REMW;
                case 7 -> Op.REMUW;
                default -> null;
            };
            case 0x04 -> f3 == 0 ? Op.ADD_UW : f3 == 4 && rs2(raw) == 0 ? Op.ZEXT_H : null;
            case 0x10 -> switch (f3) {
                case 2 -> Op.SH1ADD_UW;
                case 4 -> Op.SH2ADD_UW;
                case 6 -> Op.SH3ADD_UW;
                default -> null;
            };
            case 0x30 -> f3 == 1 ? Op.ROLW : f3 == 5 ? Op.RORW : null;
            default -> null;
        };
        return op == null ? illegal(raw) : r(op, raw);
    }

    private static Insn system(int raw, int f3, int f7) {
        int csr = (raw >>> 20) & 0xfff;
        switch (f3) {
            case 0:
                if (rd(raw) != 0) {
                    return illegal(raw);
                }
                if (f7 == 0x09) {
                    return r(Op.SFENCE_VMA, raw);
                }
                if (rs1(raw) != 0) {
                    return illegal(raw);
                }
                return switch (csr) {
                    case 0x000 -> i(Op.ECALL, raw, 0);
                    case 0x001 -> i(Op.EBREAK, raw, 0);
                    case 0x102 -> i(Op.SRET, raw, 0);
                    case 0x302 -> i(Op.MRET, raw, 0);
                    case 0x105 -> i(Op.WFI, raw, 0);
                    default -> illegal(raw);
                };
            case 1: return i(Op.CSRRW, raw, csr);
            case 2: return i(Op.CSRRS, raw, csr);
            case 3: return i(Op.CSRRC, raw, csr);
            case 5: return i(Op.CSRRWI, raw, csr);
            case 6: return i(Op.CSRRSI, raw, csr);
            case 7: return i(Op.CSRRCI, raw, csr);
            default: return illegal(raw);
        }
    }

    private static Insn amo(int raw, int f3) {
        if (f3 != 2 && f3 != 3) {
            return illegal(raw);
        }
        boolean w = f3 == 2;
        int f5 = raw >>> 27;
        Op op = switch (f5) {
            case 0x02 -> rs2(raw) == 0 ? (w ? Op.LR_W : Op.LR_D) : null;
            case 0x03 -> w ? Op.SC_W : Op.SC_D;
            case 0x01 -> w ? Op.AMOSWAP_W : Op.AMOSWAP_D;
            case 0x00 -> w ? Op.AMOADD_W : Op.AMOADD_D;
            case 0x04 -> w ? Op.AMOXOR_W : Op.AMOXOR_D;
            case 0x0c -> w ? Op.AMOAND_W : Op.AMOAND_D;
            case 0x08 -> w ? Op.AMOOR_W : Op.AMOOR_D;
            case 0x10 -> w ? Op.AMOMIN_W : Op.AMOMIN_D;
            case 0x14 -> w ? Op.AMOMAX_W : Op.AMOMAX_D;
            case 0x18 -> w ? Op.AMOMINU_W : Op.AMOMINU_D;
            case 0x1c -> w ? Op.AMOMAXU_W : Op.AMOMAXU_D;
            default -> null;
        };
        // aq/rl (bits 26, 25) are kept in imm for the translator's fences.
        return op == null ? illegal(raw) : new Insn(op, rd(raw), rs1(raw), rs2(raw), (raw >>> 25) & 3, 4, raw);
    }

    /** R4-type fused multiply-add; rs3 is {@code raw >>> 27}, the rounding mode is in imm. */
    private static Insn fused(int raw) {
        int fmt = (raw >>> 25) & 3;
        if (fmt > 1) {
            return illegal(raw);
        }
        boolean d = fmt == 1;
        Op op = switch (raw & 0x7f) {
            case 0x43 -> d ? Op.FMADD_D : Op.FMADD_S;
            case 0x47 -> d ? Op.FMSUB_D : Op.FMSUB_S;
            case 0x4b -> d ? Op.FNMSUB_D : Op.FNMSUB_S;
            default -> d ? Op.FNMADD_D : Op.FNMADD_S;
        };
        return new Insn(op, rd(raw), rs1(raw), rs2(raw), funct3(raw), 4, raw);
    }

    private static Insn opFp(int raw, int rm, int f7) {
        int fmt = f7 & 3;
        if (fmt > 1) {
            return illegal(raw);
        }
        boolean d = fmt == 1;
        int rs2 = rs2(raw);
        Op op = switch (f7 >>> 2) {
            case 0x00 -> d ? Op.FADD_D : Op.FADD_S;
            case 0x01 -> d ? Op.FSUB_D : Op.FSUB_S;
            case 0x02 -> d ? Op.FMUL_D : Op.FMUL_S;
            case 0x03 -> d ? Op.FDIV_D : Op.FDIV_S;
            case 0x0b -> rs2 == 0 ? (d ? Op.FSQRT_D : Op.FSQRT_S) : null;
            case 0x04 -> switch (rm) {
                case 0 -> d ? Op.FSGNJ_D : Op.FSGNJ_S;
                case 1 -> d ? Op.FSGNJN_D : Op.FSGNJN_S;
                case 2 -> d ? Op.FSGNJX_D : Op.FSGNJX_S;
                default -> null;
            };
            case 0x05 -> rm == 0 ? (d ? Op.FMIN_D : Op.FMIN_S) : rm == 1 ? (d ? Op.FMAX_D : Op.FMAX_S) : null;
            case 0x08 -> d ? (rs2 == 0 ? Op.FCVT_D_S : null) : (rs2 == 1 ? Op.FCVT_S_D : null);
            case 0x14 -> switch (rm) {
                case 0 -> d ? Op.FLE_D : Op.FLE_S;
                case 1 -> d ? Op.FLT_D : Op.FLT_S;
                case 2 -> d ? Op.FEQ_D : Op.FEQ_S;
                default -> null;
            };
            case 0x18 -> switch (rs2) {
                case 0 -> d ? Op.FCVT_W_D : Op.FCVT_W_S;
                case 1 -> d ? Op.FCVT_WU_D : Op.FCVT_WU_S;
                case 2 -> d ? Op.FCVT_L_D : Op.FCVT_L_S;
                case 3 -> d ? Op.FCVT_LU_D : Op.FCVT_LU_S;
                default -> null;
            };
            case 0x1a -> switch (rs2) {
                case 0 -> d ? Op.FCVT_D_W : Op.FCVT_S_W;
                case 1 -> d ? Op.FCVT_D_WU : Op.FCVT_S_WU;
                case 2 -> d ? Op.FCVT_D_L : Op.FCVT_S_L;
                case 3 -> d ? Op.FCVT_D_LU : Op.FCVT_S_LU;
                default -> null;
            };
            case 0x1c -> rs2 != 0 ? null : rm == 0 ? (d ? Op.FMV_X_D : Op.FMV_X_W) : rm == 1 ? (d ? Op.FCLASS_D : Op.FCLASS_S) : null;
            case 0x1e -> rs2 == 0 && rm == 0 ? (d ? Op.FMV_D_X : Op.FMV_W_X) : null;
            default -> null;
        };
        return op == null ? illegal(raw) : new Insn(op, rd(raw), rs1(raw), rs2, rm, 4, raw);
    }

    // ---- compressed (RVC, RV64) ----

    private static int bit(int raw, int n) {
        return (raw >>> n) & 1;
    }

    private static int bits(int raw, int hi, int lo) {
        return (raw >>> lo) & ((1 << (hi - lo + 1)) - 1);
    }

    private static long sext(long value, int width) {
        int shift = 64 - width;
        return (value << shift) >> shift;
    }

    private static Insn c(Op op, int rd, int rs1, int rs2, long imm, int raw) {
        return new Insn(op, rd, rs1, rs2, imm, 2, raw);
    }

    static Insn decode16(int raw) {
        int f3 = bits(raw, 15, 13);
        int rdp = bits(raw, 4, 2) + 8;
        int rs1p = bits(raw, 9, 7) + 8;
        int rd = bits(raw, 11, 7);
        int rs2 = bits(raw, 6, 2);
        long imm6 = sext((bit(raw, 12) << 5) | bits(raw, 6, 2), 6);
        switch (raw & 3) {
            case 0:
                switch (f3) {
                    case 0: {
                        int nzuimm = (bits(raw, 12, 11) << 4) | (bits(raw, 10, 7) << 6) | (bit(raw, 6) << 2) | (bit(raw, 5) << 3);
                        return nzuimm == 0 ? Insn.illegal(raw, 2) : c(Op.ADDI, rdp, 2, 0, nzuimm, raw);
                    }
                    case 2: {
                        int off = (bits(raw, 12, 10) << 3) | (bit(raw, 6) << 2) | (bit(raw, 5) << 6);
                        return c(Op.LW, rdp, rs1p, 0, off, raw);
                    }
                    case 3: {
                        int off = (bits(raw, 12, 10) << 3) | (bits(raw, 6, 5) << 6);
                        return c(Op.LD, rdp, rs1p, 0, off, raw);
                    }
                    case 6: {
                        int off = (bits(raw, 12, 10) << 3) | (bit(raw, 6) << 2) | (bit(raw, 5) << 6);
                        return c(Op.SW, 0, rs1p, rdp, off, raw);
                    }
                    case 7: {
                        int off = (bits(raw, 12, 10) << 3) | (bits(raw, 6, 5) << 6);
                        return c(Op.SD, 0, rs1p, rdp, off, raw);
                    }
                    case 1: {
                        int off = (bits(raw, 12, 10) << 3) | (bits(raw, 6, 5) << 6);
                        return c(Op.FLD, rdp, rs1p, 0, off, raw);
                    }
                    case 5: {
                        int off = (bits(raw, 12, 10) << 3) | (bits(raw, 6, 5) << 6);
                        return c(Op.FSD, 0, rs1p, rdp, off, raw);
                    }
                    default:
                        return Insn.illegal(raw, 2);
                }
            case 1:
                switch (f3) {
                    case 0: return c(Op.ADDI, rd, rd, 0, imm6, raw);
                    case 1: return rd == 0 ? Insn.illegal(raw, 2) : c(Op.ADDIW, rd, rd, 0, imm6, raw);
                    case 2: return c(Op.ADDI, rd, 0, 0, imm6, raw);
                    case 3:
                        if (rd == 2) {
                            long imm = sext((bit(raw, 12) << 9) | (bit(raw, 6) << 4) | (bit(raw, 5) << 6)
                                    | (bits(raw, 4, 3) << 7) | (bit(raw, 2) << 5), 10);
                            return imm == 0 ? Insn.illegal(raw, 2) : c(Op.ADDI, 2, 2, 0, imm, raw);
                        }
                        return imm6 == 0 ? Insn.illegal(raw, 2) : c(Op.LUI, rd, 0, 0, imm6 << 12, raw);
                    case 4: {
                        int shamt = (bit(raw, 12) << 5) | bits(raw, 6, 2);
                        switch (bits(raw, 11, 10)) {
                            case 0: return c(Op.SRLI, rs1p, rs1p, 0, shamt, raw);
                            case 1: return c(Op.SRAI, rs1p, rs1p, 0, shamt, raw);
                            case 2: return c(Op.ANDI, rs1p, rs1p, 0, imm6, raw);
                            default: {
                                int rs2p = bits(raw, 4, 2) + 8;
                                int sel = bits(raw, 6, 5);
                                Op op = bit(raw, 12) == 0
                                        ? switch (sel) {
                                            case 0 -> Op.SUB;
                                            case 1 -> Op.XOR;
                                            case 2 -> Op.OR;
                                            default -> Op.AND;
                                        }
                                        : switch (sel) {
                                            case 0 -> Op.SUBW;
                                            case 1 -> Op.ADDW;
                                            default -> null;
                                        };
                                return op == null ? Insn.illegal(raw, 2) : c(op, rs1p, rs1p, rs2p, 0, raw);
                            }
                        }
                    }
                    case 5: {
                        long imm = sext((bit(raw, 12) << 11) | (bit(raw, 11) << 4) | (bits(raw, 10, 9) << 8)
                                | (bit(raw, 8) << 10) | (bit(raw, 7) << 6) | (bit(raw, 6) << 7)
                                | (bits(raw, 5, 3) << 1) | (bit(raw, 2) << 5), 12);
                        return c(Op.JAL, 0, 0, 0, imm, raw);
                    }
                    default: {
                        long imm = sext((bit(raw, 12) << 8) | (bits(raw, 11, 10) << 3) | (bits(raw, 6, 5) << 6)
                                | (bits(raw, 4, 3) << 1) | (bit(raw, 2) << 5), 9);
                        return c(f3 == 6 ? Op.BEQ : Op.BNE, 0, rs1p, 0, imm, raw);
                    }
                }
            case 2:
                switch (f3) {
                    case 0: return c(Op.SLLI, rd, rd, 0, (bit(raw, 12) << 5) | bits(raw, 6, 2), raw);
                    case 2: {
                        int off = (bit(raw, 12) << 5) | (bits(raw, 6, 4) << 2) | (bits(raw, 3, 2) << 6);
                        return rd == 0 ? Insn.illegal(raw, 2) : c(Op.LW, rd, 2, 0, off, raw);
                    }
                    case 3: {
                        int off = (bit(raw, 12) << 5) | (bits(raw, 6, 5) << 3) | (bits(raw, 4, 2) << 6);
                        return rd == 0 ? Insn.illegal(raw, 2) : c(Op.LD, rd, 2, 0, off, raw);
                    }
                    case 4:
                        if (bit(raw, 12) == 0) {
                            if (rs2 == 0) {
                                return rd == 0 ? Insn.illegal(raw, 2) : c(Op.JALR, 0, rd, 0, 0, raw);
                            }
                            return c(Op.ADD, rd, 0, rs2, 0, raw);
                        }
                        if (rs2 == 0) {
                            return rd == 0 ? c(Op.EBREAK, 0, 0, 0, 0, raw) : c(Op.JALR, 1, rd, 0, 0, raw);
                        }
                        return c(Op.ADD, rd, rd, rs2, 0, raw);
                    case 6: {
                        int off = (bits(raw, 12, 9) << 2) | (bits(raw, 8, 7) << 6);
                        return c(Op.SW, 0, 2, rs2, off, raw);
                    }
                    case 7: {
                        int off = (bits(raw, 12, 10) << 3) | (bits(raw, 9, 7) << 6);
                        return c(Op.SD, 0, 2, rs2, off, raw);
                    }
                    case 1: {
                        int off = (bit(raw, 12) << 5) | (bits(raw, 6, 5) << 3) | (bits(raw, 4, 2) << 6);
                        return c(Op.FLD, rd, 2, 0, off, raw);
                    }
                    case 5: {
                        int off = (bits(raw, 12, 10) << 3) | (bits(raw, 9, 7) << 6);
                        return c(Op.FSD, 0, 2, rs2, off, raw);
                    }
                    default:
                        return Insn.illegal(raw, 2);
                }
            default:
                return Insn.illegal(raw, 2);
        }
    }
}
