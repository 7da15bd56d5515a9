package io.tessera.device.virtio;

import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.StateSchema;
import io.tessera.core.irq.InterruptController;
import io.tessera.core.machine.Machine;
import java.security.SecureRandom;
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
 * A virtio entropy source on a virtio-mmio transport, QEMU's {@code -device virtio-rng-device}:
 * the guest's buffers are filled from the host's {@link SecureRandom}.
 *
 * <p>Region: {@code virtio-rng-device}, MMIO, 0x200 bytes at property {@code base}, priority 1
 * (registers in {@link VirtioMmio}, protocol in {@link RngModel}). IRQ output: one level line,
 * input {@code irq} of the controller the {@code irq} reference selects ({@code plic0} by
 * default). Properties: {@code base}, {@code irq}. Saved state: schema {@code virtio-rng-device}
 * v1, the transport's (see {@link VirtioMmio}).
 */
@Component(configurationPid = DeviceConstants.FACTORY_PID_PREFIX + VirtioRngDevice.TYPE,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Device.class, immediate = true)
@Designate(ocd = VirtioRngDevice.Config.class, factory = true)
public final class VirtioRngDevice extends VirtioMmioDevice {

    static final String TYPE = "virtio-rng-device";

    /** The properties of a virtio-rng instance. */
    @ObjectClassDefinition(name = TYPE, description = "virtio entropy source on a virtio-mmio transport")
    public @interface Config {
        /** @return where the transport is mapped */
        @AttributeDefinition(description = "bus address of the 0x200-byte transport (QEMU virt: 0x10001000 + n * 0x1000, n = 0..7)")
        long base() default 0x1000_8000L;

        /** @return the interrupt controller input */
        @AttributeDefinition(description = "interrupt controller input (QEMU virt: 1 + n for slot n)")
        int irq() default 8;
    }

    private static final StateSchema SCHEMA = VirtioMmio.schema(TYPE, b -> { });

    @Activate
    public VirtioRngDevice(Config config, Map<String, Object> properties,
            @Reference(name = "machine") Machine machine,
            @Reference(name = "irq", target = "(tessera.id=plic0)") InterruptController irqController) {
        super(TYPE, SCHEMA, properties, machine, irqController, config.base(), config.irq(), new RngModel(new SecureRandom()));
    }

    @Deactivate
    void unrealize() {
        unplug();
    }
}
