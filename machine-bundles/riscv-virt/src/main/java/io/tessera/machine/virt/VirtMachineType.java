package io.tessera.machine.virt;

import io.tessera.core.isa.Isa;
import io.tessera.core.machine.MachineAssembly;
import io.tessera.core.machine.MachineOption;
import io.tessera.core.machine.MachineType;
import io.tessera.core.machine.OptionValues;
import io.tessera.core.memory.MmioRegion;
import io.tessera.core.memory.RamRegion;
import io.tessera.isa.riscv.platform.RiscvCpu;
import io.tessera.isa.riscv.platform.RiscvHarts;
import io.tessera.isa.riscv.platform.Timebase;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * QEMU's RISC-V {@code virt} board, close enough that Debian's generic OpenSBI, U-Boot and
 * Linux boot on it unmodified: the same memory map, interrupt numbers, device tree and boot
 * protocol (the reset ROM at 0x1000 passes a0 = hart id, a1 = the device tree and a2 = the
 * {@code fw_dynamic} information that tells OpenSBI where the kernel is).
 *
 * <p>The devices come from their own bundles ({@code aclint-mswi}, {@code aclint-mtimer},
 * {@code plic}, {@code ns16550a}, {@code goldfish-rtc}, {@code sifive-test}); the board maps
 * RAM, the reset ROM and eight virtio-mmio slots, empty until a virtio device is plugged into
 * one.
 */
@Component(service = MachineType.class)
public final class VirtMachineType implements MachineType {

    static final long TEST_BASE = 0x10_0000L;
    static final long RTC_BASE = 0x10_1000L;
    static final long CLINT_BASE = 0x200_0000L;
    static final long CLINT_SIZE = 0x1_0000L;
    static final long MTIMER_OFFSET = 0x4000L;
    static final long PLIC_BASE = 0xc00_0000L;
    static final int PLIC_SOURCES = 96;
    static final long UART_BASE = 0x1000_0000L;
    static final long VIRTIO_BASE = 0x1000_1000L;
    static final long VIRTIO_STRIDE = 0x1000L;
    static final int VIRTIO_SLOTS = 8;
    static final long RAM_BASE = 0x8000_0000L;
    static final long RESET_VECTOR = 0x1000L;
    static final long MROM_SIZE = 0xf000L;
    static final int UART_IRQ = 10;
    static final int RTC_IRQ = 11;
    static final int VIRTIO_IRQ = 1;
    static final long TIMEBASE_HZ = 10_000_000L;
    static final int MAX_HARTS = 8;
    static final long KERNEL_ALIGN = 2L << 20;

    private final Isa isa;

    /** @param isa the riscv64 ISA, which makes the harts */
    @Activate
    public VirtMachineType(@Reference(target = "(tessera.isa=riscv64)") Isa isa) {
        this.isa = isa;
    }

    @Override
    public String name() {
        return "virt";
    }

    @Override
    public String description() {
        return "RISC-V virt board (QEMU's): CLINT, PLIC, ns16550a, goldfish RTC, SiFive test, 8 virtio-mmio slots";
    }

    @Override
    public List<MachineOption> options() {
        return List.of(
                new MachineOption("memory", "RAM size (bytes, or with K/M/G suffix)", "128M"),
                new MachineOption("smp", "number of harts (1 to " + MAX_HARTS + ")", "1"),
                new MachineOption("bios", "firmware loaded at the start of RAM (OpenSBI fw_dynamic/fw_jump, ELF or binary), "
                        + "or 'none' to start the kernel in M-mode", "none"),
                new MachineOption("kernel", "the kernel (Linux Image, U-Boot, or an ELF file), after the firmware", ""),
                new MachineOption("initrd", "an initial RAM disk for the kernel", ""),
                new MachineOption("append", "the kernel command line (the device tree's /chosen/bootargs)", ""),
                new MachineOption("dtb", "a device tree blob to use instead of the generated one", ""),
                new MachineOption("dumpdtb", "write the generated device tree to this file and exit", ""),
                new MachineOption("serial", "the console's host side: stdio, null, file:PATH, ringbuf, "
                        + "tcp:HOST:PORT[,server=on][,wait=off], unix:PATH[,server=on], or chardev:ID (a -chardev)", "stdio"));
    }

