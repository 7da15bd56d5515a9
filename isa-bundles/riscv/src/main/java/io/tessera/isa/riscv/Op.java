package io.tessera.isa.riscv;

/**
 * Every RISC-V operation the decoder knows, one constant per mnemonic (objdump's spelling,
 * dots as underscores). Compressed instructions decode to the operation they expand to.
 */
public enum Op {
    ILLEGAL,
    // RV64I
    LUI, AUIPC, JAL, JALR,
    BEQ, BNE, BLT, BGE, BLTU, BGEU,
    LB, LH, LW, LD, LBU, LHU, LWU,
    SB, SH, SW, SD,
    ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
    ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
    ADDIW, SLLIW, SRLIW, SRAIW, ADDW, SUBW, SLLW, SRLW, SRAW,
    FENCE, FENCE_I, ECALL, EBREAK,
    // Zicsr
    CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
    // privileged
    MRET, SRET, WFI, SFENCE_VMA,
    // M
    MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU, MULW, DIVW, DIVUW, REMW, REMUW,
    // A
    LR_W, SC_W, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W,
    LR_D, SC_D, AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D, AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D,
    // Zba
    SH1ADD, SH2ADD, SH3ADD, ADD_UW, SH1ADD_UW, SH2ADD_UW, SH3ADD_UW, SLLI_UW,
    // Zbb
    ANDN, ORN, XNOR, CLZ, CTZ, CPOP, CLZW, CTZW, CPOPW, MAX, MAXU, MIN, MINU, SEXT_B, SEXT_H, ZEXT_H,
    ROL, ROR, RORI, ROLW, RORW, RORIW, ORC_B, REV8,
    // Zbs
    BCLR, BCLRI, BEXT, BEXTI, BINV, BINVI, BSET, BSETI,
    // Zicond
    CZERO_EQZ, CZERO_NEZ,
    // F and D: loads, stores, moves and sign injection
    FLW, FLD, FSW, FSD,
    FSGNJ_S, FSGNJN_S, FSGNJX_S, FSGNJ_D, FSGNJN_D, FSGNJX_D,
    FMV_X_W, FMV_W_X, FMV_X_D, FMV_D_X, FCLASS_S, FCLASS_D,
    // F and D: arithmetic (rounding mode in imm), comparisons, conversions
    FADD_S, FSUB_S, FMUL_S, FDIV_S, FSQRT_S, FMIN_S, FMAX_S,
    FADD_D, FSUB_D, FMUL_D, FDIV_D, FSQRT_D, FMIN_D, FMAX_D,
    FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D,
    FEQ_S, FLT_S, FLE_S, FEQ_D, FLT_D, FLE_D,
    FCVT_W_S, FCVT_WU_S, FCVT_L_S, FCVT_LU_S, FCVT_S_W, FCVT_S_WU, FCVT_S_L, FCVT_S_LU,
    FCVT_W_D, FCVT_WU_D, FCVT_L_D, FCVT_LU_D, FCVT_D_W, FCVT_D_WU, FCVT_D_L, FCVT_D_LU,
    FCVT_S_D, FCVT_D_S;

    private final String mnemonic = name().toLowerCase(java.util.Locale.ROOT).replace('_', '.');

    /** @return the mnemonic as objdump prints it */
    public String mnemonic() {
        return mnemonic;
    }
}
