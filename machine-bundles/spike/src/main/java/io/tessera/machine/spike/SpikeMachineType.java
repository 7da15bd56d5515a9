package io.tessera.machine.spike;

import io.tessera.core.fdt.FdtBuilder;
import io.tessera.core.isa.Isa;
import io.tessera.core.loader.ElfFile;
import io.tessera.core.machine.MachineAssembly;
import io.tessera.core.machine.MachineOption;
import io.tessera.core.machine.MachineType;
import io.tessera.core.machine.OptionValues;
import io.tessera.core.memory.BusErrorException;
import io.tessera.core.memory.MmioRegion;
import io.tessera.core.memory.RamRegion;
import io.tessera.isa.riscv.platform.RiscvCpu;
import io.tessera.isa.riscv.platform.RiscvHarts;
import io.tessera.isa.riscv.platform.Timebase;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * QEMU's {@code -machine spike}: the board of the RISC-V ISA simulator, kept for running
 * bare-metal test programs. RAM at 0x80000000, a reset vector in ROM at 0x1000 that jumps to
 * the program's entry with a0 = hart id and a1 = the device tree, a CLINT at 0x2000000, and
 * HTIF on the {@code tohost}/{@code fromhost} symbols of the loaded ELF file for console
 * output and the exit status. Only {@code -bios none} is supported: the program runs in
 * M-mode from reset, as the test suites expect. The CLINT is made of the ACLINT device
 * bundle's {@code aclint-mswi} and {@code aclint-mtimer}.
 */
@Component(service = MachineType.class)
public final class SpikeMachineType implements MachineType {

    static final long RAM_BASE = 0x8000_0000L;
    static final long RESET_VECTOR = 0x1000;
    static final long CLINT_BASE = 0x200_0000L;
    static final long CLINT_SIZE = 0x1_0000L;
    static final long TIMEBASE_HZ = 10_000_000L;
    private static final int MAX_HARTS = 8;

    private final Isa isa;

    /** @param isa the riscv64 ISA, which makes the harts */
    @Activate
    public SpikeMachineType(@Reference(target = "(tessera.isa=riscv64)") Isa isa) {
        this.isa = isa;
    }

    @Override
    public String name() {
        return "spike";
    }

    @Override
    public String description() {
        return "RISC-V spike test board: RAM, CLINT and HTIF (bare-metal tests)";
    }

    @Override
    public List<MachineOption> options() {
        return List.of(
                new MachineOption("memory", "RAM size (bytes, or with K/M/G suffix)", "128M"),
                new MachineOption("smp", "number of harts (1 to " + MAX_HARTS + ")", "1"),
                new MachineOption("kernel", "the ELF program to run", ""),
                new MachineOption("bios", "firmware: only 'none' (the program runs in M-mode from reset)", "none"),
                new MachineOption("append", "the kernel command line (in the device tree's /chosen)", ""));
    }

    @Override
    public void assemble(MachineAssembly assembly) {
        long size = OptionValues.size("memory", assembly.options().get("memory"));
        String bios = assembly.options().get("bios");
        if (!bios.equals("none")) {
            throw new IllegalArgumentException("bios '" + bios + "' is not supported on spike; use bios=none (-bios none)");
        }
        String kernel = assembly.options().get("kernel");
        if (kernel.isEmpty()) {
            throw new IllegalArgumentException("spike needs a program to run: kernel=FILE (-kernel FILE)");
        }
        ElfFile program;
        try {
            program = ElfFile.read(Path.of(kernel));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot load the kernel: " + e.getMessage(), e);
        }
        if (program.machine() != 243) {
            throw new IllegalArgumentException(kernel + " is an ELF file for machine " + program.machine() + ", not RISC-V (243)");
        }

        RamRegion ram = RamRegion.ram("ram", size);
        assembly.closeOnDestroy(ram);
        assembly.systemBus().map("board", RAM_BASE, ram);

        Timebase timebase = new Timebase(assembly.clock(), TIMEBASE_HZ);
        List<RiscvCpu> cpus = RiscvHarts.create(isa, assembly, "spike", MAX_HARTS, timebase, RESET_VECTOR);
        // The CLINT is the ACLINT's MSWI and MTIMER devices in the CLINT layout.
        assembly.addDevice("aclint-mswi", "mswi0", Map.of("base", "0x" + Long.toHexString(CLINT_BASE)));
        assembly.addDevice("aclint-mtimer", "mtimer0", Map.of("base", "0x" + Long.toHexString(CLINT_BASE + 0x4000),
                "timebase-frequency", Long.toString(TIMEBASE_HZ)));

        byte[] deviceTree = deviceTree(size, cpus.size(), cpus.get(0), assembly.options().get("append"));
        long fdtAddress = (RAM_BASE + size - deviceTree.length) & ~0xfffL;
        for (ElfFile.Segment segment : program.segments()) {
            try {
                assembly.loadImage(segment.physicalAddress(), program.image(segment));
            } catch (BusErrorException e) {
                throw new IllegalArgumentException(String.format("cannot load the kernel: its segment at 0x%x (%d bytes) is outside RAM: %s",
                        segment.physicalAddress(), segment.memorySize(), e.getMessage()), e);
            }
        }
        assembly.loadImage(fdtAddress, deviceTree);
        // HTIF goes over the program's tohost and fromhost once the program is in RAM.
        OptionalLong tohost = program.symbol("tohost");
        OptionalLong fromhost = program.symbol("fromhost");
        if (tohost.isPresent()) {
            OutputStream console = new FileOutputStream(FileDescriptor.out);
            Htif htif = new Htif(assembly.memory(), console, assembly.machine()::exit);
            assembly.closeOnDestroy(htif::flush);
            long base = tohost.getAsLong();
            if (fromhost.isPresent() && fromhost.getAsLong() != base + 8) {
                throw new IllegalArgumentException(String.format(
                        "%s: fromhost (0x%x) must follow tohost (0x%x) directly", kernel, fromhost.getAsLong(), base));
            }
            assembly.systemBus().mapOverlap("board", base, new MmioRegion("htif", Htif.SIZE, htif), 1);
        }

        RamRegion rom = RamRegion.rom("mrom", 0x1000, resetVector(program.entry(), fdtAddress));
        assembly.closeOnDestroy(rom);
        assembly.systemBus().map("board", RESET_VECTOR, rom);
    }

