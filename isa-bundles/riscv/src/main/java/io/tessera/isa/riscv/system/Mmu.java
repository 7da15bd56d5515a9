package io.tessera.isa.riscv.system;

import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.BusErrorException;
import io.tessera.core.memory.FlatRange;
import io.tessera.core.memory.RamRegion;
import io.tessera.isa.riscv.Csr;
import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.GuestMemory;
import io.tessera.tcg.HostMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A hart's view of memory: Sv39, Sv48 and Sv57 translation with hardware-managed A and D
 * bits, PMP, and the physical access to RAM or MMIO behind them. Translations of 4 KiB pages
 * are cached in TLBs, one per access kind and context (the effective privilege, and SUM and
 * MXR where they matter), so traps, returns and SUM toggles need no flush and a lookup
 * compares the address alone; the hart tells the MMU when its context changes
 * ({@link #contextChanged()}). SFENCE.VMA with an address drops that page's translations (all
 * of them when a superpage may cover it); SFENCE.VMA without one, satp and PMP writes flush.
 * A page of RAM that one PMP rule covers whole is accessed straight through its memory
 * segment; anything else takes the slow path each time. Misaligned loads and stores are
 * carried out (bytewise when they cross a page), as the ISA allows.
 *
 * <p>The MMU also keeps the hart's {@link CodePage}s, decoded instructions by virtual page.
 */
final class Mmu implements GuestMemory {

    static final int FETCH = 0, LOAD = 1, STORE = 2;

    private static final int PAGE_SHIFT = 12;
    private static final long PAGE_MASK = (1L << PAGE_SHIFT) - 1;
    private static final int TLB_BITS = 8;
    private static final int TLB_MASK = (1 << TLB_BITS) - 1;
    private static final long PPN_MASK = (1L << 44) - 1;
    private static final long PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;
    /** Contexts: privilege (2 bits), SUM (4), MXR (8). */
    private static final int CONTEXTS = 16, CONTEXT_SUM = 4, CONTEXT_MXR = 8;
    private static final int CODE_SETS = 256;

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle ATOMIC_LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle ATOMIC_INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private final SystemHart hart;
    private final Pmp pmp;
    private AddressSpace bus;
    /** What the last LR loaded: SC stores only if the location still holds it. */
    private long reservedValue;

    /**
     * The translations of one access kind in one context: the virtual page (-1 for none), and
     * either the RAM segment and the page's offset in it, or (segment null) the physical page.
     */
    static final class Tlb {
        final long[] tags = new long[1 << TLB_BITS];
        final MemorySegment[] segments = new MemorySegment[1 << TLB_BITS];
        final long[] bases = new long[1 << TLB_BITS];
        /**
         * The host address of each entry's page when it is RAM (the segment's address plus the
         * base), else 0: {@link SystemHart}'s fast loop reads and writes it through
         * {@link HostMemory#ALL}, whose checks HotSpot folds away.
         */
        final long[] hostAddresses = new long[1 << TLB_BITS];
        /** The physical page of each entry. */
        final long[] physical = new long[1 << TLB_BITS];

        Tlb() {
            clear();
        }

        void clear() {
            java.util.Arrays.fill(tags, -1);
            java.util.Arrays.fill(segments, null);
            java.util.Arrays.fill(hostAddresses, 0);
        }

        void drop(long page) {
            int slot = slot(page);
            if (tags[slot] == page) {
                tags[slot] = -1;
                segments[slot] = null;
                hostAddresses[slot] = 0;
            }
        }
    }

    /** By access kind and context, made when first used. */
    private final Tlb[][] tlbs = new Tlb[3][CONTEXTS];
    /** The TLBs of the hart's current context. */
    Tlb fetchTlb, loadTlb, storeTlb;
    /**
     * The soft TLBs of translated code, by load context (the store context is the same
     * without MXR); made when translated code first asks, never filled before.
     */
    private final MachineContext[] machineContexts = new MachineContext[CONTEXTS];
    /** The index of the current load context in {@link #machineContexts}. */
    private int loadContext;
    /**
     * The virtual range that translations from superpages cached since the last flush lie in:
     * SFENCE.VMA for an address in it flushes all, as the leaf entry may cover other pages.
     */
    private long superpageLow = Long.MAX_VALUE, superpageHigh = Long.MIN_VALUE;
    /** The level of the leaf entry of the last walk (0 for a 4 KiB page). */
    private int walkLevel;

    /** Decoded code: two ways per set, by virtual page; way 0 the more recently used. */
    private final CodePage[] codeWay0 = new CodePage[CODE_SETS];
    private final CodePage[] codeWay1 = new CodePage[CODE_SETS];

    Mmu(SystemHart hart, Pmp pmp) {
        this.hart = hart;
        this.pmp = pmp;
        flush();
    }

    void connect(AddressSpace bus) {
        this.bus = bus;
        flush();
    }

    /**
     * Counts the events after which a code page may no longer hold the instructions at its
     * address (in steps of 4; the low two bits of a {@link CodePage}'s generation are the
     * privilege). The architecture lets fetches see stale instructions until FENCE.I, and
     * stale translations until SFENCE.VMA, so those, satp and PMP writes are the only events:
     * stores need no watching. SFENCE.VMA for one page drops that page's code pages instead.
     */
    private long codeEpoch;
    /** {@link #codeEpoch}, also counting SFENCE.VMA for one page: the generation {@link #codeGeneration()} reports. */
    private long mappingEpoch;

    @Override
    public long codeGeneration() {
        return mappingEpoch | hart.core.privilege;
    }

    /** The generation a code page valid now has. */
    long codePageGeneration() {
        return codeEpoch | hart.core.privilege;
    }

    /** FENCE.I instructions this hart executed: the translator checks its code pages after each. */
    long instructionFences;

    @Override
    public void instructionFence() {
        codeEpoch += 4;
        mappingEpoch += 4;
        instructionFences++;
    }

    /** Forgets every cached translation. */
    void flush() {
        codeEpoch += 4;
        mappingEpoch += 4;
        for (Tlb[] kind : tlbs) {
            for (Tlb tlb : kind) {
                if (tlb != null) {
                    tlb.clear();
                }
            }
        }
        for (MachineContext context : machineContexts) {
            if (context != null) {
                context.flush();
            }
        }
        superpageLow = Long.MAX_VALUE;
        superpageHigh = Long.MIN_VALUE;
        contextChanged();
    }

    /** SFENCE.VMA for one virtual address: forgets its page's translations. */
    void flushPage(long address) {
        if (address >= superpageLow && address < superpageHigh) {
            flush();
            return;
        }
        long page = address & ~PAGE_MASK;
        mappingEpoch += 4;
        for (Tlb[] kind : tlbs) {
            for (Tlb tlb : kind) {
                if (tlb != null) {
                    tlb.drop(page);
                }
            }
        }
        for (MachineContext context : machineContexts) {
            if (context != null) {
                context.unmap(page);
            }
        }
        int set = codeSet(page);
        drop(codeWay0[set], page);
        drop(codeWay1[set], page);
    }

    private static void drop(CodePage code, long page) {
        if (code != null && code.vpage == page) {
            code.generation = -1;
        }
    }

    /**
     * Picks the TLBs for the hart's privilege and mstatus (MPRV, MPP, SUM, MXR): the hart calls
     * this whenever any of them may have changed.
     */
    void contextChanged() {
        long status = hart.core.mstatus;
        int sum = (status & Csr.MSTATUS_SUM) != 0 ? CONTEXT_SUM : 0;
        int data = dataPrivilege() | sum;
        loadContext = data | ((status & Csr.MSTATUS_MXR) != 0 ? CONTEXT_MXR : 0);
        fetchTlb = tlb(FETCH, hart.core.privilege);
        loadTlb = tlb(LOAD, loadContext);
        storeTlb = tlb(STORE, data);
    }

    /** The soft TLB of translated code in the current data context (see {@link MachineContext}). */
    MachineContext machineContext() {
        MachineContext context = machineContexts[loadContext];
        if (context == null) {
            context = new MachineContext(this, hart.environment);
            machineContexts[loadContext] = context;
        }
        return context;
    }

    private Tlb tlb(int access, int context) {
        Tlb tlb = tlbs[access][context];
        if (tlb == null) {
            tlb = new Tlb();
            tlbs[access][context] = tlb;
        }
        return tlb;
    }

    private Tlb currentTlb(int access) {
        return access == FETCH ? fetchTlb : access == LOAD ? loadTlb : storeTlb;
    }

    // ---- code pages

    private static int codeSet(long page) {
        long n = page >>> PAGE_SHIFT;
        return (int) (n ^ (n >>> 8) ^ (n >>> 16) ^ (n >>> 24)) & (CODE_SETS - 1);
    }

    /**
     * The decoded instructions of the page holding {@code pc} for the current privilege,
     * checked against memory if anything happened since they were decoded; faults as a fetch
     * at {@code pc} would.
     *
     * @return the page, or null when it is not RAM that PMP lets the hart execute whole (such
     *         code is fetched an instruction at a time)
     */
    CodePage codePage(long pc) {
        int privilege = hart.core.privilege;
        long generation = codeEpoch | privilege;
        long page = pc & ~PAGE_MASK;
        int set = codeSet(page);
        CodePage first = codeWay0[set];
        CodePage second = codeWay1[set];
        CodePage code = null;
        if (first != null && first.vpage == page && first.privilege == privilege) {
            code = first;
        } else if (second != null && second.vpage == page && second.privilege == privilege) {
            code = second;
            codeWay0[set] = second;
            codeWay1[set] = first;
        }
        if (code != null && code.generation == generation) {
            return code;
        }
        // The fetch TLB, filled by a walk if need be, knows whether the page is executable RAM.
        Tlb tlb = fetchTlb;
        int slot = slot(page);
        if (tlb.tags[slot] != page) {
            translate(pc, FETCH, 2);
            if (tlb.tags[slot] != page) {
                return null;
            }
        }
        MemorySegment segment = tlb.segments[slot];
        if (segment == null) {
            return null;
        }
        long at = tlb.bases[slot];
        if (code == null) {
            // Way 1, the less recently used, makes room; way 0 becomes it.
            code = second != null ? second : new CodePage();
            codeWay1[set] = first;
            codeWay0[set] = code;
            code.load(page, privilege, segment, at);
        } else if (!code.holds(segment, at)) {
            code.load(page, privilege, segment, at);
        }
        code.generation = generation;
        return code;
    }

    /**
     * Where the instructions of the page holding {@code pc} are in RAM, for the translator:
     * the fetch TLB's entry for it, filled by a walk if need be (which faults as a fetch at
     * {@code pc} would).
     *
     * @return the TLB slot of the page, whose {@code physical}, {@code segments} and
     *         {@code bases} describe it; -1 when the page is not RAM that PMP lets the hart
     *         execute whole (such code is interpreted)
     */
    int codeSlot(long pc) {
        Tlb tlb = fetchTlb;
        int slot = slot(pc);
        long page = pc & ~PAGE_MASK;
        if (tlb.tags[slot] != page) {
            translate(pc, FETCH, 2);
            if (tlb.tags[slot] != page) {
                return -1;
            }
        }
        return tlb.segments[slot] == null ? -1 : slot;
    }

    /** @return the RAM page at physical address {@code address} (page aligned), or null when it is not RAM */
    MemorySegment ramPage(long address) {
        Optional<FlatRange> found = bus.lookup(address);
        if (found.isPresent() && found.get().region() instanceof RamRegion ram && found.get().end() - address > PAGE_MASK) {
            return ram.segment().asSlice(address - found.get().start() + found.get().regionOffset(), PAGE_MASK + 1);
        }
        return null;
    }

    // ---- the GuestMemory the interpreter uses

    /** The tag a TLB entry must have for an access: the page, with the low bits of a misaligned address kept so that it misses. */
    static long key(long address, int size) {
        return address & ~(PAGE_MASK & ~(size - 1));
    }

    @Override
    public long load(long address, int size) {
        Tlb tlb = loadTlb;
        int slot = slot(address);
        if (tlb.tags[slot] == key(address, size)) {
            MemorySegment segment = tlb.segments[slot];
            if (segment != null) {
                return read(segment, tlb.bases[slot] + (address & PAGE_MASK), size);
            }
        }
        return loadSlow(address, size);
    }

    private long loadSlow(long address, int size) {
        if (crossesPage(address, size)) {
            return loadBytewise(address, size);
        }
        Tlb tlb = loadTlb;
        int slot = slot(address);
        long page = address & ~PAGE_MASK;
        if (tlb.tags[slot] != page) {
            long physical = translate(address, LOAD, size);
            if (tlb.tags[slot] != page) {
                return readPhysical(physical, size, LOAD, address);
            }
        }
        MemorySegment segment = tlb.segments[slot];
        long at = tlb.bases[slot] + (address & PAGE_MASK);
        return segment != null ? read(segment, at, size) : readPhysical(at, size, LOAD, address);
    }

    @Override
    public void store(long address, int size, long value) {
        Tlb tlb = storeTlb;
        int slot = slot(address);
        if (tlb.tags[slot] == key(address, size)) {
            MemorySegment segment = tlb.segments[slot];
            if (segment != null) {
                write(segment, tlb.bases[slot] + (address & PAGE_MASK), size, value);
                return;
            }
        }
        storeSlow(address, size, value);
    }

    private void storeSlow(long address, int size, long value) {
        if (crossesPage(address, size)) {
            // Translate every byte first, so that a fault leaves memory untouched.
            for (int i = 0; i < size; i++) {
                translate(address + i, STORE, 1);
            }
            for (int i = 0; i < size; i++) {
                store(address + i, 1, value >>> (8 * i));
            }
            return;
        }
        Tlb tlb = storeTlb;
        int slot = slot(address);
        long page = address & ~PAGE_MASK;
        if (tlb.tags[slot] != page) {
            long physical = translate(address, STORE, size);
            if (tlb.tags[slot] != page) {
                writePhysical(physical, size, value, address);
                return;
            }
        }
        MemorySegment segment = tlb.segments[slot];
        long at = tlb.bases[slot] + (address & PAGE_MASK);
        if (segment != null) {
            write(segment, at, size, value);
        } else {
            writePhysical(at, size, value, address);
        }
    }

    @Override
    public int fetch16(long address) {
        Tlb tlb = fetchTlb;
        int slot = slot(address);
        long page = address & ~PAGE_MASK;
        if (tlb.tags[slot] != page) {
            long physical = translate(address, FETCH, 2);
            if (tlb.tags[slot] != page) {
                return (int) readPhysical(physical, 2, FETCH, address);
            }
        }
        MemorySegment segment = tlb.segments[slot];
        long at = tlb.bases[slot] + (address & PAGE_MASK);
        return segment != null ? segment.get(SHORT, at) & 0xffff : (int) readPhysical(at, 2, FETCH, address);
    }

    // ---- atomics: AMOs and LR/SC are atomic against the other harts' on RAM

    @Override
    public long loadForUpdate(long address, int size) {
        MemorySegment segment = writableRam(address, size);
        if (segment == null) {
            return readPhysical(translate(address, STORE, size), size, STORE, address);
        }
        return read(segment, ramOffset(address), size);
    }

    @Override
    public boolean compareAndSet(long address, int size, long expected, long value) {
        MemorySegment segment = writableRam(address, size);
        if (segment == null) {
            // MMIO has no atomics of its own: one device access at a time is all there is.
            long physical = translate(address, STORE, size);
            long mask = size == 4 ? 0xffff_ffffL : -1L;
            if ((readPhysical(physical, size, STORE, address) & mask) != (expected & mask)) {
                return false;
            }
            writePhysical(physical, size, value, address);
            return true;
        }
        long at = ramOffset(address);
        return size == 4 ? ATOMIC_INT.compareAndSet(segment, at, (int) expected, (int) value)
                : ATOMIC_LONG.compareAndSet(segment, at, expected, value);
    }

    @Override
    public long loadReserved(long address, int size) {
        reservedValue = load(address, size);
        return reservedValue;
    }

    /** SC succeeds while the reserved location still holds what LR loaded (no other hart changed it). */
    @Override
    public boolean storeConditional(long address, int size, long value) {
        return compareAndSet(address, size, reservedValue, value);
    }

    /** The RAM segment behind an aligned store, through the store TLB; null for MMIO or a PMP-split page. */
    private MemorySegment writableRam(long address, int size) {
        Tlb tlb = storeTlb;
        int slot = slot(address);
        long page = address & ~PAGE_MASK;
        if (tlb.tags[slot] != page) {
            translate(address, STORE, size);
            if (tlb.tags[slot] != page) {
                return null;
            }
        }
        return tlb.segments[slot];
    }

    private long ramOffset(long address) {
        return storeTlb.bases[slot(address)] + (address & PAGE_MASK);
    }

    private static boolean crossesPage(long address, int size) {
        return ((address ^ (address + size - 1)) & ~PAGE_MASK) != 0;
    }

    private long loadBytewise(long address, int size) {
        long value = 0;
        for (int i = 0; i < size; i++) {
            value |= load(address + i, 1) << (8 * i);
        }
        return value;
    }

    static int slot(long address) {
        return (int) (address >>> PAGE_SHIFT) & TLB_MASK;
    }

    /** Loads and stores use mstatus.MPP's privilege when M-mode sets MPRV. */
    private int dataPrivilege() {
        int privilege = hart.core.privilege;
        long status = hart.core.mstatus;
        if (privilege == Csr.PRV_M && (status & Csr.MSTATUS_MPRV) != 0) {
            return (int) (status >>> Csr.MSTATUS_MPP_SHIFT) & 3;
        }
        return privilege;
    }

    // ---- translation

    /**
     * Translates an access, checks PMP, and caches the page in the TLB when PMP allows all of
     * it alike.
     *
     * @return the physical address
     */
    long translate(long address, int access, int size) {
        int privilege = access == FETCH ? hart.core.privilege : dataPrivilege();
        long status = hart.core.mstatus;
        walkLevel = 0;
        long physical = walk(address, access, privilege, (status & Csr.MSTATUS_SUM) != 0, (status & Csr.MSTATUS_MXR) != 0);
        int kind = pmpKind(access);
        long page = physical & ~PAGE_MASK;
        Pmp.Decision whole = pmp.decide(page, PAGE_MASK + 1, kind, privilege);
        if (whole == Pmp.Decision.DENY || (whole == Pmp.Decision.PARTIAL && !pmp.allows(physical, size, kind, privilege))) {
            throw accessFault(access, address);
        }
        if (whole == Pmp.Decision.ALLOW) {
            fill(address, access, page);
        }
        return physical;
    }

    private void fill(long address, int access, long page) {
        int slot = slot(address);
        if (walkLevel > 0) {
            long span = 1L << (PAGE_SHIFT + 9 * walkLevel);
            long low = address & -span;
            superpageLow = Math.min(superpageLow, low);
            superpageHigh = Math.max(superpageHigh, low + span);
        }
        Optional<FlatRange> found = bus.lookup(page);
        MemorySegment segment = null;
        long base = page;
        if (found.isPresent() && found.get().region() instanceof RamRegion ram && found.get().end() - page > PAGE_MASK
                && (access != STORE || !ram.isReadOnly())) {
            segment = ram.segment();
            base = page - found.get().start() + found.get().regionOffset();
        }
        Tlb tlb = currentTlb(access);
        long vpage = address & ~PAGE_MASK;
        tlb.tags[slot] = vpage;
        tlb.segments[slot] = segment;
        tlb.bases[slot] = base;
        tlb.hostAddresses[slot] = segment == null ? 0 : HostMemory.addressOf(segment, base);
        tlb.physical[slot] = page;
        MachineContext context = machineContexts[loadContext];
        // A page at an offset that is no page boundary of its segment (RAM mapped at an odd address) stays on the slow path.
        if (segment != null && context != null && access != FETCH && (base & PAGE_MASK) == 0) {
            if (access == LOAD) {
                context.mapRead(vpage, segment, base);
            } else {
                context.mapWrite(vpage, segment, base);
            }
        }
    }

    private static int pmpKind(int access) {
        return access == FETCH ? Pmp.EXEC : access == LOAD ? Pmp.READ : Pmp.WRITE;
    }

    private long walk(long address, int access, int privilege, boolean sum, boolean mxr) {
        long satp = hart.satp;
        int mode = (int) (satp >>> 60);
        if (privilege == Csr.PRV_M || mode == 0) {
            return address;
        }
        int levels = mode - 5;
        int vaBits = PAGE_SHIFT + 9 * levels;
        long top = address >> (vaBits - 1);
        if (top != 0 && top != -1) {
            throw pageFault(access, address);
        }
        long physical;
        do {
            physical = walkOnce(address, access, privilege, sum, mxr, levels);
        } while (physical == RETRY);
        return physical;
    }

    /** Physical addresses have 56 bits: this is never one. */
    private static final long RETRY = -1;

    private long walkOnce(long address, int access, int privilege, boolean sum, boolean mxr, int levels) {
        long table = (hart.satp & PPN_MASK) << PAGE_SHIFT;
        for (int level = levels - 1; level >= 0; level--) {
            long entryAddress = table + ((address >>> (PAGE_SHIFT + 9 * level)) & 0x1ff) * 8;
            long pte = readPageTableEntry(entryAddress, access, address);
            if ((pte & PTE_V) == 0 || (pte & (PTE_R | PTE_W)) == PTE_W || (pte >>> 54) != 0) {
                throw pageFault(access, address);
            }
            long ppn = (pte >>> 10) & PPN_MASK;
            if ((pte & (PTE_R | PTE_X)) == 0) {
                table = ppn << PAGE_SHIFT;
                continue;
            }
            if (!permits(pte, access, privilege, sum, mxr) || (ppn & ((1L << (9 * level)) - 1)) != 0) {
                throw pageFault(access, address);
            }
            long wanted = pte | PTE_A | (access == STORE ? PTE_D : 0);
            if (wanted != pte && !updatePageTableEntry(entryAddress, pte, wanted, access, address)) {
                return RETRY;
            }
            walkLevel = level;
            long offsetMask = (1L << (PAGE_SHIFT + 9 * level)) - 1;
            return ((ppn << PAGE_SHIFT) & ~offsetMask) | (address & offsetMask);
        }
        throw pageFault(access, address);
    }

    private static boolean permits(long pte, int access, int privilege, boolean sum, boolean mxr) {
        if ((pte & PTE_U) != 0) {
            if (privilege == Csr.PRV_S && (access == FETCH || !sum)) {
                return false;
            }
        } else if (privilege == Csr.PRV_U) {
            return false;
        }
        return switch (access) {
            case FETCH -> (pte & PTE_X) != 0;
            case LOAD -> (pte & PTE_R) != 0 || (mxr && (pte & PTE_X) != 0);
            default -> (pte & PTE_W) != 0;
        };
    }

    private long readPageTableEntry(long entryAddress, int access, long address) {
        if (!pmp.allows(entryAddress, 8, Pmp.READ, Csr.PRV_S)) {
            throw accessFault(access, address);
        }
        Optional<FlatRange> found = bus.lookup(entryAddress);
        if (found.isEmpty() || !(found.get().region() instanceof RamRegion ram)) {
            throw accessFault(access, address);
        }
        return (long) ATOMIC_LONG.getVolatile(ram.segment(), entryAddress - found.get().start() + found.get().regionOffset());
    }

    /** Sets A (and D) atomically, as another hart may be walking or the kernel changing the entry. */
    private boolean updatePageTableEntry(long entryAddress, long expected, long wanted, int access, long address) {
        if (!pmp.allows(entryAddress, 8, Pmp.WRITE, Csr.PRV_S)) {
            throw accessFault(access, address);
        }
        FlatRange range = bus.lookup(entryAddress).orElseThrow(() -> accessFault(access, address));
        if (!(range.region() instanceof RamRegion ram) || ram.isReadOnly()) {
            throw accessFault(access, address);
        }
        return ATOMIC_LONG.compareAndSet(ram.segment(), entryAddress - range.start() + range.regionOffset(), expected, wanted);
    }

    // ---- physical access

    private long readPhysical(long physical, int size, int access, long address) {
        try {
            return bus.read(physical, size);
        } catch (BusErrorException e) {
            throw accessFault(access, address);
        }
    }

    private void writePhysical(long physical, int size, long value, long address) {
        try {
            bus.write(physical, size, value);
        } catch (BusErrorException e) {
            throw accessFault(STORE, address);
        }
    }

    static long read(MemorySegment segment, long at, int size) {
        return switch (size) {
            case 1 -> segment.get(ValueLayout.JAVA_BYTE, at) & 0xffL;
            case 2 -> segment.get(SHORT, at) & 0xffffL;
            case 4 -> segment.get(INT, at) & 0xffff_ffffL;
            default -> segment.get(LONG, at);
        };
    }

    static void write(MemorySegment segment, long at, int size, long value) {
        switch (size) {
            case 1 -> segment.set(ValueLayout.JAVA_BYTE, at, (byte) value);
            case 2 -> segment.set(SHORT, at, (short) value);
            case 4 -> segment.set(INT, at, (int) value);
            default -> segment.set(LONG, at, value);
        }
    }

    private static GuestFault pageFault(int access, long address) {
        return new GuestFault(switch (access) {
            case FETCH -> Csr.CAUSE_FETCH_PAGE_FAULT;
            case LOAD -> Csr.CAUSE_LOAD_PAGE_FAULT;
            default -> Csr.CAUSE_STORE_PAGE_FAULT;
        }, address);
    }

    private static GuestFault accessFault(int access, long address) {
        return new GuestFault(switch (access) {
            case FETCH -> GuestFault.INSTRUCTION_ACCESS;
            case LOAD -> GuestFault.LOAD_ACCESS;
            default -> GuestFault.STORE_ACCESS;
        }, address);
    }
}
