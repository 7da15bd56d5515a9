package io.tessera.machine.virt;

import io.tessera.core.fdt.FdtBuilder;
import io.tessera.isa.riscv.platform.RiscvCpu;
import java.util.List;

/** The device tree of the virt board, node for node as QEMU's virt machine generates it. */
final class VirtDeviceTree {

    private static final int UART_CLOCK_HZ = 3_686_400;

    private VirtDeviceTree() {
    }

    static byte[] build(long ramSize, List<RiscvCpu> harts, String bootargs, long initrdStart, long initrdEnd) {
        int count = harts.size();
        // phandles: cpu n = 1 + 2n, its interrupt controller = 2 + 2n, then the PLIC and the test device.
        int plicPhandle = 2 * count + 1;
        int testPhandle = 2 * count + 2;
        FdtBuilder fdt = new FdtBuilder().beginNode("")
                .property("#address-cells", 2).property("#size-cells", 2)
                .property("compatible", "riscv-virtio").property("model", "riscv-virtio,qemu");

        fdt.beginNode("chosen");
        if (!bootargs.isEmpty()) {
            fdt.property("bootargs", bootargs);
        }
        fdt.property("stdout-path", String.format("/soc/serial@%x", VirtMachineType.UART_BASE));
        if (initrdEnd > initrdStart) {
            fdt.propertyU64("linux,initrd-start", initrdStart).propertyU64("linux,initrd-end", initrdEnd);
        }
        fdt.endNode();

        fdt.beginNode(String.format("memory@%x", VirtMachineType.RAM_BASE)).property("device_type", "memory")
                .propertyU64("reg", VirtMachineType.RAM_BASE, ramSize).endNode();

        fdt.beginNode("cpus").property("#address-cells", 1).property("#size-cells", 0)
                .property("timebase-frequency", (int) VirtMachineType.TIMEBASE_HZ);
        for (int i = 0; i < count; i++) {
            RiscvCpu hart = harts.get(i);
            fdt.beginNode("cpu@" + i).property("phandle", 1 + 2 * i).property("device_type", "cpu").property("reg", i)
                    .property("status", "okay").property("compatible", "riscv").property("riscv,isa", hart.isaString())
                    .property("riscv,isa-base", "rv64i")
                    .stringList("riscv,isa-extensions", hart.isaExtensions().toArray(String[]::new))
                    .property("mmu-type", "riscv,sv57");
            fdt.beginNode("interrupt-controller").property("#interrupt-cells", 1).emptyProperty("interrupt-controller")
                    .property("compatible", "riscv,cpu-intc").property("phandle", 2 + 2 * i).endNode();
            fdt.endNode();
        }
        fdt.beginNode("cpu-map").beginNode("cluster0");
        for (int i = 0; i < count; i++) {
            fdt.beginNode("core" + i).property("cpu", 1 + 2 * i).endNode();
        }
        fdt.endNode().endNode();
        fdt.endNode();

        fdt.beginNode("soc").property("#address-cells", 2).property("#size-cells", 2)
                .property("compatible", "simple-bus").emptyProperty("ranges");

        int[] clintInterrupts = new int[4 * count];
        int[] plicInterrupts = new int[4 * count];
        for (int i = 0; i < count; i++) {
            int intc = 2 + 2 * i;
            clintInterrupts[4 * i] = intc;
            clintInterrupts[4 * i + 1] = RiscvCpu.MACHINE_SOFTWARE_INTERRUPT;
            clintInterrupts[4 * i + 2] = intc;
            clintInterrupts[4 * i + 3] = RiscvCpu.MACHINE_TIMER_INTERRUPT;
            plicInterrupts[4 * i] = intc;
            plicInterrupts[4 * i + 1] = RiscvCpu.MACHINE_EXTERNAL_INTERRUPT;
            plicInterrupts[4 * i + 2] = intc;
            plicInterrupts[4 * i + 3] = RiscvCpu.SUPERVISOR_EXTERNAL_INTERRUPT;
        }
        fdt.beginNode(String.format("rtc@%x", VirtMachineType.RTC_BASE)).property("interrupts", VirtMachineType.RTC_IRQ)
                .property("interrupt-parent", plicPhandle).propertyU64("reg", VirtMachineType.RTC_BASE, 0x1000)
                .property("compatible", "google,goldfish-rtc").endNode();
        fdt.beginNode(String.format("serial@%x", VirtMachineType.UART_BASE)).property("interrupts", VirtMachineType.UART_IRQ)
                .property("interrupt-parent", plicPhandle).property("clock-frequency", UART_CLOCK_HZ)
                .propertyU64("reg", VirtMachineType.UART_BASE, 0x100).property("compatible", "ns16550a").endNode();
        fdt.beginNode(String.format("test@%x", VirtMachineType.TEST_BASE)).property("phandle", testPhandle)
                .propertyU64("reg", VirtMachineType.TEST_BASE, 0x1000)
                .stringList("compatible", "sifive,test1", "sifive,test0", "syscon").endNode();
        for (int slot = 0; slot < VirtMachineType.VIRTIO_SLOTS; slot++) {
            long base = VirtMachineType.VIRTIO_BASE + slot * VirtMachineType.VIRTIO_STRIDE;
            fdt.beginNode(String.format("virtio_mmio@%x", base)).property("interrupts", VirtMachineType.VIRTIO_IRQ + slot)
                    .property("interrupt-parent", plicPhandle).propertyU64("reg", base, VirtMachineType.VIRTIO_STRIDE)
                    .property("compatible", "virtio,mmio").endNode();
        }
        fdt.beginNode(String.format("plic@%x", VirtMachineType.PLIC_BASE)).property("phandle", plicPhandle)
                .property("riscv,ndev", VirtMachineType.PLIC_SOURCES - 1)
                .propertyU64("reg", VirtMachineType.PLIC_BASE, 0x60_0000)
                .property("interrupts-extended", plicInterrupts).emptyProperty("interrupt-controller")
                .stringList("compatible", "sifive,plic-1.0.0", "riscv,plic0")
                .property("#address-cells", 0).property("#interrupt-cells", 1).endNode();
        fdt.beginNode(String.format("clint@%x", VirtMachineType.CLINT_BASE))
                .property("interrupts-extended", clintInterrupts)
                .propertyU64("reg", VirtMachineType.CLINT_BASE, VirtMachineType.CLINT_SIZE)
                .stringList("compatible", "sifive,clint0", "riscv,clint0").endNode();
        fdt.endNode();

        fdt.beginNode("poweroff").property("value", 0x5555).property("offset", 0).property("regmap", testPhandle)
                .property("compatible", "syscon-poweroff").endNode();
        fdt.beginNode("reboot").property("value", 0x7777).property("offset", 0).property("regmap", testPhandle)
                .property("compatible", "syscon-reboot").endNode();
        return fdt.endNode().build();
    }
}
