package io.tessera.core.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.isa.Cpu;
import io.tessera.core.isa.CpuConfig;
import io.tessera.core.isa.Isa;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class AcceleratorsTest {

    private static final Isa RISCV64 = new FakeIsa("riscv64");
    private static final Isa AARCH64 = new FakeIsa("aarch64");

    private record FakeIsa(String name) implements Isa {
        @Override
        public String description() {
            return name;
        }

        @Override
        public Set<String> cpuModels() {
            return Set.of("any");
        }

        @Override
        public String defaultCpuModel() {
            return "any";
        }

        @Override
        public Cpu createCpu(CpuConfig config) {
            throw new UnsupportedOperationException();
        }
    }

    private static final class FakeAccelerator implements Accelerator {
        final String name;
        final int ranking;
        final Availability availability;
        final Set<String> isas;
        final AtomicInteger availabilityQueries = new AtomicInteger();

        FakeAccelerator(String name, int ranking, Availability availability, String... isas) {
            this.name = name;
            this.ranking = ranking;
            this.availability = availability;
            this.isas = Set.of(isas);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int ranking() {
            return ranking;
        }

        @Override
        public Availability availability() {
            availabilityQueries.incrementAndGet();
            return availability;
        }

        @Override
        public boolean supports(Isa isa) {
            return isas.contains(isa.name());
        }

        @Override
        public VcpuSet start(io.tessera.core.machine.Machine machine) {
            throw new UnsupportedOperationException();
        }
    }

    private static Optional<String> bestName(List<Accelerator> candidates, Isa isa) {
        return Accelerators.best(candidates, isa).map(Accelerator::name);
    }

    @Test
    void picksTheHighestRankedAvailableAcceleratorForTheIsa() {
        var interp = new FakeAccelerator("interp", 10, Availability.yes(), "riscv64", "aarch64");
        var tcg = new FakeAccelerator("tcg", 50, Availability.yes(), "riscv64", "aarch64");
        assertEquals(Optional.of("tcg"), bestName(List.of(interp, tcg), RISCV64));
        assertEquals(Optional.of("tcg"), bestName(List.of(tcg, interp), RISCV64));
    }

    @Test
    void skipsUnavailableAccelerators() {
        var kvm = new FakeAccelerator("kvm", 100, Availability.no("/dev/kvm: no such file"), "riscv64");
        var interp = new FakeAccelerator("interp", 10, Availability.yes(), "riscv64");
        assertEquals(Optional.of("interp"), bestName(List.of(kvm, interp), RISCV64));
    }

    @Test
    void skipsAcceleratorsThatDoNotSupportTheIsa() {
        var kvm = new FakeAccelerator("kvm", 100, Availability.yes(), "aarch64");
        var interp = new FakeAccelerator("interp", 10, Availability.yes(), "riscv64");
        assertEquals(Optional.of("interp"), bestName(List.of(kvm, interp), RISCV64));
        assertEquals(Optional.of("kvm"), bestName(List.of(kvm, interp), AARCH64));
    }

    @Test
    void breaksRankingTiesByNameWhateverTheOrder() {
        var b = new FakeAccelerator("beta", 20, Availability.yes(), "riscv64");
        var a = new FakeAccelerator("alpha", 20, Availability.yes(), "riscv64");
        var c = new FakeAccelerator("gamma", 20, Availability.yes(), "riscv64");
        assertEquals(Optional.of("alpha"), bestName(List.of(b, a, c), RISCV64));
        assertEquals(Optional.of("alpha"), bestName(List.of(c, b, a), RISCV64));
        assertEquals(Optional.of("alpha"), bestName(List.of(a, c, b), RISCV64));
    }

    @Test
    void isEmptyWhenNothingFits() {
        var kvm = new FakeAccelerator("kvm", 100, Availability.no("not on this host"), "riscv64");
        var other = new FakeAccelerator("other", 10, Availability.yes(), "aarch64");
        assertEquals(Optional.empty(), bestName(List.of(kvm, other), RISCV64));
        assertEquals(Optional.empty(), bestName(List.of(), RISCV64));
    }

    @Test
    void queriesEachAvailabilityAtMostOnce() {
        var kvm = new FakeAccelerator("kvm", 100, Availability.yes(), "riscv64");
        var tcg = new FakeAccelerator("tcg", 50, Availability.yes(), "riscv64");
        var interp = new FakeAccelerator("interp", 10, Availability.yes(), "riscv64");
        Accelerators.best(List.of(interp, tcg, kvm), RISCV64);
        assertTrue(kvm.availabilityQueries.get() <= 1);
        assertTrue(tcg.availabilityQueries.get() <= 1);
        assertTrue(interp.availabilityQueries.get() <= 1);
    }

    @Test
    void availabilityOfAnUnavailableAcceleratorSaysWhy() {
        assertTrue(Availability.yes().available());
        Availability no = Availability.no("KVM needs a riscv64 host");
        assertFalse(no.available());
        assertEquals("KVM needs a riscv64 host", no.reason());
        assertThrows(IllegalArgumentException.class, () -> Availability.no(" "));
        assertThrows(NullPointerException.class, () -> Availability.no(null));
    }
}
