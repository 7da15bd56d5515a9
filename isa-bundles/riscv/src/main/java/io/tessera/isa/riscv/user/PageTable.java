package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.GuestFault;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pages of one address space, shared by the threads that run in it (each sees it through
 * its own {@link ProcessMemory}, with its own TLB). Pages are immutable; a change of mapping or
 * protection replaces them and bumps {@link #generation}, which every view checks before it
 * trusts its TLB. A page whose bytes another page may hold too is copied before its first
 * write: fork shares all pages this way, and new mappings share one zero page until written.
 */
final class PageTable {

    static final int PAGE_SHIFT = 12;
    static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    static final long PAGE_MASK = PAGE_SIZE - 1;

    private static final MemorySegment ZERO = newBytes();

    /**
     * A page: its bytes, its protection, and whether those bytes may be shared (copy before
     * writing). The bytes are a segment over a long[], which is 8-byte aligned, so that AMOs
     * and SC can compare-and-set them (a byte[] view cannot).
     */
    record Page(MemorySegment bytes, int protection, boolean shared) {
    }

    private static MemorySegment newBytes() {
        return MemorySegment.ofArray(new long[(int) PAGE_SIZE / 8]);
    }

    private final Map<Long, Page> pages;

    /** Bumped by every change a TLB could have cached; volatile so that other threads see it. */
    volatile long generation;

    /** Bumped with stores to executable pages too (see {@link io.tessera.isa.riscv.GuestMemory#codeGeneration()}). */
    volatile long codeGeneration;

    PageTable() {
        this(new ConcurrentHashMap<>());
    }

    private PageTable(Map<Long, Page> pages) {
        this.pages = pages;
    }

    Page get(long number) {
        return pages.get(number);
    }

    private void changed() {
        generation++;
        codeGeneration++;
    }

    synchronized void map(long start, long length, int protection) {
        for (long page = start >>> PAGE_SHIFT; page <= (start + length - 1) >>> PAGE_SHIFT; page++) {
            pages.put(page, new Page(ZERO, protection, true));
        }
        changed();
    }

    synchronized void unmap(long start, long length) {
        for (long page = start >>> PAGE_SHIFT; page <= (start + length - 1) >>> PAGE_SHIFT; page++) {
            pages.remove(page);
        }
        changed();
    }

    synchronized boolean protect(long start, long length, int protection) {
        boolean all = true;
        for (long page = start >>> PAGE_SHIFT; page <= (start + length - 1) >>> PAGE_SHIFT; page++) {
            Page p = pages.get(page);
            if (p == null) {
                all = false;
            } else {
                pages.put(page, new Page(p.bytes(), protection, p.shared()));
            }
        }
        changed();
        return all;
    }

    boolean isFree(long start, long length) {
        for (long page = start >>> PAGE_SHIFT; page <= (start + length - 1) >>> PAGE_SHIFT; page++) {
            if (pages.containsKey(page)) {
                return false;
            }
        }
        return true;
    }

    /** @return the page of {@code number}, made private to this table so that it may be written */
    synchronized Page privatePage(long number, long address) {
        Page page = pages.get(number);
        if (page == null) {
            throw new GuestFault(GuestFault.STORE_ACCESS, address);
        }
        if (page.shared()) {
            MemorySegment bytes = newBytes();
            if (page.bytes() != ZERO) {
                bytes.copyFrom(page.bytes());
            }
            page = new Page(bytes, page.protection(), false);
            pages.put(number, page);
            changed();
        }
        return page;
    }

    /** @return a copy for a forked child; from now on both share every page until one writes it */
    synchronized PageTable fork() {
        Map<Long, Page> copy = new ConcurrentHashMap<>();
        for (Map.Entry<Long, Page> e : pages.entrySet()) {
            Page p = e.getValue();
            Page shared = p.shared() ? p : new Page(p.bytes(), p.protection(), true);
            e.setValue(shared);
            copy.put(e.getKey(), shared);
        }
        changed();
        return new PageTable(copy);
    }
}
