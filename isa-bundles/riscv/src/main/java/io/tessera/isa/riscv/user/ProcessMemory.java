package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.GuestMemory;
import io.tessera.isa.riscv.user.PageTable.Page;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One thread's view of a process image ({@link PageTable}): 4 KiB pages with their
 * protections. An access to an unmapped page, or against its protection, is a fault (the
 * process then gets SIGSEGV). Page lookups are cached per kind of access in a TLB of this
 * thread's own, dropped whenever the table changes. Not thread-safe itself: each thread has
 * its own view; the pages' bytes are shared, and AMOs and SC are atomic on them.
 */
final class ProcessMemory implements GuestMemory {

    static final int PAGE_SHIFT = PageTable.PAGE_SHIFT;
    static final long PAGE_SIZE = PageTable.PAGE_SIZE;
    static final long PAGE_MASK = PageTable.PAGE_MASK;

    static final int READ = 1;
    static final int WRITE = 2;
    static final int EXEC = 4;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle ATOMIC_INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle ATOMIC_LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    final PageTable table;

    // A direct-mapped cache of page lookups, one per kind of access, so that the map (and the
    // boxing of its keys) is consulted only on a miss. Tags are page numbers; -1 is empty.
    private static final int TLB_SIZE = 256;
    private final long[] readTag = emptyTags();
    private final Page[] readPage = new Page[TLB_SIZE];
    private final long[] writeTag = emptyTags();
    private final Page[] writePage = new Page[TLB_SIZE];
    private final long[] fetchTag = emptyTags();
    private final Page[] fetchPage = new Page[TLB_SIZE];
    private long seenGeneration = -1;

    // What the last LR loaded: SC succeeds only if the location still holds it.
    private long reservedValue;

    ProcessMemory() {
        this(new PageTable());
    }

    ProcessMemory(PageTable table) {
        this.table = table;
    }

    private static long[] emptyTags() {
        long[] tags = new long[TLB_SIZE];
        java.util.Arrays.fill(tags, -1);
        return tags;
    }

    /** Maps zeroed pages over {@code [start, start + length)}, replacing what was there. */
    void map(long start, long length, int protection) {
        table.map(start, length, protection);
    }

    /** Unmaps {@code [start, start + length)}. */
    void unmap(long start, long length) {
        table.unmap(start, length);
    }

    /** Changes the protection of mapped pages; returns false when some page is not mapped. */
    boolean protect(long start, long length, int protection) {
        return table.protect(start, length, protection);
    }

    /** @return the protection of the page holding {@code address}, 0 when unmapped */
    int protection(long address) {
        Page page = table.get(address >>> PAGE_SHIFT);
        return page == null ? 0 : page.protection();
    }

    /** @return whether no page of the range is mapped */
    boolean isFree(long start, long length) {
        return table.isFree(start, length);
    }

    @Override
    public long codeGeneration() {
        return table.codeGeneration;
    }

    private Page lookup(long address, long[] tags, Page[] cached, int access, int cause) {
        long generation = table.generation;
        if (generation != seenGeneration) {
            java.util.Arrays.fill(readTag, -1);
            java.util.Arrays.fill(writeTag, -1);
            java.util.Arrays.fill(fetchTag, -1);
            seenGeneration = generation;
        }
        long number = address >>> PAGE_SHIFT;
        int slot = (int) number & (TLB_SIZE - 1);
        if (tags[slot] == number) {
            return cached[slot];
        }
        Page page = table.get(number);
        if (page == null || (page.protection() & access) == 0) {
            throw new GuestFault(cause, address);
        }
        if (access == WRITE && page.shared()) {
            page = table.privatePage(number, address);
            // The table changed under every TLB, this one too.
            return page;
        }
        tags[slot] = number;
        cached[slot] = page;
        return page;
    }

    private Page readable(long address) {
        return lookup(address, readTag, readPage, READ, GuestFault.LOAD_ACCESS);
    }

    private Page writable(long address) {
        return lookup(address, writeTag, writePage, WRITE, GuestFault.STORE_ACCESS);
    }

