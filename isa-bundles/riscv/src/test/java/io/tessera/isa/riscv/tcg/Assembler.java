package io.tessera.isa.riscv.tcg;

import java.io.ByteArrayOutputStream;

/** Encodes the few RV64 instructions the translator's tests run (32-bit forms only). */
final class Assembler {
    private final ByteArrayOutputStream code = new ByteArrayOutputStream();
    private final long base;

    Assembler(long base) {
        this.base = base;
    }

    /** @return the address of the next instruction */
    long here() {
        return base + code.size();
    }

    byte[] bytes() {
        return code.toByteArray();
    }

    Assembler emit(int insn) {
        for (int i = 0; i < 4; i++) {
            code.write(insn >>> (8 * i));
        }
        return this;
    }

    static int iType(int opcode, int f3, int rd, int rs1, long imm) {
        return (int) (imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
    }

    static int addi(int rd, int rs1, long imm) {
        return iType(0x13, 0, rd, rs1, imm);
    }

    static int ld(int rd, int rs1, long imm) {
        return iType(0x03, 3, rd, rs1, imm);
    }

    static int sw(int rs2, int rs1, long imm) {
        return (int) ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | 2 << 12 | (int) (imm & 0x1f) << 7 | 0x23;
    }

    static int branch(int f3, int rs1, int rs2, long offset) {
        int imm = (int) offset;
        return ((imm >> 12) & 1) << 31 | ((imm >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | ((imm >> 1) & 0xf) << 8
                | ((imm >> 11) & 1) << 7 | 0x63;
    }

    static int bne(int rs1, int rs2, long offset) {
        return branch(1, rs1, rs2, offset);
    }

    static int jal(int rd, long offset) {
        int imm = (int) offset;
        return ((imm >> 20) & 1) << 31 | ((imm >> 1) & 0x3ff) << 21 | ((imm >> 11) & 1) << 20 | ((imm >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
    }

    static int jalr(int rd, int rs1, long imm) {
        return iType(0x67, 0, rd, rs1, imm);
    }

    static final int ECALL = 0x73;
}
