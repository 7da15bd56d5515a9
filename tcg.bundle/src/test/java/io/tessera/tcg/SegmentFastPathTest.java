package io.tessera.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import org.junit.jupiter.api.Test;

/** Units compiled for {@link FastPath#SEGMENT} load and store a page of a larger off-heap segment inline. */
class SegmentFastPathTest {

    private static final MethodHandles.Lookup HOST = MethodHandles.lookup();
    /** Guest page 0x40 lives at this offset of the RAM segment. */
    private static final long PAGE_OFFSET = 3 * SoftTlb.PAGE_SIZE;
    private static final long GUEST = 0x40L << SoftTlb.PAGE_BITS;

    /** One RAM segment; the slow path maps guest page 0x40 into it and counts the calls. */
    private static final class Ram extends SoftTlb {
        final MemorySegment segment = Arena.ofAuto().allocate(8 * PAGE_SIZE, PAGE_SIZE);
        int slowLoads;
        int slowStores;

        private long offset(long address) {
            if (address >>> PAGE_BITS != 0x40) {
                throw new IllegalStateException("fault at " + Long.toHexString(address));
            }
            return PAGE_OFFSET + (address & (PAGE_SIZE - 1));
        }

        @Override
        public long loadSlow(long address, int size) {
            slowLoads++;
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= (segment.get(BYTE, offset(address + i)) & 0xffL) << (8 * i);
            }
            fillReadAt(address >>> PAGE_BITS, segment, PAGE_OFFSET);
            return v;
        }

        @Override
        public void storeSlow(long address, int size, long value) {
            slowStores++;
            for (int i = 0; i < size; i++) {
                segment.set(BYTE, offset(address + i), (byte) (value >>> (8 * i)));
            }
            fillWriteAt(address >>> PAGE_BITS, segment, PAGE_OFFSET);
        }
    }

    private static final MemOp[] LOADS = {MemOp.le(1, true), MemOp.le(1, false), MemOp.le(2, true), MemOp.le(2, false), MemOp.le(4, true),
        MemOp.le(4, false), MemOp.le(8, false)};

    private static IrUnit segmentUnit() {
        IrUnit u = new IrUnit(TestState.class);
        u.fastPath(FastPath.SEGMENT);
        return u;
    }

    private static int reg(IrUnit u, int i) {
        return u.global("r" + i, GlobalBinding.arrayElement(TestState.class, "r", i));
    }

    @Test
    void loadsAndStoresOfEveryWidthGoStraightToTheSegment() {
        IrUnit u = segmentUnit();
        int address = reg(u, 0);
        int value = reg(u, 1);
        int sum = reg(u, 2);
        for (int size = 1; size <= 8; size *= 2) {
            // Each width stores the value at its own aligned slot: address + 16 * size.
            u.store(MemOp.le(size, false), u.binary(Opcode.ADD, address, u.constant(Type.I64, 16L * size)), value);
        }
        // The loads read the 8-byte slot back: their results are mixed into one checksum.
        int slot = u.binary(Opcode.ADD, address, u.constant(Type.I64, 128));
        for (MemOp m : LOADS) {
            int loaded = u.load(m, slot);
            u.mov(sum, u.binary(Opcode.ADD, u.binary(Opcode.MUL, sum, u.constant(Type.I64, 31)), loaded));
        }
        u.exitTb();
        CompiledUnit code = UnitCompiler.compile(u, HOST, true).code();

        Ram ram = new Ram();
        long stored = 0xfedc_ba98_8765_4321L;
        TestState first = new TestState();
        first.r[0] = GUEST;
        first.r[1] = stored;
        code.run(first, ram);
        assertEquals(1, ram.slowStores, "the first store misses, the rest hit");
        assertEquals(1, ram.slowLoads, "the first load misses, the rest hit");

        TestState second = new TestState();
        second.r[0] = GUEST;
        second.r[1] = stored;
        code.run(second, ram);
        assertEquals(1, ram.slowStores, "a filled entry takes every store inline");
        assertEquals(1, ram.slowLoads, "a filled entry takes every load inline");

        long want = 0;
        long[] loads = {(byte) stored, stored & 0xff, (short) stored, stored & 0xffff, (int) stored, stored & 0xffff_ffffL, stored};
        for (long l : loads) {
            want = want * 31 + l;
        }
        assertEquals(want, second.r[2]);
        for (int size = 1; size <= 8; size *= 2) {
            long mask = size == 8 ? -1 : (1L << (8 * size)) - 1;
            long inRam = 0;
            for (int i = 0; i < 8; i++) {
                inRam |= (ram.segment.get(SoftTlb.BYTE, PAGE_OFFSET + 16L * size + i) & 0xffL) << (8 * i);
            }
            assertEquals(stored & mask, inRam, size + "-byte store wrote its bytes at the page's offset and none beyond");
        }
    }

    @Test
    void misalignedAccessesAndDroppedEntriesTakeTheSlowPath() {
        IrUnit u = segmentUnit();
        int address = reg(u, 0);
        int out = reg(u, 2);
        u.mov(out, u.load(MemOp.le(4, false), address));
        u.exitTb();
        CompiledUnit code = UnitCompiler.compile(u, HOST, true).code();
        Ram ram = new Ram();
        ram.segment.set(SoftTlb.LONG_LE, PAGE_OFFSET + 8, 0x1122_3344_5566_7788L);
        TestState s = new TestState();
        s.r[0] = GUEST + 8;
        code.run(s, ram);
        code.run(s, ram);
        assertEquals(1, ram.slowLoads);
        assertEquals(0x5566_7788L, s.r[2]);
        s.r[0] = GUEST + 9;
        code.run(s, ram);
        assertEquals(2, ram.slowLoads, "a misaligned load goes to the slow path");
        assertEquals(0x4455_6677L, s.r[2]);
        ram.drop(0x40);
        s.r[0] = GUEST + 8;
        code.run(s, ram);
        assertEquals(3, ram.slowLoads, "a dropped entry misses");
    }
}
