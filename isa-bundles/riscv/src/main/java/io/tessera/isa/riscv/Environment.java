package io.tessera.isa.riscv;

/**
 * What lies outside a hart's own state when it executes: system calls (user mode) or the trap
 * machinery (a machine), and the CSRs that are not plain hart state.
 */
public interface Environment {

    /** Handles {@code ecall}; the hart's pc still points at the ecall. */
    void ecall(RiscvHart hart);

    /**
     * Reads a CSR.
     *
     * @throws GuestFault an illegal-instruction fault when the CSR does not exist or is not accessible
     */
    long readCsr(RiscvHart hart, int csr);

    /**
     * Writes a CSR (WARL fields legalized by the implementation).
     *
     * @throws GuestFault an illegal-instruction fault when the CSR does not exist or is read-only
     */
    void writeCsr(RiscvHart hart, int csr, long value);

    /**
     * The value CSRRS and CSRRC set or clear bits in, given what the CSR read. It is the value
     * read, except where the architecture says otherwise: mip.SEIP reads as the software bit
     * OR the interrupt controller's signal, but read-modify-write instructions see only the
     * software bit (privileged specification 3.1.9), so that setting SSIP does not latch SEIP.
     */
    default long readModifyWriteBase(RiscvHart hart, int csr, long read) {
        return read;
    }

    /**
     * Executes MRET, SRET, WFI or SFENCE.VMA, setting the pc; where there is no privileged
     * architecture (user mode) they are illegal.
     */
    default void system(RiscvHart hart, Insn insn) {
        throw new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, insn.raw() & 0xffff_ffffL);
    }
}
