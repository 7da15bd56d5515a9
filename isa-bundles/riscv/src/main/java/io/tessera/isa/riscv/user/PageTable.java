package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.GuestFault;
import io.tessera.tcg.TranslationCache;
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

    /**
     * Set (for good) when a second thread starts to run in these pages: from then on a thread's
     * stores may meet another's in one word, so translated code stores narrow values byte-wide
     * ({@link io.tessera.tcg.SoftTlb#soleWriter}). A vfork child does not set it: its parent
     * sleeps while it runs.
     */
    private volatile boolean threaded;

    /** Bumped with stores to executable pages too (see {@link io.tessera.isa.riscv.GuestMemory#codeGeneration()}). */
    volatile long codeGeneration;

    /** The code translated from these pages, shared by the threads that run in them; null until the first translation. */
    private volatile TranslationCache translations;

    PageTable() {
        this(new ConcurrentHashMap<>());
    }

    private PageTable(Map<Long, Page> pages) {
        this.pages = pages;
    }

    /** Notes that another thread runs in these pages now; TLBs see it at their next revalidation. */
    void sharedByThreads() {
        if (!threaded) {
            threaded = true;
            changed();
        }
    }

    /** @return whether more than one thread has run in these pages at once */
    boolean threaded() {
        return threaded;
    }

    Page get(long number) {
        return pages.get(number);
    }

    private void changed() {
        generation++;
        codeGeneration++;
    }

    /** A change of the range's contents, mapping or protection: code translated from it goes. */
    private void changed(long start, long length) {
        changed();
        codeChanged(start >>> PAGE_SHIFT, (start + length - 1) >>> PAGE_SHIFT);
    }

    /** @return the translation cache of these pages, made with {@code maxBytes} as its bound the first time */
    synchronized TranslationCache translations(long maxBytes) {
        if (translations == null) {
            translations = new TranslationCache(maxBytes);
        }
        return translations;
    }

    /** @return the translation cache of these pages, or null when nothing was translated from them */
    TranslationCache translationsIfAny() {
        return translations;
    }

    /** Invalidates code translated from pages {@code first..last} (a store to them, or a change of them). */
    void codeChanged(long first, long last) {
        TranslationCache cache = translations;
        if (cache != null) {
            cache.invalidatePages(first, last);
        }
    }

    /** @return whether code was translated from page {@code number} */
    boolean holdsTranslatedCode(long number) {
        TranslationCache cache = translations;
        return cache != null && cache.holdsCode(number);
    }

    synchronized void map(long start, long length, int protection) {
        for (long page = start >>> PAGE_SHIFT; page <= (start + length - 1) >>> PAGE_SHIFT; page++) {
            pages.put(page, new Page(ZERO, protection, true));
        }
        changed(start, length);
    }

    synchronized void unmap(long start, long length) {
        for (long page = start >>> PAGE_SHIFT; page <= (start + length - 1) >>> PAGE_SHIFT; page++) {
            pages.remove(page);
        }
        changed(start, length);
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
        changed(start, length);
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