    @Override
    public long load(long address, int size) {
        int offset = (int) (address & PAGE_MASK);
        if (offset + size > PAGE_SIZE) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= load(address + i, 1) << (8 * i);
            }
            return v;
        }
        MemorySegment bytes = readable(address).bytes();
        return switch (size) {
            case 1 -> bytes.get(ValueLayout.JAVA_BYTE, offset) & 0xffL;
            case 2 -> bytes.get(SHORT, offset) & 0xffffL;
            case 4 -> bytes.get(INT, offset) & 0xffff_ffffL;
            default -> bytes.get(LONG, offset);
        };
    }

    @Override
    public void store(long address, int size, long value) {
        int offset = (int) (address & PAGE_MASK);
        if (offset + size > PAGE_SIZE) {
            for (int i = 0; i < size; i++) {
                store(address + i, 1, value >>> (8 * i));
            }
            return;
        }
        Page page = writable(address);
        if ((page.protection() & EXEC) != 0) {
            table.codeGeneration++;
            codeWritten(address, size);
        }
        MemorySegment bytes = page.bytes();
        switch (size) {
            case 1 -> bytes.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
            case 2 -> bytes.set(SHORT, offset, (short) value);
            case 4 -> bytes.set(INT, offset, (int) value);
            default -> bytes.set(LONG, offset, value);
        }
    }

    /** A store to an executable page: code translated from it is no longer what is there. */
    private void codeWritten(long address, int size) {
        long page = address >>> PAGE_SHIFT;
        if (table.holdsTranslatedCode(page)) {
            table.codeChanged(page, (address + size - 1) >>> PAGE_SHIFT);
        }
    }

    @Override
    public boolean compareAndSet(long address, int size, long expected, long value) {
        // Read permission is checked as the AMO's load would; the caller checked alignment.
        readable(address);
        Page page = writable(address);
        if ((page.protection() & EXEC) != 0) {
            table.codeGeneration++;
            codeWritten(address, size);
        }
        MemorySegment bytes = page.bytes();
        long offset = address & PAGE_MASK;
        return size == 4 ? ATOMIC_INT.compareAndSet(bytes, offset, (int) expected, (int) value)
                : ATOMIC_LONG.compareAndSet(bytes, offset, expected, value);
    }

    @Override
    public long loadReserved(long address, int size) {
        MemorySegment bytes = readable(address).bytes();
        long offset = address & PAGE_MASK;
        reservedValue = size == 4 ? (int) ATOMIC_INT.getVolatile(bytes, offset) & 0xffff_ffffL : (long) ATOMIC_LONG.getVolatile(bytes, offset);
        return reservedValue;
    }

    @Override
    public boolean storeConditional(long address, int size, long value) {
        return compareAndSet(address, size, reservedValue, value);
    }

    @Override
    public int fetch16(long address) {
        Page page = lookup(address, fetchTag, fetchPage, EXEC, GuestFault.INSTRUCTION_ACCESS);
        return page.bytes().get(SHORT, address & PAGE_MASK) & 0xffff;
    }

    /** Copies bytes in, ignoring protections (the loader and the kernel's copies to user). */
    void poke(long address, byte[] data, int offset, int length) {
        table.codeGeneration++;
        if (length > 0) {
            table.codeChanged(address >>> PAGE_SHIFT, (address + length - 1) >>> PAGE_SHIFT);
        }
        int done = 0;
        while (done < length) {
            long at = address + done;
            int inPage = (int) Math.min(length - done, PAGE_SIZE - (at & PAGE_MASK));
            Page page = table.privatePage(at >>> PAGE_SHIFT, at);
            MemorySegment.copy(data, offset + done, page.bytes(), ValueLayout.JAVA_BYTE, at & PAGE_MASK, inPage);
            done += inPage;
        }
    }

    /** Copies bytes out, ignoring protections but not holes. */
    byte[] peek(long address, int length) {
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            long at = address + done;
            int inPage = (int) Math.min(length - done, PAGE_SIZE - (at & PAGE_MASK));
            Page page = table.get(at >>> PAGE_SHIFT);
            if (page == null) {
                throw new GuestFault(GuestFault.LOAD_ACCESS, at);
            }
            MemorySegment.copy(page.bytes(), ValueLayout.JAVA_BYTE, at & PAGE_MASK, out, done, inPage);
            done += inPage;
        }
        return out;
    }

    /** Reads a NUL-terminated string of at most {@code max} bytes. */
    String peekString(long address, int max) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < max; i++) {
            byte b = (byte) load(address + i, 1);
            if (b == 0) {
                break;
            }
            out.write(b);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
