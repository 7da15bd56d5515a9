package io.tessera.device.aclint;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.DeviceState;
import io.tessera.core.device.Resettable;
import io.tessera.core.device.StateSchema;
import io.tessera.core.device.Stateful;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.MmioRegion;
import java.util.Arrays;
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
 * The RISC-V ACLINT machine-level software interrupt device (MSWI), the first part of QEMU's
 * CLINT-compatible block.
 *
 * <p>Region {@code aclint-mswi}, MMIO, 0x4000 bytes at {@code base}, 4-byte accesses: MSIP of
 * hart {@code hart-base + n} at 4 * n, bit 0 significant. IRQ outputs: the machine software
 * interrupt (MSIP) of each hart served. Properties: {@code base}, {@code hart-base},
 * {@code harts}. State: schema {@code aclint-mswi} version 1: {@code pending} (one per hart).
 */
@Component(configurationPid = DeviceConstants.FACTORY_PID_PREFIX + MswiDevice.TYPE,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Device.class, immediate = true)
@Designate(ocd = MswiDevice.Config.class, factory = true)
public final class MswiDevice implements Device, Stateful, Resettable {

    static final String TYPE = "aclint-mswi";
    static final long SIZE = 0x4000;

    /** The properties of an MSWI instance. */
    @ObjectClassDefinition(name = TYPE, description = "RISC-V ACLINT machine-level software interrupts (MSIP)")
    public @interface Config {
        /** @return where the block is mapped */
        @AttributeDefinition(description = "bus address of the register block")
        long base() default 0x200_0000L;

        /** @return the first hart */
        @AttributeDefinition(name = "hart-base", description = "index of the first hart served")
        int hart$_$base() default 0;

        /** @return how many harts */
        @AttributeDefinition(description = "how many harts are served (0: all from hart-base on)")
        int harts() default 0;
    }

    private final String id;
    private final SoftwareInterrupts registers;
    private final StateSchema schema;
    private final SystemBus.Mapping mapping;

    @Activate
    public MswiDevice(Config config, Map<String, Object> properties, @Reference(name = "machine") Machine machine) {
        this.id = (String) properties.get(DeviceConstants.ID);
        var harts = Harts.of(machine, config.hart$_$base(), config.harts());
        this.registers = new SoftwareInterrupts(harts);
        int count = harts.size();
        this.schema = StateSchema.builder(TYPE, 1).field("pending", StateSchema.FieldType.LONGS)
                .check(s -> s.getLongs("pending").length != count
                        ? "pending has " + s.getLongs("pending").length + " entries for " + count + " harts" : null)
                .build();
        this.mapping = machine.systemBus().map(id, config.base(), new MmioRegion(TYPE, SIZE, registers, MmioRegion.SIZE_4));
    }

    @Deactivate
    void unrealize() {
        mapping.unmap();
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
        registers.reset();
    }

    @Override
    public StateSchema stateSchema() {
        return schema;
    }

    @Override
    public DeviceState saveState() {
        return schema.state("pending", Arrays.stream(registers.pending()).asLongStream().toArray());
    }

    @Override
    public void restoreState(DeviceState state) {
        registers.restore(Arrays.stream(state.getLongs("pending")).mapToInt(v -> (int) v).toArray());
    }
}
