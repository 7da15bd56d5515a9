package io.tessera.isa.riscv;

/**
 * A decoded instruction: the operation and its operands, shared by the interpreter, the
 * translator and the disassembler. Immutable.
 *
 * @param op the operation
 * @param rd destination register
 * @param rs1 first source register
 * @param rs2 second source register
 * @param imm the immediate, sign-extended (for CSR instructions: the CSR number; for shifts: the amount)
 * @param length 2 for a compressed instruction, 4 otherwise
 * @param raw the instruction bits as fetched (16 or 32 bits)
 */
public record Insn(Op op, int rd, int rs1, int rs2, long imm, int length, int raw) {

    /** An undecodable instruction of the given length. */
    static Insn illegal(int raw, int length) {
        return new Insn(Op.ILLEGAL, 0, 0, 0, 0, length, raw);
    }
}
