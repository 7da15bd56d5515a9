package io.tessera.device.virtio;

import io.tessera.core.chardev.ByteReceiver;
import io.tessera.core.chardev.CharDevice;
import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.StateSchema;
import io.tessera.core.irq.InterruptController;
import io.tessera.core.machine.Machine;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A virtio console with one port on a virtio-mmio transport (QEMU's {@code virtio-serial-device}
 * with a {@code virtconsole}, reduced to the single-port console; the guest sees
 * {@code hvc0}). It connects the guest to a host character device.
 *
 * <p>Region: {@code virtio-console-device}, MMIO, 0x200 bytes at property {@code base}, priority
 * 1 (registers in {@link VirtioMmio}, protocol in {@link ConsoleModel}). IRQ output: one level
 * line, input {@code irq} of the controller the {@code irq} reference selects ({@code plic0} by
 * default). Character device: the {@code chardev} reference ({@code console0} by default);
 * guest output goes to its {@code write}, its input to the receive queue (up to 64 KiB kept
 * while the guest has no buffer). Properties: {@code base}, {@code irq}. Saved state: schema
 * {@code virtio-console-device} v1, the transport's (see {@link VirtioMmio}) and the input not
 * yet delivered (see {@link ConsoleModel}).
 */
@Component(configurationPid = DeviceConstants.FACTORY_PID_PREFIX + VirtioConsoleDevice.TYPE,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Device.class, immediate = true)
@Designate(ocd = VirtioConsoleDevice.Config.class, factory = true)
public final class VirtioConsoleDevice extends VirtioMmioDevice {

    static final String TYPE = "virtio-console-device";

    /** The properties of a virtio-console instance. */
    @ObjectClassDefinition(name = TYPE, description = "virtio console (one port) on a virtio-mmio transport")
    public @interface Config {
        /** @return where the transport is mapped */
        @AttributeDefinition(description = "bus address of the 0x200-byte transport (QEMU virt: 0x10001000 + n * 0x1000, n = 0..7)")
        long base() default 0x1000_8000L;

        /** @return the interrupt controller input */
        @AttributeDefinition(description = "interrupt controller input (QEMU virt: 1 + n for slot n)")
        int irq() default 8;
    }

    private static final StateSchema SCHEMA = VirtioMmio.schema(TYPE, ConsoleModel::stateFields);

    private final CharDevice chardev;

    @Activate
    public VirtioConsoleDevice(Config config, Map<String, Object> properties,
            @Reference(name = "machine") Machine machine,
            @Reference(name = "irq", target = "(tessera.id=plic0)") InterruptController irqController,
            @Reference(name = "chardev", target = "(tessera.id=console0)") CharDevice chardev) {
        ConsoleModel model = new ConsoleModel(chardev::write, chardev::roomAvailable);
        super(TYPE, SCHEMA, properties, machine, irqController, config.base(), config.irq(), model);
        this.chardev = chardev;
        chardev.setReceiver(new ByteReceiver() {
            @Override
            public void receive(byte[] data, int offset, int length) {
                model.receive(data, offset, length);
            }

            @Override
            public int room() {
                return model.room();
            }
        });
    }

    @Deactivate
    void unrealize() {
        chardev.setReceiver(null);
        unplug();
    }
}
