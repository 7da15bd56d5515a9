package io.tessera.core.machine;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.clock.VirtualClock;
import io.tessera.core.isa.Cpu;
import io.tessera.core.memory.AddressSpace;
import java.util.Map;

/** What a {@link MachineType} gets to build a board: the new machine's parts, to fill. */
public interface MachineAssembly {

    /** @return the machine's name */
    String name();

    /** @return the options, checked against the type's {@link MachineType#options()} and with defaults filled in */
    Map<String, String> options();

    /** @return the system address space, empty */
    AddressSpace memory();

    /** @return the system bus */
    SystemBus systemBus();

    /** @return the machine's virtual clock */
    VirtualClock clock();

    /** Adds a CPU; indices must follow 0, 1, 2... */
    void addCpu(Cpu cpu);

    /**
     * Writes a boot image (firmware, kernel, initial RAM disk, device tree) into memory now and
     * again at every {@link Machine#reset()}, as QEMU's ROM blobs are, so that a reset machine
     * boots from the same bytes whatever the guest did to them.
     *
     * @param address where the image goes in {@link #memory()}
     * @param image the bytes, kept by the machine (the caller must not change them)
     * @throws io.tessera.core.memory.BusErrorException when the image does not fit the memory there
     */
    void loadImage(long address, byte[] image);

    /**
     * Adds a step the board takes at every {@link Machine#reset()}, after the CPUs, the devices
     * and the boot images were reset, in the order added: pointing the CPUs at the reset vector
     * and whatever else the board's power-on state needs.
     */
    void onReset(Runnable step);

    /** Closes {@code resource} (RAM, files) when the machine is destroyed, last added first. */
    void closeOnDestroy(AutoCloseable resource);

    /** @return the machine being assembled, for devices that end it (power-off, test devices) */
    Machine machine();

    /**
     * Adds a device the board has built in (an interrupt controller, a UART) from the bundle
     * that provides its type, as {@code device add} would, once the machine is registered.
     * Devices are added in the order given, so a controller must come before the devices
     * wired to it. A type that is not installed fails the machine's creation, naming it.
     *
     * @param type the device type
     * @param id the instance id
     * @param properties property values as text, including reference targets ({@code irq.target=plic0})
     */
    void addDevice(String type, String id, Map<String, String> properties);

    /**
     * Opens a host byte stream for the machine's devices, as QEMU's {@code -serial} and
     * {@code -chardev} do, and registers it as a {@link io.tessera.core.chardev.CharDevice}
     * service with this machine's name and {@code id}, before the built-in devices are added.
     * It is closed when the machine is destroyed.
     *
     * @param id the id devices select it by ({@code serial0})
     * @param spec the backend and its options: {@code KIND[:PATH][,KEY=VALUE...]}, for example
     *     {@code stdio}, {@code null}, {@code file:/tmp/console.log}, {@code ringbuf,size=65536},
     *     {@code tcp:127.0.0.1:4444,server=on,wait=off} or {@code unix:/tmp/console.sock,server=on}
     *     (QEMU's short forms of {@code socket}; a bare {@code KEY} means {@code KEY=on} and
     *     {@code noKEY} {@code KEY=off}, as QEMU's old {@code server,nowait}); or
     *     {@code chardev:ID}: no new device, but {@code id} becomes another name of the one the
     *     machine was created with under {@code ID} (QEMU's {@code -serial chardev:ID})
     */
    void addCharDevice(String id, String spec);
}