    /** a0 = mhartid, a1 = the device tree, then jump to the entry: what QEMU's spike ROM does. */
    private static byte[] resetVector(long entry, long fdt) {
        ByteBuffer code = ByteBuffer.allocate(0x28).order(ByteOrder.LITTLE_ENDIAN);
        code.putInt(0x00000297);     // auipc t0, 0
        code.putInt(0x0202b583);     // ld    a1, 32(t0)
        code.putInt(0xf1402573);     // csrr  a0, mhartid
        code.putInt(0x0182b283);     // ld    t0, 24(t0)
        code.putInt(0x00028067);     // jr    t0
        code.putInt(0);
        code.putLong(entry);
        code.putLong(fdt);
        return code.array();
    }

    private static byte[] deviceTree(long ramSize, int harts, RiscvCpu hart, String bootargs) {
        FdtBuilder fdt = new FdtBuilder().beginNode("")
                .property("#address-cells", 2).property("#size-cells", 2)
                .property("compatible", "ucb,spike-bare-dev").property("model", "ucb,spike-bare,qemu");
        fdt.beginNode("htif").property("compatible", "ucb,htif0").endNode();
        fdt.beginNode("chosen").property("bootargs", bootargs).endNode();
        fdt.beginNode("cpus").property("#address-cells", 1).property("#size-cells", 0)
                .property("timebase-frequency", (int) TIMEBASE_HZ);
        for (int i = 0; i < harts; i++) {
            fdt.beginNode("cpu@" + i).property("device_type", "cpu").property("reg", i).property("status", "okay")
                    .property("compatible", "riscv").property("riscv,isa", hart.isaString())
                    .stringList("riscv,isa-extensions", hart.isaExtensions().toArray(String[]::new))
                    .property("mmu-type", "riscv,sv57").property("phandle", i + 1);
            fdt.beginNode("interrupt-controller").property("#interrupt-cells", 1).emptyProperty("interrupt-controller")
                    .property("compatible", "riscv,cpu-intc").property("phandle", harts + i + 1).endNode();
            fdt.endNode();
        }
        fdt.endNode();
        fdt.beginNode(String.format("memory@%x", RAM_BASE)).property("device_type", "memory")
                .propertyU64("reg", RAM_BASE, ramSize).endNode();
        int[] extended = new int[harts * 4];
        for (int i = 0; i < harts; i++) {
            extended[4 * i] = harts + i + 1;
            extended[4 * i + 1] = RiscvCpu.MACHINE_SOFTWARE_INTERRUPT;
            extended[4 * i + 2] = harts + i + 1;
            extended[4 * i + 3] = RiscvCpu.MACHINE_TIMER_INTERRUPT;
        }
        fdt.beginNode("soc").property("#address-cells", 2).property("#size-cells", 2)
                .property("compatible", "simple-bus").emptyProperty("ranges");
        fdt.beginNode(String.format("clint@%x", CLINT_BASE)).stringList("compatible", "sifive,clint0", "riscv,clint0")
                .propertyU64("reg", CLINT_BASE, CLINT_SIZE).property("interrupts-extended", extended).endNode();
        fdt.endNode();
        return fdt.endNode().build();
    }
}
