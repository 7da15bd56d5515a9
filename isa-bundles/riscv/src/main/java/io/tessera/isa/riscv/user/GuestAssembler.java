package io.tessera.isa.riscv.user;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes RV64GC instructions (with Zba, Zbb, Zbs and Zicond) into guest code at a fixed base
 * address, for the guest programs Tessera makes itself ({@link TrainingProgram}). Branches and
 * jumps name labels, which may be bound after their use; {@link #code()} resolves them. Only
 * what those programs need is here: the instruction formats in general, and a name for each
 * instruction they use.
 */
final class GuestAssembler {

    // Integer registers by their ABI names.
    static final int ZERO = 0, RA = 1, SP = 2, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9, A0 = 10, A1 = 11, A2 = 12, A3 = 13,
            A4 = 14, A5 = 15, A6 = 16, A7 = 17, S2 = 18, S3 = 19, S4 = 20, S5 = 21, T3 = 28, T4 = 29, T5 = 30, T6 = 31;

    private static final int LOAD = 0x03, LOAD_FP = 0x07, MISC_MEM = 0x0f, OP_IMM = 0x13, OP_IMM_32 = 0x1b, STORE = 0x23,
            STORE_FP = 0x27, AMO = 0x2f, OP = 0x33, LUI = 0x37, OP_32 = 0x3b, MADD = 0x43, OP_FP = 0x53, BRANCH = 0x63,
            JALR = 0x67, JAL = 0x6f, SYSTEM = 0x73;
    /** Floating-point formats (the fmt field) and the dynamic rounding mode. */
    static final int SINGLE = 0, DOUBLE = 1, DYN = 7;

    private record Fixup(int at, String label, boolean jump) {
    }

    private final long base;
    private final ByteArrayOutputStream code = new ByteArrayOutputStream();
    private final Map<String, Integer> labels = new HashMap<>();
    private final List<Fixup> fixups = new ArrayList<>();

    GuestAssembler(long base) {
        this.base = base;
    }

    /** @return the guest address of the next instruction */
    long here() {
        return base + code.size();
    }

    /** Binds {@code label} to the next instruction. */
    GuestAssembler label(String label) {
        if (labels.putIfAbsent(label, code.size()) != null) {
            throw new IllegalStateException("label '" + label + "' bound twice");
        }
        return this;
    }

    /** @return the code, with every branch and jump resolved */
    byte[] code() {
        byte[] bytes = code.toByteArray();
        for (Fixup f : fixups) {
            Integer target = labels.get(f.label());
            if (target == null) {
                throw new IllegalStateException("label '" + f.label() + "' is never bound");
            }
            int offset = target - f.at();
            int insn = readWord(bytes, f.at()) | (f.jump() ? jOffset(offset) : bOffset(offset));
            for (int i = 0; i < 4; i++) {
                bytes[f.at() + i] = (byte) (insn >>> (8 * i));
            }
        }
        return bytes;
    }

    private static int readWord(byte[] b, int at) {
        return b[at] & 0xff | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    /** Appends a 32-bit instruction. */
    GuestAssembler emit(int insn) {
        for (int i = 0; i < 4; i++) {
            code.write(insn >>> (8 * i));
        }
        return this;
    }

    /** Appends a 16-bit (compressed) instruction. */
    GuestAssembler emit16(int insn) {
        code.write(insn);
        code.write(insn >>> 8);
        return this;
    }

    // The formats.

    GuestAssembler r(int funct7, int rs2, int rs1, int funct3, int rd, int opcode) {
        return emit(funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode);
    }

    GuestAssembler i(int imm, int rs1, int funct3, int rd, int opcode) {
        if (imm < -2048 || imm > 4095) {
            throw new IllegalArgumentException("immediate " + imm + " does not fit 12 bits");
        }
        return emit((imm & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode);
    }

    GuestAssembler s(int imm, int rs2, int rs1, int funct3, int opcode) {
        return emit((imm >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (imm & 0x1f) << 7 | opcode);
    }

    private GuestAssembler branch(int funct3, int rs1, int rs2, String label) {
        fixups.add(new Fixup(code.size(), label, false));
        return emit(rs2 << 20 | rs1 << 15 | funct3 << 12 | BRANCH);
    }

    private static int bOffset(int offset) {
        return (offset >> 12 & 1) << 31 | (offset >> 5 & 0x3f) << 25 | (offset >> 1 & 0xf) << 8 | (offset >> 11 & 1) << 7;
    }

    private static int jOffset(int offset) {
        return (offset >> 20 & 1) << 31 | (offset >> 1 & 0x3ff) << 21 | (offset >> 11 & 1) << 20 | (offset >> 12 & 0xff) << 12;
    }

    // RV64I.

    /** Loads any 32-bit signed value ({@code lui} and {@code addiw}, or {@code addi} alone). */
    GuestAssembler li(int rd, long value) {
        if (value != (int) value) {
            throw new IllegalArgumentException("li takes 32-bit values, not " + value);
        }
        int v = (int) value;
        if (v >= -2048 && v < 2048) {
            return addi(rd, ZERO, v);
        }
        int upper = (v + 0x800) >>> 12;
        emit(upper << 12 | rd << 7 | LUI);
        int lower = v - (upper << 12);
        return lower == 0 ? this : i(lower, rd, 0, rd, OP_IMM_32);
    }

    GuestAssembler addi(int rd, int rs1, int imm) {
        return i(imm, rs1, 0, rd, OP_IMM);
    }

    GuestAssembler addiw(int rd, int rs1, int imm) {
        return i(imm, rs1, 0, rd, OP_IMM_32);
    }

    GuestAssembler slti(int rd, int rs1, int imm) {
        return i(imm, rs1, 2, rd, OP_IMM);
    }

    GuestAssembler xori(int rd, int rs1, int imm) {
        return i(imm, rs1, 4, rd, OP_IMM);
    }

    GuestAssembler andi(int rd, int rs1, int imm) {
        return i(imm, rs1, 7, rd, OP_IMM);
    }

    GuestAssembler slli(int rd, int rs1, int shamt) {
        return i(shamt, rs1, 1, rd, OP_IMM);
    }

    GuestAssembler srli(int rd, int rs1, int shamt) {
        return i(shamt, rs1, 5, rd, OP_IMM);
    }

    GuestAssembler srai(int rd, int rs1, int shamt) {
        return i(0x400 | shamt, rs1, 5, rd, OP_IMM);
    }

    GuestAssembler op(int funct7, int funct3, int rd, int rs1, int rs2) {
        return r(funct7, rs2, rs1, funct3, rd, OP);
    }

    GuestAssembler op32(int funct7, int funct3, int rd, int rs1, int rs2) {
        return r(funct7, rs2, rs1, funct3, rd, OP_32);
    }

    GuestAssembler add(int rd, int rs1, int rs2) {
        return op(0, 0, rd, rs1, rs2);
    }

    GuestAssembler sub(int rd, int rs1, int rs2) {
        return op(0x20, 0, rd, rs1, rs2);
    }

    GuestAssembler xor(int rd, int rs1, int rs2) {
        return op(0, 4, rd, rs1, rs2);
    }

    GuestAssembler mv(int rd, int rs) {
        return addi(rd, rs, 0);
    }

    /** A load: funct3 0 to 6 for lb, lh, lw, ld, lbu, lhu, lwu. */
    GuestAssembler load(int funct3, int rd, int rs1, int offset) {
        return i(offset, rs1, funct3, rd, LOAD);
    }

    /** A store: funct3 0 to 3 for sb, sh, sw, sd. */
    GuestAssembler store(int funct3, int rs2, int rs1, int offset) {
        return s(offset, rs2, rs1, funct3, STORE);
    }

    GuestAssembler ld(int rd, int rs1, int offset) {
        return load(3, rd, rs1, offset);
    }

    GuestAssembler sd(int rs2, int rs1, int offset) {
        return store(3, rs2, rs1, offset);
    }

    GuestAssembler bne(int rs1, int rs2, String label) {
        return branch(1, rs1, rs2, label);
    }

    GuestAssembler blt(int rs1, int rs2, String label) {
        return branch(4, rs1, rs2, label);
    }

    GuestAssembler bltu(int rs1, int rs2, String label) {
        return branch(6, rs1, rs2, label);
    }

    GuestAssembler bgeu(int rs1, int rs2, String label) {
        return branch(7, rs1, rs2, label);
    }

    GuestAssembler jal(int rd, String label) {
        fixups.add(new Fixup(code.size(), label, true));
        return emit(rd << 7 | JAL);
    }

    GuestAssembler jalr(int rd, int rs1, int offset) {
        return i(offset, rs1, 0, rd, JALR);
    }

    GuestAssembler call(String label) {
        return jal(RA, label);
    }

    GuestAssembler j(String label) {
        return jal(ZERO, label);
    }

    GuestAssembler ecall() {
        return emit(SYSTEM);
    }

    /** {@code fence rw, rw}. */
    GuestAssembler fence() {
        return emit(0x0330000f);
    }

    GuestAssembler fenceI() {
        return emit(1 << 12 | MISC_MEM);
    }

    /** {@code csrrs rd, csr, x0}: reads a CSR. */
    GuestAssembler csrr(int rd, int csr) {
        return i(csr, ZERO, 2, rd, SYSTEM);
    }

    // A: funct5 of the operation, width 2 (word) or 3 (doubleword), acquire and release set.

    GuestAssembler amo(int funct5, int width, int rd, int rs1, int rs2) {
        return r(funct5 << 2 | 3, rs2, rs1, width, rd, AMO);
    }

    // F and D.

    GuestAssembler fload(int width, int fd, int rs1, int offset) {
        return i(offset, rs1, width, fd, LOAD_FP);
    }

    GuestAssembler fstore(int width, int fs2, int rs1, int offset) {
        return s(offset, fs2, rs1, width, STORE_FP);
    }

    /** An OP-FP instruction: funct5, format, rounding mode (or funct3). */
    GuestAssembler fp(int funct5, int fmt, int rm, int rd, int rs1, int rs2) {
        return r(funct5 << 2 | fmt, rs2, rs1, rm, rd, OP_FP);
    }

    GuestAssembler fmadd(int fmt, int rd, int rs1, int rs2, int rs3) {
        return emit(rs3 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | DYN << 12 | rd << 7 | MADD);
    }

    // C: a few of the compressed forms compilers use most.

    GuestAssembler cAddi(int rd, int imm) {
        return emit16((imm >> 5 & 1) << 12 | rd << 7 | (imm & 0x1f) << 2 | 1);
    }

    GuestAssembler cLi(int rd, int imm) {
        return emit16(2 << 13 | (imm >> 5 & 1) << 12 | rd << 7 | (imm & 0x1f) << 2 | 1);
    }

    GuestAssembler cMv(int rd, int rs2) {
        return emit16(0x8 << 12 | rd << 7 | rs2 << 2 | 2);
    }

    GuestAssembler cAdd(int rd, int rs2) {
        return emit16(0x9 << 12 | rd << 7 | rs2 << 2 | 2);
    }

    GuestAssembler cSlli(int rd, int shamt) {
        return emit16((shamt >> 5 & 1) << 12 | rd << 7 | (shamt & 0x1f) << 2 | 2);
    }

    /** {@code c.ld rd', offset(rs1')}: registers x8 to x15, offset a multiple of 8 below 256. */
    GuestAssembler cLd(int rd, int rs1, int offset) {
        return emit16(3 << 13 | (offset >> 3 & 7) << 10 | (rs1 - 8) << 7 | (offset >> 6 & 3) << 5 | (rd - 8) << 2);
    }

    /** {@code c.sd rs2', offset(rs1')}. */
    GuestAssembler cSd(int rs2, int rs1, int offset) {
        return emit16(7 << 13 | (offset >> 3 & 7) << 10 | (rs1 - 8) << 7 | (offset >> 6 & 3) << 5 | (rs2 - 8) << 2);
    }

    /** {@code c.jr ra}. */
    GuestAssembler cRet() {
        return emit16(0x8 << 12 | RA << 7 | 2);
    }
}
