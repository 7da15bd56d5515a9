package io.tessera.tcg;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A vCPU's software TLB as generated code sees it: for reads and for writes, a direct-mapped
 * table from guest page number to the page's bytes. Generated code checks the tag inline and
 * accesses the page directly; a miss, a misaligned access, or anything that is not plain RAM
 * goes to the slow path, which the memory model implements (and which may fill the table, or
 * throw the guest's fault). One per vCPU thread.
 *
 * <p>Pages the fast path takes are segments over a {@code long[]} of {@link #PAGE_SIZE} bytes
 * (on a little-endian host): aligned loads and 8-byte stores then read and write that array
 * with plain array bytecodes, which HotSpot compiles to one instruction without needing to
 * inline anything; narrower stores go through the segment (a real byte-wide store, so that
 * threads writing neighbouring bytes do not undo each other's writes), unless the memory
 * model says that no other thread writes these pages ({@link #soleWriter}): then they
 * rewrite the word that holds them, which is as cheap as the 8-byte store.
 *
 * <p>Units compiled for {@link FastPath#SEGMENT} take another kind of entry instead: a page
 * that lies inside a larger off-heap segment (a machine's RAM) at an offset, accessed at its
 * host address through {@link HostMemory}. Which kind a unit reads is fixed when it is compiled
 * ({@link IrUnit#fastPath(FastPath)}); a table may hold both, each unit sees only its own.
 */
public abstract class SoftTlb {

    /** log2 of the page size the table maps. */
    public static final int PAGE_BITS = 12;
    /** The page size. */
    public static final int PAGE_SIZE = 1 << PAGE_BITS;
    /** log2 of the number of entries of each table. */
    public static final int INDEX_BITS = 10;
    /** Entries - 1: the index mask applied to a page number. */
    public static final int INDEX_MASK = (1 << INDEX_BITS) - 1;

    /** Little-endian layouts, unaligned: generated code passes them to {@link MemorySegment#get}. */
    public static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** @see #SHORT_LE */
    public static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** @see #SHORT_LE */
    public static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Big-endian layouts, unaligned. */
    public static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** @see #SHORT_BE */
    public static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** @see #SHORT_BE */
    public static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Bytes. */
    public static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    /** Page number held by each read entry, or -1. */
    public final long[] readTags = emptyTags();
    /** The words of each read entry's page. */
    public final long[][] readWords = new long[1 << INDEX_BITS][];
    /** Page number held by each write entry, or -1. */
    public final long[] writeTags = emptyTags();
    /** The bytes of each write entry's page. */
    public final MemorySegment[] writePages = new MemorySegment[1 << INDEX_BITS];
    /** The words of each write entry's page (the same memory as its segment). */
    public final long[][] writeWords = new long[1 << INDEX_BITS][];

    /** The host address of each read entry's page ({@link FastPath#SEGMENT}): what generated code reads through {@link HostMemory}. */
    public final long[] readHosts = new long[1 << INDEX_BITS];
    /** The host address of each write entry's page ({@link FastPath#SEGMENT}). */
    public final long[] writeHosts = new long[1 << INDEX_BITS];

    /**
     * True while no other thread can write the pages of the write entries: narrow stores then
     * read, merge and write back the whole word in {@link #writeWords} (not atomic against a
     * concurrent writer of a neighbouring byte, which is why it takes this promise). The memory
     * model sets it; false, the safe value, by default.
     */
    public boolean soleWriter;

    /**
     * Transfers from one unit straight into the next that the current run may still make
     * ({@link IrUnit#chainDirect}): each costs a JVM frame until the chain returns, so the
     * runner sets this before it calls a unit, and a unit that finds it spent returns.
     */
    public int chainBudget;

    /** The unit that returned to the runner last, when units chain directly (see {@link CompiledUnit#run}). */
    public TranslatedBlock exited;

    private static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** @return the {@code long[]} under {@code bytes} when the fast path can use it, else null */
    private static long[] words(MemorySegment bytes) {
        if (!LITTLE_ENDIAN_HOST || bytes.byteSize() != PAGE_SIZE) {
            return null;
        }
        return bytes.heapBase().orElse(null) instanceof long[] array && array.length == PAGE_SIZE / 8 ? array : null;
    }

    private static long[] emptyTags() {
        long[] tags = new long[1 << INDEX_BITS];
        Arrays.fill(tags, -1);
        return tags;
    }

    /**
     * A load the inline path could not do.
     *
     * @return the {@code size} bytes at {@code address}, zero-extended, in the access's byte order (little-endian)
     */
    public abstract long loadSlow(long address, int size);

    /** A store the inline path could not do: the low {@code size} bytes of {@code value}, little-endian. */
    public abstract void storeSlow(long address, int size, long value);

    /**
     * Called before translated code runs, and by a unit before it enters the next directly: a
     * memory model whose mappings can change under the table drops the entries that may be
     * stale. Nothing by default.
     */
    public void revalidate() {
    }

    /**
     * Makes reads of page {@code number} go straight to {@code bytes}, if it is a page over a
     * {@code long[]} (otherwise they stay on the slow path).
     */
    protected final void fillRead(long number, MemorySegment bytes) {
        long[] array = words(bytes);
        if (array != null) {
            int i = (int) number & INDEX_MASK;
            readWords[i] = array;
            readTags[i] = number;
        }
    }

    /** Makes writes to page {@code number} go straight to {@code bytes}, under the same condition. */
    protected final void fillWrite(long number, MemorySegment bytes) {
        long[] array = words(bytes);
        if (array != null) {
            int i = (int) number & INDEX_MASK;
            writePages[i] = bytes;
            writeWords[i] = array;
            writeTags[i] = number;
        }
    }

    /**
     * Makes reads of page {@code number} by {@link FastPath#SEGMENT} units go straight to the
     * {@link #PAGE_SIZE} bytes of {@code segment} at {@code offset}: an off-heap segment that
     * outlives the entry (generated code reaches it by its host address, {@link HostMemory}).
     */
    protected final void fillReadAt(long number, MemorySegment segment, long offset) {
        checkPage(segment, offset);
        int i = (int) number & INDEX_MASK;
        readHosts[i] = HostMemory.addressOf(segment, offset);
        readTags[i] = number;
    }

    /** Makes writes to page {@code number} by {@link FastPath#SEGMENT} units go straight to {@code segment} at {@code offset}. */
    protected final void fillWriteAt(long number, MemorySegment segment, long offset) {
        checkPage(segment, offset);
        int i = (int) number & INDEX_MASK;
        writeHosts[i] = HostMemory.addressOf(segment, offset);
        writeTags[i] = number;
    }

    private static void checkPage(MemorySegment segment, long offset) {
        if (offset < 0 || offset > segment.byteSize() - PAGE_SIZE || (offset & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("offset " + offset + " is not a page-aligned offset of a whole page in a segment of " + segment.byteSize() + " bytes");
        }
    }

    /** Drops the read and write entries of page {@code number}, if held. */
    public final void drop(long number) {
        int i = (int) number & INDEX_MASK;
        if (readTags[i] == number) {
            readTags[i] = -1;
            readWords[i] = null;
            readHosts[i] = 0;
        }
        if (writeTags[i] == number) {
            writeTags[i] = -1;
            writePages[i] = null;
            writeWords[i] = null;
            writeHosts[i] = 0;
        }
    }

    /** Drops every entry. */
    public final void flush() {
        Arrays.fill(readTags, -1);
        Arrays.fill(writeTags, -1);
        Arrays.fill(readWords, null);
        Arrays.fill(writePages, null);
        Arrays.fill(writeWords, null);
    }
}
