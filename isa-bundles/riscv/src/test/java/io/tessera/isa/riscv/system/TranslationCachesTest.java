package io.tessera.isa.riscv.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.isa.CpuConfig;
import io.tessera.core.isa.TranslatingCpu;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.memory.RamRegion;
import io.tessera.core.runtime.clock.HostVirtualClock;
import io.tessera.core.runtime.memory.FlatAddressSpace;
import io.tessera.isa.riscv.RiscvIsa;
import io.tessera.isa.riscv.platform.Timebase;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the hart caches about memory (decoded code pages, TLBs per context) follows the
 * architecture's rules for when it must see changes: SFENCE.VMA for one page (also one inside
 * a superpage), FENCE.I after storing instructions, and SUM toggled with no fence at all; so
 * does what the translator caches (units keyed by the physical page, dropped at FENCE.I when
 * their page's bytes changed). A bare-metal program, assembled by the cross compiler, runs in
 * S-mode under Sv39 and leaves what it saw in memory.
 */
class TranslationCachesTest {

    private static final long RAM = 0x8000_0000L;
    private static final long ROOT = 0x8010_0000L, L1 = 0x8010_1000L, L0 = 0x8010_2000L;
    private static final long RESULTS = 0x8020_0000L;
    private static final long CODE_A = 0x8001_0000L, CODE_B = 0x8001_1000L;
    private static final long V = 1, R = 2, W = 4, X = 8, U = 16, A = 64, D = 128;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final String PROGRAM = """
            .option norvc
            .text
            .globl _start
        _start:
            li t0, -1
            csrw pmpaddr0, t0
            li t0, 0x1f
            csrw pmpcfg0, t0
            li t0, (1 << 12) | (1 << 13) | (1 << 15)
            csrw medeleg, t0
            lla t0, s_trap
            csrw stvec, t0
            li t0, (8 << 60) | (0x80100000 >> 12)
            csrw satp, t0
            sfence.vma
            li t0, 1 << 11              # MPP = S
            csrw mstatus, t0
            lla t0, s_main
            csrw mepc, t0
            mret

        s_main:
            li s0, 0x80200000           # results
            # 1: the code page at 0x40000000 is remapped; SFENCE.VMA for that page
            li s1, 0x40000000
            jalr s1
            sd a0, 0(s0)
            li t0, 0x80102000           # L0[0] -> CODE_B
            li t1, ((0x80011000 >> 12) << 10) | 0x4b
            sd t1, 0(t0)
            sfence.vma s1
            jalr s1
            sd a0, 8(s0)
            # 2: a 2 MiB superpage is remapped; SFENCE.VMA for another page inside it
            li s2, 0x40200000
            ld t0, 0(s2)
            sd t0, 16(s0)
            li t1, 0x1000
            add t1, s2, t1
            ld t0, 0(t1)
            sd t0, 24(s0)
            li t0, 0x80101000 + 8       # L1[1] -> 0x80600000
            li t2, ((0x80600000 >> 12) << 10) | 0xc7
            sd t2, 0(t0)
            sfence.vma t1
            ld t0, 0(s2)
            sd t0, 32(s0)
            # 3: an instruction stored, then FENCE.I
            call smc
            sd a0, 40(s0)
            lla t0, smc
            li t1, 0x00600513           # addi a0, zero, 6
            sw t1, 0(t0)
            fence.i
            call smc
            sd a0, 48(s0)
            # 4: a user page read with SUM set, clear, set again (no fence: none is needed)
            li s3, 0x40001000
            li t0, 1 << 18
            csrs sstatus, t0
            ld t1, 0(s3)
            sd t1, 56(s0)
            csrc sstatus, t0
            li t1, 0
            ld t1, 0(s3)                # faults: the handler records scause and skips it
            sd t1, 72(s0)
            csrs sstatus, t0
            ld t1, 0(s3)
            sd t1, 80(s0)
            li t0, 0x600d
            sd t0, 120(s0)
        1:  j 1b

        smc:
            addi a0, zero, 5
            ret

            .balign 4
        s_trap:
            csrr t6, scause
            sd t6, 64(s0)
            csrr t6, sepc
            addi t6, t6, 4
            csrw sepc, t6
            sret
        """;

    /**
     * The hart's interpreter, then the translator translating everything before its first run
     * (every instruction goes through a unit), then tiered with a low threshold (units and the
     * interpreter mixed, and the stored instruction's page translated before the store).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"interpreter", "translator, threshold 0", "translator, threshold 2"})
    void cachedCodeAndTranslationsFollowFencesAndContext(String engine, @TempDir Path work) throws Exception {
        byte[] image = BareMetalImage.assemble(work, "caches", PROGRAM);
        ContainerRegion root = new ContainerRegion("root", 1L << 40);
        RamRegion ram = RamRegion.ram("ram", 16 << 20);
        root.addSubregion(RAM, ram);
        MemorySegment m = ram.segment();
        MemorySegment.copy(image, 0, m, ValueLayout.JAVA_BYTE, 0, image.length);
        // Page tables: 0x80000000 identity-mapped by a 1 GiB page; 0x40000000 (code), 0x40001000
        // (a user page) by 4 KiB pages, 0x40200000 by a 2 MiB page.
        m.set(LONG, ROOT - RAM + 8, pte(L1, V));
        m.set(LONG, ROOT - RAM + 16, pte(RAM, V | R | W | X | A | D));
        m.set(LONG, L1 - RAM, pte(L0, V));
        m.set(LONG, L1 - RAM + 8, pte(0x8040_0000L, V | R | W | A | D));
        m.set(LONG, L0 - RAM, pte(CODE_A, V | R | X | A));
        m.set(LONG, L0 - RAM + 8, pte(0x8080_0000L, V | R | W | U | A | D));
        for (long[] code : new long[][] {{CODE_A, 1}, {CODE_B, 2}}) {
            m.set(INT, code[0] - RAM, 0x0000_0513 | (int) code[1] << 20); // addi a0, zero, n
            m.set(INT, code[0] - RAM + 4, 0x0000_8067); // ret
        }
        m.set(LONG, 0x8040_0000L - RAM, 0x1111);
        m.set(LONG, 0x8040_1000L - RAM, 0x2222);
        m.set(LONG, 0x8060_0000L - RAM, 0x3333);
        m.set(LONG, 0x8060_1000L - RAM, 0x4444);
        m.set(LONG, 0x8080_0000L - RAM, 0x7777);

        String statistics;
        try (HostVirtualClock clock = new HostVirtualClock("test", true)) {
            SystemHart hart = (SystemHart) new RiscvIsa().createCpu(new CpuConfig(0, "rv64"));
            hart.connect(new FlatAddressSpace("bus", root), new Timebase(clock, 10_000_000));
            hart.setPc(RAM);
            TranslatingCpu.SharedTranslations translations = engine.startsWith("translator")
                    ? hart.newSharedTranslations(Integer.parseInt(engine.substring(engine.lastIndexOf(' ') + 1)), 1 << 20)
                    : null;
            for (int i = 0; i < 1000 && m.get(LONG, RESULTS - RAM + 120) != 0x600d; i++) {
                if (translations == null) {
                    hart.interpret(1000);
                } else {
                    hart.runTranslated(1000, translations);
                }
            }
            statistics = translations == null ? null : translations.statistics();
        }
        assertEquals(0x600d, result(m, 15), "the program did not finish");
        assertEquals(1, result(m, 0), "code at 0x40000000 before the remap");
        assertEquals(2, result(m, 1), "code at 0x40000000 after the remap and SFENCE.VMA of its page");
        assertEquals(0x1111, result(m, 2));
        assertEquals(0x2222, result(m, 3));
        assertEquals(0x3333, result(m, 4), "a superpage remapped, SFENCE.VMA of another page in it");
        assertEquals(5, result(m, 5));
        assertEquals(6, result(m, 6), "an instruction stored, then FENCE.I");
        assertEquals(0x7777, result(m, 7), "a user page with SUM set");
        assertEquals(13, result(m, 8), "a load page fault with SUM clear");
        assertEquals(0, result(m, 9), "the faulting load wrote nothing");
        assertEquals(0x7777, result(m, 10), "SUM set again");
        if (statistics != null) {
            // Threshold 0 translated the stored instruction's page before the store: FENCE.I drops it.
            String expected = engine.endsWith(" 0") ? "blocks cached [1-9].*FENCE.I [1-9]\\d* \\(pages invalidated [1-9].*"
                    : "blocks cached [1-9].*FENCE.I [1-9].*";
            assertTrue(statistics.matches(expected), statistics);
        }
    }

    private static long pte(long physical, long flags) {
        return (physical >>> 12) << 10 | flags;
    }

    private static long result(MemorySegment m, int index) {
        return m.get(LONG, RESULTS - RAM + 8L * index);
    }
}
