package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.GuestMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * A user-mode process image: 4 KiB pages with their protections, allocated as the process
 * maps them. An access to an unmapped page, or against its protection, is a fault (the
 * process then gets SIGSEGV). The most recent page of each kind of access is remembered,
 * because accesses cluster.
 */
final class ProcessMemory implements GuestMemory {

    static final int PAGE_SHIFT = 12;
    static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    static final long PAGE_MASK = PAGE_SIZE - 1;

    static final int READ = 1;
    static final int WRITE = 2;
    static final int EXEC = 4;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final class Page {
        final byte[] bytes = new byte[(int) PAGE_SIZE];
        int protection;

        Page(int protection) {
            this.protection = protection;
        }
    }

    private final Map<Long, Page> pages = new HashMap<>();

    // A direct-mapped cache of page lookups, one per kind of access, so that the map (and the
    // boxing of its keys) is consulted only on a miss. Tags are page numbers; -1 is empty.
    private static final int TLB_SIZE = 256;
    private final long[] readTag = emptyTags();
    private final Page[] readPage = new Page[TLB_SIZE];
    private final long[] writeTag = emptyTags();
    private final Page[] writePage = new Page[TLB_SIZE];
    private final long[] fetchTag = emptyTags();
    private final Page[] fetchPage = new Page[TLB_SIZE];

    private static long[] emptyTags() {
        long[] tags = new long[TLB_SIZE];
        java.util.Arrays.fill(tags, -1);
        return tags;
    }

    /** Maps zeroed pages over {@code [start, start + length)}, replacing what was there. */
    void map(long start, long length, int protection) {
        for (long page = start >>> PAGE_SHIFT; page <= (start + length - 1) >>> PAGE_SHIFT; page++) {
            pages.put(page, new Page(protection));
        }
        forget();
    }

    /** Unmaps {@code [start, start + length)}. */
    void unmap(long start, long length) {
        for (long page = start >>> PAGE_SHIFT; page <= (start + length - 1) >>> PAGE_SHIFT; page++) {
            pages.remove(page);
        }
        forget();
    }

    /** Changes the protection of mapped pages; returns false when some page is not mapped. */
    boolean protect(long start, long length, int protection) {
        boolean all = true;
        for (long page = start >>> PAGE_SHIFT; page <= (start + length - 1) >>> PAGE_SHIFT; page++) {
            Page p = pages.get(page);
            if (p == null) {
                all = false;
            } else {
                p.protection = protection;
            }
        }
        forget();
        return all;
    }

    /** @return the protection of the page holding {@code address}, 0 when unmapped */
    int protection(long address) {
        Page page = pages.get(address >>> PAGE_SHIFT);
        return page == null ? 0 : page.protection;
    }

    /** @return whether no page of the range is mapped */
    boolean isFree(long start, long length) {
        for (long page = start >>> PAGE_SHIFT; page <= (start + length - 1) >>> PAGE_SHIFT; page++) {
            if (pages.containsKey(page)) {
                return false;
            }
        }
        return true;
    }

    /** Changes whenever instructions may have changed (see {@link GuestMemory#codeGeneration()}). */
    private long codeGeneration;

    @Override
    public long codeGeneration() {
        return codeGeneration;
    }

    private void forget() {
        codeGeneration++;
        java.util.Arrays.fill(readTag, -1);
        java.util.Arrays.fill(writeTag, -1);
        java.util.Arrays.fill(fetchTag, -1);
    }

    private Page lookup(long address, long[] tags, Page[] cached, int access, int cause) {
        long number = address >>> PAGE_SHIFT;
        int slot = (int) number & (TLB_SIZE - 1);
        if (tags[slot] == number) {
            return cached[slot];
        }
        Page page = pages.get(number);
        if (page == null || (page.protection & access) == 0) {
            throw new GuestFault(cause, address);
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
        byte[] bytes = readable(address).bytes;
        return switch (size) {
            case 1 -> bytes[offset] & 0xffL;
            case 2 -> (short) SHORT.get(bytes, offset) & 0xffffL;
            case 4 -> (int) INT.get(bytes, offset) & 0xffff_ffffL;
            default -> (long) LONG.get(bytes, offset);
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
        if ((page.protection & EXEC) != 0) {
            codeGeneration++;
        }
        byte[] bytes = page.bytes;
        switch (size) {
            case 1 -> bytes[offset] = (byte) value;
            case 2 -> SHORT.set(bytes, offset, (short) value);
            case 4 -> INT.set(bytes, offset, (int) value);
            default -> LONG.set(bytes, offset, value);
        }
    }

    @Override
    public int fetch16(long address) {
        Page page = lookup(address, fetchTag, fetchPage, EXEC, GuestFault.INSTRUCTION_ACCESS);
        return (short) SHORT.get(page.bytes, (int) (address & PAGE_MASK)) & 0xffff;
    }

    /** Copies bytes in, ignoring protections (the loader and the kernel's copies to user). */
    void poke(long address, byte[] data, int offset, int length) {
        codeGeneration++;
        for (int i = 0; i < length; i++) {
            Page page = pages.get((address + i) >>> PAGE_SHIFT);
            if (page == null) {
                throw new GuestFault(GuestFault.STORE_ACCESS, address + i);
            }
            page.bytes[(int) ((address + i) & PAGE_MASK)] = data[offset + i];
        }
    }

    /** Copies bytes out, ignoring protections but not holes. */
    byte[] peek(long address, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            Page page = pages.get((address + i) >>> PAGE_SHIFT);
            if (page == null) {
                throw new GuestFault(GuestFault.LOAD_ACCESS, address + i);
            }
            out[i] = page.bytes[(int) ((address + i) & PAGE_MASK)];
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
