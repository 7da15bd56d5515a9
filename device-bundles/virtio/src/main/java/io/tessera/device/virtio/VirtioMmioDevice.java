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
import java.util.Map;

/**
 * What every virtio device of this bundle is: a {@link VirtioModel} behind a virtio-mmio
 * transport mapped over a board's slot (priority 1, so it covers the board's empty slot),
 * driving one interrupt input, with the transport's state as its saved state. The model is
 * released (its drive closed) when the device is unplugged or fails to realize. A device class
 * adds its DS annotations, its properties and its model.
 */
abstract class VirtioMmioDevice implements Device, Resettable, Stateful {

    private final String id;
    private final String type;
    private final StateSchema schema;
    private final VirtioModel model;
    private final VirtioMmio transport;
    private final SystemBus.Mapping mapping;

    /** Realizes the device: its transport is mapped at {@code base} when this returns. */
    VirtioMmioDevice(String type, StateSchema schema, Map<String, Object> properties, Machine machine,
            InterruptController irqController, long base, int irq, VirtioModel model) {
        this.id = (String) properties.get(DeviceConstants.ID);
        this.type = type;
        this.schema = schema;
        this.model = model;
        try {
            this.transport = new VirtioMmio(id, machine.memory(), irqController.line(irq), model);
            this.mapping = machine.systemBus().mapOverlap(id, base, new MmioRegion(type, VirtioMmio.SIZE, transport), 1);
        } catch (RuntimeException e) {
            model.release();
            throw e;
        }
    }

    /**
     * Unrealizes the device: unmaps the transport, drops the queues and releases the model's
     * host resources; the subclass's @Deactivate calls it.
     */
    void unplug() {
        mapping.unmap();
        transport.reset();
        model.release();
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final void reset() {
        transport.reset();
    }

    @Override
    public final StateSchema stateSchema() {
        return schema;
    }

    @Override
    public final DeviceState saveState() {
        return transport.saveState(schema);
    }

    @Override
    public final void restoreState(DeviceState state) throws InvalidStateException {
        transport.restoreState(schema.accept(state));
    }
}