    @Override
    public void assemble(MachineAssembly assembly) {
        Map<String, String> options = assembly.options();
        long ramSize = OptionValues.size("memory", options.get("memory"));
        if (ramSize < (16L << 20) || ramSize > (256L << 30)) {
            throw new IllegalArgumentException("memory=" + options.get("memory") + " is not valid for virt; use 16M to 256G");
        }
        long ramEnd = RAM_BASE + ramSize;

        RamRegion ram = RamRegion.ram("ram", ramSize);
        assembly.closeOnDestroy(ram);
        assembly.systemBus().map("board", RAM_BASE, ram);

        Timebase timebase = new Timebase(assembly.clock(), TIMEBASE_HZ);
        List<RiscvCpu> cpus = RiscvHarts.create(isa, assembly, "virt", MAX_HARTS, timebase, RESET_VECTOR);
        for (int slot = 0; slot < VIRTIO_SLOTS; slot++) {
            assembly.systemBus().mapOverlap("board", VIRTIO_BASE + slot * VIRTIO_STRIDE,
                    new MmioRegion("virtio-slot-irq" + (VIRTIO_IRQ + slot), EmptyVirtioSlot.SIZE, new EmptyVirtioSlot(), MmioRegion.SIZE_4), 0);
        }

        // Firmware at the start of RAM; the kernel at the next 2 MiB boundary after it.
        String bios = options.get("bios");
        long kernelAddress = RAM_BASE;
        long firmwareEntry = -1;
        if (!bios.equals("none") && !bios.isEmpty()) {
            BootImage firmware = BootImage.load("firmware", bios, assembly, RAM_BASE, RAM_BASE, ramEnd, true);
            firmwareEntry = firmware.entry();
            kernelAddress = alignUp(firmware.end(), KERNEL_ALIGN);
        }
        long kernelEntry = 0;
        String kernel = options.get("kernel");
        if (!kernel.isEmpty()) {
            kernelEntry = BootImage.load("kernel", kernel, assembly, kernelAddress, RAM_BASE, ramEnd, true).entry();
        } else if (firmwareEntry < 0) {
            throw new IllegalArgumentException("virt needs something to run: bios=FILE (-bios) and/or kernel=FILE (-kernel)");
        }
        long initrdStart = 0;
        long initrdEnd = 0;
        String initrd = options.get("initrd");
        if (!initrd.isEmpty()) {
            if (kernel.isEmpty()) {
                throw new IllegalArgumentException("initrd=" + initrd + " needs a kernel (-kernel)");
            }
            // QEMU's placement: far enough above the kernel for it to decompress, low enough to be reachable.
            initrdStart = kernelEntry + Math.min(ramSize / 2, 128L << 20);
            initrdEnd = BootImage.load("initrd", initrd, assembly, initrdStart, RAM_BASE, ramEnd, false).end();
        }

        byte[] deviceTree;
        String dtb = options.get("dtb");
        if (!dtb.isEmpty()) {
            try {
                deviceTree = Files.readAllBytes(Path.of(dtb));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the device tree " + dtb + ": " + e.getMessage(), e);
            }
        } else {
            deviceTree = VirtDeviceTree.build(ramSize, cpus, options.get("append"), initrdStart, initrdEnd);
        }
        String dump = options.get("dumpdtb");
        if (!dump.isEmpty()) {
            try {
                Files.write(Path.of(dump), deviceTree);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write the device tree to " + dump + ": " + e.getMessage(), e);
            }
            // Nothing will run: the devices, the console and the boot ROM are not needed.
            assembly.machine().exit(0);
            return;
        }
        // QEMU's placement: the top of RAM below 3 GiB, aligned down to 2 MiB.
        long fdtAddress = alignDown(Math.min(ramEnd, 0xc000_0000L) - deviceTree.length, KERNEL_ALIGN);
        if (fdtAddress < RAM_BASE || (initrdEnd > 0 && fdtAddress < initrdEnd)) {
            throw new IllegalArgumentException("the device tree does not fit in RAM above the initrd; give the machine more memory (-m)");
        }
        assembly.loadImage(fdtAddress, deviceTree);

        long start = firmwareEntry >= 0 ? firmwareEntry : kernelEntry;
        RamRegion rom = RamRegion.rom("mrom", MROM_SIZE, resetVector(start, fdtAddress, kernel.isEmpty() ? 0 : kernelEntry));
        assembly.closeOnDestroy(rom);
        assembly.systemBus().map("board", RESET_VECTOR, rom);

        assembly.addCharDevice("serial0", options.get("serial"));
        assembly.addDevice("aclint-mswi", "mswi0", Map.of("base", hex(CLINT_BASE)));
        assembly.addDevice("aclint-mtimer", "mtimer0", Map.of("base", hex(CLINT_BASE + MTIMER_OFFSET),
                "timebase-frequency", Long.toString(TIMEBASE_HZ)));
        assembly.addDevice("plic", "plic0", Map.of("base", hex(PLIC_BASE), "num-sources", Integer.toString(PLIC_SOURCES),
                "hart-config", "MS"));
        assembly.addDevice("sifive-test", "test0", Map.of("base", hex(TEST_BASE)));
        assembly.addDevice("goldfish-rtc", "rtc0", Map.of("base", hex(RTC_BASE), "irq", Integer.toString(RTC_IRQ),
                "irq.target", "plic0"));
        assembly.addDevice("ns16550a", "uart0", Map.of("base", hex(UART_BASE), "irq", Integer.toString(UART_IRQ),
                "irq.target", "plic0", "chardev.target", "serial0"));
    }

    private static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    private static long alignDown(long value, long alignment) {
        return value & -alignment;
    }

    /**
     * QEMU's reset vector: a0 = mhartid, a1 = the device tree, a2 = the fw_dynamic information
     * after the code, then a jump to the firmware (or the kernel when there is none).
     */
    static byte[] resetVector(long start, long fdt, long kernelEntry) {
        ByteBuffer code = ByteBuffer.allocate(0x28 + 6 * 8).order(ByteOrder.LITTLE_ENDIAN);
        code.putInt(0x00000297);     // auipc t0, 0
        code.putInt(0x02828613);     // addi  a2, t0, 40
        code.putInt(0xf1402573);     // csrr  a0, mhartid
        code.putInt(0x0202b583);     // ld    a1, 32(t0)
        code.putInt(0x0182b283);     // ld    t0, 24(t0)
        code.putInt(0x00028067);     // jr    t0
        code.putLong(start);
        code.putLong(fdt);
        // struct fw_dynamic_info (OpenSBI's include/sbi/fw_dynamic.h), version 2
        code.putLong(0x4942534fL);   // magic "OSBI"
        code.putLong(2);             // version
        code.putLong(kernelEntry);   // next_addr
        code.putLong(kernelEntry != 0 ? 1 : 0);   // next_mode: S-mode when there is a kernel, else U (as QEMU)
        code.putLong(0);             // options
        code.putLong(0);             // boot_hart
        return code.array();
    }
}
