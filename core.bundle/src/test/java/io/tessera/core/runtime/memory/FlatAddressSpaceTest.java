package io.tessera.core.runtime.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.memory.AccessKind;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.AliasRegion;
import io.tessera.core.memory.BusErrorException;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.memory.FlatRange;
import io.tessera.core.memory.IommuTranslator;
import io.tessera.core.memory.MmioHandler;
import io.tessera.core.memory.MmioRegion;
import io.tessera.core.memory.OverlapException;
import io.tessera.core.memory.RamRegion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlatAddressSpaceTest {

    /** An MMIO block that records every access it receives and reads back the last written value. */
    static final class RecordingHandler implements MmioHandler {
        final List<String> log = new ArrayList<>();
        long register;

        @Override
        public long read(long offset, int size) {
            log.add("r" + size + "@" + offset);
            return register >>> (8 * offset);
        }

        @Override
        public void write(long offset, int size, long value) {
            log.add("w" + size + "@" + offset + "=" + Long.toHexString(value));
            register = value;
        }
    }

    private static ContainerRegion system() {
        return new ContainerRegion("system", Long.MAX_VALUE);
    }

    @Test
    void ramReadsBackLittleEndianAtEverySize() {
        ContainerRegion root = system();
        try (RamRegion ram = RamRegion.ram("ram", 0x10000)) {
            root.addSubregion(0x8000_0000L, ram);
            AddressSpace as = AddressSpace.create("test", root);
            as.write(0x8000_0010L, 8, 0x1122_3344_5566_7788L);
            assertEquals(0x88, as.read(0x8000_0010L, 1));
            assertEquals(0x7788, as.read(0x8000_0010L, 2));
            assertEquals(0x5566_7788L, as.read(0x8000_0010L, 4));
            assertEquals(0x1122_3344_5566_7788L, as.read(0x8000_0010L, 8));
            assertEquals(0x11, as.read(0x8000_0017L, 1));
        }
    }

    @Test
    void unmappedAccessIsABusErrorNamingTheAddress() {
        AddressSpace as = AddressSpace.create("test", system());
        BusErrorException e = assertThrows(BusErrorException.class, () -> as.read(0x1234, 4));
        assertEquals(0x1234, e.address());
        assertEquals(AccessKind.READ, e.access());
        assertTrue(e.getMessage().contains("0x1234"), e.getMessage());
    }

    @Test
    void romRefusesWritesButReadsItsContents() {
        ContainerRegion root = system();
        try (RamRegion rom = RamRegion.rom("boot", 0x1000, new byte[] {1, 2, 3, 4})) {
            root.addSubregion(0x1000, rom);
            AddressSpace as = AddressSpace.create("test", root);
            assertEquals(0x04030201L, as.read(0x1000, 4));
            assertThrows(BusErrorException.class, () -> as.write(0x1000, 4, 0));
            assertThrows(BusErrorException.class, () -> as.write(0x1000, new byte[2], 0, 2));
            assertEquals(0x04030201L, as.read(0x1000, 4));
        }
    }

    @Test
    void siblingsOfDefaultPriorityMayNotOverlap() {
        ContainerRegion root = system();
        try (RamRegion a = RamRegion.ram("a", 0x2000); RamRegion b = RamRegion.ram("b", 0x1000)) {
            root.addSubregion(0x0, a);
            OverlapException e = assertThrows(OverlapException.class, () -> root.addSubregion(0x1000, b));
            assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("'a'"), e.getMessage());
            assertEquals(1, root.placements().size());
            assertEquals(null, b.parent(), "a refused region stays unplaced");
        }
    }

    @Test
    void equalPrioritiesMayNotOverlapEvenWhenOverlapIsAllowed() {
        ContainerRegion root = system();
        try (RamRegion a = RamRegion.ram("a", 0x2000); RamRegion b = RamRegion.ram("b", 0x1000)) {
            root.addSubregionOverlap(0x0, a, 1);
            assertThrows(OverlapException.class, () -> root.addSubregionOverlap(0x1000, b, 1));
        }
    }

    @Test
    void higherPriorityWinsAndLowerShowsAroundIt() {
        ContainerRegion root = system();
        RecordingHandler device = new RecordingHandler();
        try (RamRegion ram = RamRegion.ram("ram", 0x3000)) {
            root.addSubregionOverlap(0x0, ram, 0);
            root.addSubregionOverlap(0x1000, new MmioRegion("dev", 0x1000, device), 1);
            AddressSpace as = AddressSpace.create("test", root);
            List<FlatRange> view = as.flatView();
            assertEquals(3, view.size(), view.toString());
            assertEquals("ram", view.get(0).region().name());
            assertEquals("dev", view.get(1).region().name());
            assertEquals("ram", view.get(2).region().name());
            assertEquals(0x2000, view.get(2).regionOffset());
            as.write(0x1000, 4, 0xabcd);
            assertEquals(List.of("w4@0=abcd"), device.log);
            as.write(0x2000, 4, 7);
            assertEquals(7, as.read(0x2000, 4));
        }
    }

    @Test
    void containerHolesShowLowerPrioritySiblings() {
        ContainerRegion root = system();
        ContainerRegion window = new ContainerRegion("window", 0x3000);
        RecordingHandler device = new RecordingHandler();
        window.addSubregion(0x1000, new MmioRegion("dev", 0x1000, device));
        try (RamRegion ram = RamRegion.ram("ram", 0x3000)) {
            root.addSubregionOverlap(0, ram, 0);
            root.addSubregionOverlap(0, window, 5);
            AddressSpace as = AddressSpace.create("test", root);
            assertEquals("ram", as.lookup(0x0).orElseThrow().region().name());
            assertEquals("dev", as.lookup(0x1800).orElseThrow().region().name());
            assertEquals("ram", as.lookup(0x2800).orElseThrow().region().name());
        }
    }

    @Test
    void aliasShowsTheTargetAtASecondAddress() {
        ContainerRegion root = system();
        try (RamRegion ram = RamRegion.ram("ram", 0x4000)) {
            root.addSubregion(0x10000, ram);
            root.addSubregion(0x0, new AliasRegion("low", ram, 0x1000, 0x1000));
            AddressSpace as = AddressSpace.create("test", root);
            as.write(0x10000 + 0x1008, 8, 42);
            assertEquals(42, as.read(0x8, 8));
            assertThrows(BusErrorException.class, () -> as.read(0x1000, 1), "the alias window ends at 0x1000");
        }
    }

    @Test
    void aliasOfAContainerHonoursItsPriorities() {
        ContainerRegion root = system();
        ContainerRegion bus = new ContainerRegion("bus", 0x2000);
        RecordingHandler device = new RecordingHandler();
        try (RamRegion ram = RamRegion.ram("ram", 0x2000)) {
            bus.addSubregionOverlap(0, ram, 0);
            bus.addSubregionOverlap(0x1000, new MmioRegion("dev", 0x100, device), 1);
            root.addSubregion(0x100000, new AliasRegion("bus-alias", bus, 0x800, 0x1000));
            AddressSpace as = AddressSpace.create("test", root);
            assertEquals("ram", as.lookup(0x100000).orElseThrow().region().name());
            assertEquals(0x800, as.lookup(0x100000).orElseThrow().regionOffset());
            assertEquals("dev", as.lookup(0x100800).orElseThrow().region().name());
            assertEquals("ram", as.lookup(0x100900).orElseThrow().region().name());
        }
    }

    @Test
    void viewFollowsChangesInNestedContainers() {
        ContainerRegion root = system();
        ContainerRegion bus = new ContainerRegion("bus", 0x10000);
        root.addSubregion(0x4000_0000L, bus);
        AddressSpace as = AddressSpace.create("test", root);
        assertTrue(as.flatView().isEmpty());
        MmioRegion dev = new MmioRegion("dev", 0x100, new RecordingHandler());
        bus.addSubregion(0x200, dev);
        assertEquals(0x4000_0200L, as.lookup(0x4000_0200L).orElseThrow().start());
        assertTrue(bus.removeSubregion(dev));
        assertTrue(as.lookup(0x4000_0200L).isEmpty());
        assertFalse(bus.removeSubregion(dev));
    }

    @Test
    void subregionMustFitItsContainer() {
        ContainerRegion small = new ContainerRegion("small", 0x1000);
        try (RamRegion ram = RamRegion.ram("ram", 0x1000)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small.addSubregion(0x800, ram));
            assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
        }
    }

    @Test
    void regionCanBePlacedOnlyOnce() {
        ContainerRegion root = system();
        try (RamRegion ram = RamRegion.ram("ram", 0x1000)) {
            root.addSubregion(0, ram);
            assertThrows(IllegalStateException.class, () -> root.addSubregion(0x10000, ram));
        }
    }

    @Test
    void narrowAccessesToAWordOnlyDeviceAreWidened() {
        ContainerRegion root = system();
        RecordingHandler device = new RecordingHandler();
        root.addSubregion(0x1000, new MmioRegion("dev", 0x10, device, MmioRegion.SIZE_4));
        AddressSpace as = AddressSpace.create("test", root);
        device.register = 0x4433_2211L;
        assertEquals(0x33, as.read(0x1002, 1));
        assertEquals(List.of("r4@0"), device.log);
        device.log.clear();
        as.write(0x1001, 1, 0xff);
        assertEquals(List.of("r4@0", "w4@0=4433ff11"), device.log);
    }

    @Test
    void wideAccessesToAWordOnlyDeviceAreSplit() {
        ContainerRegion root = system();
        RecordingHandler device = new RecordingHandler();
        root.addSubregion(0x1000, new MmioRegion("dev", 0x10, device, MmioRegion.SIZE_4));
        AddressSpace as = AddressSpace.create("test", root);
        as.write(0x1000, 8, 0x1111_2222_3333_4444L);
        assertEquals(List.of("w4@0=33334444", "w4@4=11112222"), device.log);
    }

    @Test
    void accessStraddlingTwoRegionsIsSplitBetweenThem() {
        ContainerRegion root = system();
        try (RamRegion a = RamRegion.ram("a", 0x1000); RamRegion b = RamRegion.ram("b", 0x1000)) {
            root.addSubregion(0x0, a);
            root.addSubregion(0x1000, b);
            AddressSpace as = AddressSpace.create("test", root);
            as.write(0xffc, 8, 0x0102_0304_0506_0708L);
            assertEquals(0x0506_0708L, as.read(0xffc, 4));
            assertEquals(0x0102_0304L, as.read(0x1000, 4));
        }
    }

    @Test
    void bulkCopiesCrossRegionsAndMarkPagesDirty() {
        ContainerRegion root = system();
        try (RamRegion a = RamRegion.ram("a", 0x2000); RamRegion b = RamRegion.ram("b", 0x2000)) {
            root.addSubregion(0x0, a);
            root.addSubregion(0x2000, b);
            AddressSpace as = AddressSpace.create("test", root);
            a.fetchAndClearDirty();
            byte[] data = new byte[0x100];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            as.write(0x1f80, data, 0, data.length);
            byte[] back = new byte[data.length];
            as.read(0x1f80, back, 0, back.length);
            assertArrayEquals(data, back);
            assertEquals("{1}", a.fetchAndClearDirty().toString());
            assertEquals("{0}", b.fetchAndClearDirty().toString());
            assertTrue(a.fetchAndClearDirty().isEmpty(), "fetching clears");
        }
    }

    @Test
    void iommuTranslatesAndRefusesDma() {
        ContainerRegion root = system();
        try (RamRegion ram = RamRegion.ram("ram", 0x10000)) {
            root.addSubregion(0x8000_0000L, ram);
            AddressSpace system = AddressSpace.create("system", root);
            // I/O page 0x0000 maps to RAM page 0x8000_3000; everything else is refused.
            IommuTranslator iommu = (iova, access) -> (iova >>> 12) == 0
                    ? IommuTranslator.Translation.to(0x8000_3000L, 0xfff)
                    : IommuTranslator.Translation.refused();
            AddressSpace dma = system.behindIommu("dev-dma", iommu);
            dma.write(0x10, 4, 0xcafe);
            assertEquals(0xcafe, system.read(0x8000_3010L, 4));
            BusErrorException e = assertThrows(BusErrorException.class, () -> dma.read(0x1000, 4));
            assertTrue(e.getMessage().contains("IOMMU"), e.getMessage());
            assertThrows(BusErrorException.class, () -> dma.write(0xff0, new byte[0x20], 0, 0x20),
                    "a copy running into a refused page fails");
        }
    }

    @Test
    void invalidAccessSizeIsRefusedWithTheValidOnes() {
        AddressSpace as = AddressSpace.create("test", system());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> as.read(0, 3));
        assertTrue(e.getMessage().contains("1, 2, 4 or 8"), e.getMessage());
    }
}
