package io.tessera.isa.riscv.system;

import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.GuestMemory;
import io.tessera.tcg.SoftTlb;

/**
 * The instructions of one virtual page as they were when code was translated from it (the
 * bytes {@link SystemTranslations} keeps of its physical page), for translating a block again
 * to describe it: whatever the hart's mapping or the page's bytes are now, the description is
 * of the code that was translated. Only fetches are possible.
 */
final class TranslatedPageCode implements GuestMemory {

    private final long virtualPage;
    private final byte[] bytes;

    /**
     * @param virtualPage the page number ({@link SoftTlb#PAGE_BITS}) the block's pc lies in
     * @param bytes the physical page's bytes as translated
     */
    TranslatedPageCode(long virtualPage, byte[] bytes) {
        this.virtualPage = virtualPage;
        this.bytes = bytes;
    }

    @Override
    public int fetch16(long address) {
        if (address >>> SoftTlb.PAGE_BITS != virtualPage || (address & 1) != 0) {
            // The translator keeps within the page; anything else is where no code was kept.
            throw new GuestFault(GuestFault.INSTRUCTION_ACCESS, address);
        }
        int offset = (int) (address & (SoftTlb.PAGE_SIZE - 1));
        return bytes[offset] & 0xff | (bytes[offset + 1] & 0xff) << 8;
    }

    @Override
    public long load(long address, int size) {
        throw new UnsupportedOperationException("translated code is described from its instructions only");
    }

    @Override
    public void store(long address, int size, long value) {
        throw new UnsupportedOperationException("translated code is described from its instructions only");
    }
}
