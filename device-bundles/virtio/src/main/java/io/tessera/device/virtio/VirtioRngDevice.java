package io.tessera.device.virtio;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import io.tessera.core.device.Resettable;
import io.tessera.core.device.StateSchema;
import io.tessera.core.device.Stateful;
import io.tessera.core.irq.InterruptController;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.MmioRegion;
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
public final class VirtioRngDevice implements Device, Resettable, Stateful {

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

    private final String id;
    private final VirtioMmio transport;
    private final SystemBus.Mapping mapping;

    @Activate
    public VirtioRngDevice(Config config, Map<String, Object> properties,
            @Reference(name = "machine") Machine machine,
            @Reference(name = "irq", target = "(tessera.id=plic0)") InterruptController irqController) {
        this.id = (String) properties.get(DeviceConstants.ID);
        this.transport = new VirtioMmio(id, machine.memory(), irqController.line(config.irq()), new RngModel(new SecureRandom()));
        this.mapping = machine.systemBus().mapOverlap(id, config.base(), new MmioRegion(TYPE, VirtioMmio.SIZE, transport), 1);
    }

    @Deactivate
    void unrealize() {
        mapping.unmap();
        transport.reset();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void reset() {
        transport.reset();
    }

    @Override
    public StateSchema stateSchema() {
        return SCHEMA;
    }

    @Override
    public DeviceState saveState() {
        return transport.saveState(SCHEMA);
    }

    @Override
    public void restoreState(DeviceState state) throws InvalidStateException {
        transport.restoreState(SCHEMA.accept(state));
    }
}
