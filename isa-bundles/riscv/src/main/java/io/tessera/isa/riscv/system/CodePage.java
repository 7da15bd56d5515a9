package io.tessera.isa.riscv.system;

import io.tessera.isa.riscv.Decoder;
import io.tessera.isa.riscv.Insn;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The decoded instructions of one 4 KiB page of virtual memory, as one privilege level fetches
 * it: a copy of the page's bytes, and each instruction decoded (on first use) into a
 * {@link Insn} and a packed {@code long} the hart's loop dispatches on without touching the
 * object. The {@link Mmu} keeps these and says when one must be checked against memory again
 * ({@link #generation}); the copy makes that check a comparison of the bytes.
 *
 * <p>Packed form: bits 0-7 the {@linkplain #GENERIC fast operation}, 8-12 rd, 13-17 rs1, 18-22
 * rs2, 23-25 the length in bytes (so a decoded instruction is never 0, which means not decoded
 * yet), 26-27 the log2 of a load's or store's size, 28-31 for a load the bits above its value
 * that sign extension fills, divided by 8, and 32-63 the immediate. Operations the loop does not
 * carry out itself are {@link #GENERIC}: the interpreter executes their {@link Insn}. An integer
 * operation without side effects whose rd is x0 is {@link #NOP}.
 */
final class CodePage {

    static final int SIZE = 4096;

    static final int GENERIC = 0, NOP = 1, LUI = 2, AUIPC = 3, JAL = 4, JALR = 5,
            BEQ = 6, BNE = 7, BLT = 8, BGE = 9, BLTU = 10, BGEU = 11,
            LOAD = 12, STORE = 13,
            ADDI = 23, SLTI = 24, SLTIU = 25, XORI = 26, ORI = 27, ANDI = 28, SLLI = 29, SRLI = 30, SRAI = 31,
            ADD = 32, SUB = 33, SLL = 34, SLT = 35, SLTU = 36, XOR = 37, SRL = 38, SRA = 39, OR = 40, AND = 41,
            ADDIW = 42, SLLIW = 43, SRLIW = 44, SRAIW = 45, ADDW = 46, SUBW = 47, SLLW = 48, SRLW = 49, SRAW = 50,
            MUL = 51, MULH = 52, MULHSU = 53, MULHU = 54, DIV = 55, DIVU = 56, REM = 57, REMU = 58,
            MULW = 59, DIVW = 60, DIVUW = 61, REMW = 62, REMUW = 63,
            SH1ADD = 64, SH2ADD = 65, SH3ADD = 66, ADD_UW = 67, ANDN = 68, ORN = 69, XNOR = 70,
            SEXT_B = 71, SEXT_H = 72, ZEXT_H = 73, MIN = 74, MINU = 75, MAX = 76, MAXU = 77,
            CZERO_EQZ = 78, CZERO_NEZ = 79, SH1ADD_UW = 80, SH2ADD_UW = 81, SH3ADD_UW = 82, SLLI_UW = 83;

    static final int LENGTH_SHIFT = 23, SIZE_SHIFT = 26, EXTEND_SHIFT = 28;

    /** The virtual page (its first address), or -1. */
    long vpage = -1;
    /** The privilege level that fetches it. */
    int privilege;
    /** The {@link Mmu#codePageGeneration()} it was last checked in, or -1 when it must be checked. */
    long generation = -1;

    private final byte[] bytes = new byte[SIZE];
    private final MemorySegment copy = MemorySegment.ofArray(bytes);
    /**
     * Packed instructions by half-word; 0 where none is decoded yet, and in the element past
     * the page, where falling off its end leads.
     */
    final long[] decoded = new long[SIZE / 2 + 1];
    /** The instructions by half-word, where decoded. */
    final Insn[] insns = new Insn[SIZE / 2];

    /** Copies the page from memory and forgets what was decoded from the old copy. */
    void load(long vpage, int privilege, MemorySegment segment, long offset) {
        this.vpage = vpage;
        this.privilege = privilege;
        MemorySegment.copy(segment, offset, copy, 0, SIZE);
        java.util.Arrays.fill(decoded, 0);
        java.util.Arrays.fill(insns, null);
    }

    /** @return whether memory still holds the bytes this page was decoded from */
    boolean holds(MemorySegment segment, long offset) {
        return MemorySegment.mismatch(segment, offset, offset + SIZE, copy, 0, SIZE) < 0;
    }

    /**
     * Decodes the instruction at a half-word of the page.
     *
     * @return the packed instruction, or 0 for one that runs into the next page (which the
     *         hart fetches the slow way each time)
     */
    long decode(int index) {
        int offset = index * 2;
        int raw = halfWord(offset);
        if (Decoder.isFullLength(raw)) {
            if (offset + 4 > SIZE) {
                return 0;
            }
            raw |= halfWord(offset + 2) << 16;
        }
        Insn insn = Decoder.decode(raw);
        long packed = pack(insn);
        insns[index] = insn;
        decoded[index] = packed;
        return packed;
    }

    private int halfWord(int offset) {
        return copy.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset) & 0xffff;
    }

    static long pack(Insn insn) {
        int op = fastOp(insn);
        if (insn.rd() == 0 && op >= ADDI) {
            op = NOP;
        }
        return op | (long) insn.rd() << 8 | (long) insn.rs1() << 13 | (long) insn.rs2() << 18
                | (long) insn.length() << LENGTH_SHIFT | (long) logSize(insn) << SIZE_SHIFT
                | (long) extension(insn) << EXTEND_SHIFT | insn.imm() << 32;
    }

    private static int logSize(Insn insn) {
        return switch (insn.op()) {
            case LH, LHU, SH -> 1;
            case LW, LWU, SW -> 2;
            case LD, SD -> 3;
            default -> 0;
        };
    }

    /** For a signed load, the bytes above its value: 8 minus its size. */
    private static int extension(Insn insn) {
        return switch (insn.op()) {
            case LB -> 7;
            case LH -> 6;
            case LW -> 4;
            default -> 0;
        };
    }

    private static int fastOp(Insn insn) {
        return switch (insn.op()) {
            case LUI -> insn.rd() == 0 ? NOP : LUI;
            case AUIPC -> insn.rd() == 0 ? NOP : AUIPC;
            case JAL -> JAL;
            case JALR -> JALR;
            case BEQ -> BEQ;
            case BNE -> BNE;
            case BLT -> BLT;
            case BGE -> BGE;
            case BLTU -> BLTU;
            case BGEU -> BGEU;
            case LB, LH, LW, LD, LBU, LHU, LWU -> LOAD;
            case SB, SH, SW, SD -> STORE;
            case ADDI -> ADDI;
            case SLTI -> SLTI;
            case SLTIU -> SLTIU;
            case XORI -> XORI;
            case ORI -> ORI;
            case ANDI -> ANDI;
            case SLLI -> SLLI;
            case SRLI -> SRLI;
            case SRAI -> SRAI;
            case ADD -> ADD;
            case SUB -> SUB;
            case SLL -> SLL;
            case SLT -> SLT;
            case SLTU -> SLTU;
            case XOR -> XOR;
            case SRL -> SRL;
            case SRA -> SRA;
            case OR -> OR;
            case AND -> AND;
            case ADDIW -> ADDIW;
            case SLLIW -> SLLIW;
            case SRLIW -> SRLIW;
            case SRAIW -> SRAIW;
            case ADDW -> ADDW;
            case SUBW -> SUBW;
            case SLLW -> SLLW;
            case SRLW -> SRLW;
            case SRAW -> SRAW;
            case MUL -> MUL;
            case MULH -> MULH;
            case MULHSU -> MULHSU;
            case MULHU -> MULHU;
            case DIV -> DIV;
            case DIVU -> DIVU;
            case REM -> REM;
            case REMU -> REMU;
            case MULW -> MULW;
            case DIVW -> DIVW;
            case DIVUW -> DIVUW;
            case REMW -> REMW;
            case REMUW -> REMUW;
            case SH1ADD -> SH1ADD;
            case SH2ADD -> SH2ADD;
            case SH3ADD -> SH3ADD;
            case ADD_UW -> ADD_UW;
            case SH1ADD_UW -> SH1ADD_UW;
            case SH2ADD_UW -> SH2ADD_UW;
            case SH3ADD_UW -> SH3ADD_UW;
            case SLLI_UW -> SLLI_UW;
            case ANDN -> ANDN;
            case ORN -> ORN;
            case XNOR -> XNOR;
            case SEXT_B -> SEXT_B;
            case SEXT_H -> SEXT_H;
            case ZEXT_H -> ZEXT_H;
            case MIN -> MIN;
            case MINU -> MINU;
            case MAX -> MAX;
            case MAXU -> MAXU;
            case CZERO_EQZ -> CZERO_EQZ;
            case CZERO_NEZ -> CZERO_NEZ;
            case FENCE -> NOP;
            default -> GENERIC;
        };
    }
}
