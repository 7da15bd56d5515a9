package io.tessera.tcg;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/** Guest state and memory for the translator's own tests: four registers, a pc, a count and RAM pages. */
public final class TestState {
    public final long[] r = new long[4];
    public long pc;
    public long count;

    /** RAM: pages made on first touch below {@code limit}; above it, every access faults. */
    public static final class Memory extends SoftTlb {
        final Map<Long, MemorySegment> pages = new HashMap<>();
        final long limit;
        int slowLoads;
        int slowStores;

        public Memory(long limit) {
            this.limit = limit;
        }

        MemorySegment page(long address) {
            if (address >= limit) {
                throw new IllegalStateException("fault at " + address);
            }
            return pages.computeIfAbsent(address >>> PAGE_BITS, n -> MemorySegment.ofArray(new long[PAGE_SIZE / 8]));
        }

        @Override
        public long loadSlow(long address, int size) {
            slowLoads++;
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (page(address + i).get(BYTE, (address + i) & (PAGE_SIZE - 1)) & 0xffL) << (8 * i);
            }
            fillRead(address >>> PAGE_BITS, page(address));
            return v;
        }

        @Override
        public void storeSlow(long address, int size, long value) {
            slowStores++;
            for (int i = 0; i < size; i++) {
                page(address + i).set(BYTE, (address + i) & (PAGE_SIZE - 1), (byte) (value >>> (8 * i)));
            }
            fillWrite(address >>> PAGE_BITS, page(address));
        }
    }
}
