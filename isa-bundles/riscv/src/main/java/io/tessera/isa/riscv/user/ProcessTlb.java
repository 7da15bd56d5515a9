package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.tcg.RiscvContext;
import io.tessera.isa.riscv.user.PageTable.Page;

/**
 * The soft TLB translated code of one thread reads and writes process pages through: filled
 * by its slow path with the bytes of pages the access may use directly, and dropped whenever
 * the page table changes. Writes go inline only to private, writable pages that are not
 * executable, so that every store to code reaches {@link ProcessMemory#store}, which
 * invalidates what was translated from it.
 */
final class ProcessTlb extends RiscvContext {

    private final ProcessMemory process;
    private long seenGeneration = -1;

    ProcessTlb(ProcessMemory memory) {
        super(memory);
        this.process = memory;
    }

    @Override
    public void revalidate() {
        long generation = process.table.generation;
        if (generation != seenGeneration) {
            flush();
            soleWriter = !process.table.threaded();
            seenGeneration = generation;
        }
    }

    private static boolean inOnePage(long address, int size) {
        return (address & ProcessMemory.PAGE_MASK) + size <= ProcessMemory.PAGE_SIZE;
    }

    @Override
    public long loadSlow(long address, int size) {
        long value = process.load(address, size);
        if (inOnePage(address, size)) {
            fillReadable(address >>> ProcessMemory.PAGE_SHIFT);
        }
        return value;
    }

    private void fillReadable(long number) {
        Page page = process.table.get(number);
        if (page != null && (page.protection() & ProcessMemory.READ) != 0) {
            fillRead(number, page.bytes());
        }
    }

    @Override
    public void storeSlow(long address, int size, long value) {
        process.store(address, size, value);
        if (inOnePage(address, size)) {
            long number = address >>> ProcessMemory.PAGE_SHIFT;
            Page page = process.table.get(number);
            if (page != null && !page.shared() && (page.protection() & (ProcessMemory.WRITE | ProcessMemory.EXEC)) == ProcessMemory.WRITE) {
                fillWrite(number, page.bytes());
            }
            // The store may have given the page private bytes: reads must see them from now on.
            fillReadable(number);
        }
    }
}
