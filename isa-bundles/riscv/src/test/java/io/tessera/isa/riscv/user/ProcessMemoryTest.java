package io.tessera.isa.riscv.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.isa.riscv.GuestFault;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Process images without a CPU: copy-on-write after fork, views of several threads, atomics. */
class ProcessMemoryTest {

    private static final long BASE = 0x10000;
    private static final int RW = ProcessMemory.READ | ProcessMemory.WRITE;

    @Test
    void aForkedImageKeepsItsOwnCopyOfEveryPage() {
        ProcessMemory parent = new ProcessMemory();
        parent.map(BASE, 3 * ProcessMemory.PAGE_SIZE, RW);
        parent.store(BASE + 8, 8, 0x1122334455667788L);
        ProcessMemory child = new ProcessMemory(parent.table.fork());
        assertEquals(0x1122334455667788L, child.load(BASE + 8, 8));
        child.store(BASE + 8, 4, 0xaaaa_aaaaL);
        parent.store(BASE + 16, 1, 0x5a);
        assertEquals(0x11223344aaaaaaaaL, child.load(BASE + 8, 8));
        assertEquals(0x1122334455667788L, parent.load(BASE + 8, 8));
        assertEquals(0, child.load(BASE + 16, 1));
        assertEquals(0x5a, parent.load(BASE + 16, 1));
        // Untouched pages read as zeros in both, and are separate once written.
        child.store(BASE + 2 * ProcessMemory.PAGE_SIZE, 2, 0xbeef);
        assertEquals(0, parent.load(BASE + 2 * ProcessMemory.PAGE_SIZE, 2));
        child.unmap(BASE, ProcessMemory.PAGE_SIZE);
        assertThrows(GuestFault.class, () -> child.load(BASE, 1));
        assertEquals(0x88, parent.load(BASE + 8, 1));
    }

    @Test
    void aThreadSeesMappingsAnotherThreadChanged() {
        ProcessMemory one = new ProcessMemory();
        ProcessMemory two = new ProcessMemory(one.table);
        one.map(BASE, ProcessMemory.PAGE_SIZE, RW);
        one.store(BASE, 4, 7);
        assertEquals(7, two.load(BASE, 4));
        two.unmap(BASE, ProcessMemory.PAGE_SIZE);
        two.map(BASE, ProcessMemory.PAGE_SIZE, RW);
        assertEquals(0, one.load(BASE, 4), "a stale TLB entry of the old page was used");
        one.protect(BASE, ProcessMemory.PAGE_SIZE, ProcessMemory.READ);
        assertThrows(GuestFault.class, () -> two.store(BASE, 4, 1));
    }

    @Test
    void storeConditionalFailsWhenAnotherThreadWroteTheLocation() {
        ProcessMemory one = new ProcessMemory();
        ProcessMemory two = new ProcessMemory(one.table);
        one.map(BASE, ProcessMemory.PAGE_SIZE, RW);
        one.store(BASE, 8, 1);
        assertEquals(1, one.loadReserved(BASE, 8));
        two.store(BASE, 8, 2);
        assertFalse(one.storeConditional(BASE, 8, 3));
        assertEquals(2, one.loadReserved(BASE + 0, 8));
        assertTrue(one.storeConditional(BASE, 8, 3));
        assertEquals(3, two.load(BASE, 8));
        assertTrue(two.compareAndSet(BASE + 4, 4, 0, -1));
        assertEquals(0xffff_ffffL, one.load(BASE + 4, 4));
    }

    @Test
    void compareAndSetCountsExactlyAcrossThreads() throws Exception {
        ProcessMemory shared = new ProcessMemory();
        shared.map(BASE, ProcessMemory.PAGE_SIZE, RW);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            ProcessMemory view = new ProcessMemory(shared.table);
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 50_000; i++) {
                    long old;
                    do {
                        old = view.load(BASE + 64, 4);
                    } while (!view.compareAndSet(BASE + 64, 4, old, old + 1));
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(200_000, shared.load(BASE + 64, 4));
    }
}
