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
import io.tessera.isa.riscv.platform.Timebase;
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
 * The RISC-V ACLINT machine-level timer (MTIMER), as QEMU's virt machine places it inside the
 * CLINT-compatible block.
 *
 * <p>Region {@code aclint-mtimer}, MMIO, 0x8000 bytes at {@code base}, 4- and 8-byte accesses:
 * MTIMECMP of hart {@code hart-base + n} at 8 * n, MTIME at 0x7ff8. MTIME counts
 * {@code timebase-frequency} ticks per second of the machine's virtual clock; it must equal
 * the frequency the board gave its harts for the {@code time} CSR. IRQ outputs: the machine
 * timer interrupt (MTIP) of each hart served. Properties: {@code base}, {@code hart-base},
 * {@code harts}, {@code timebase-frequency}. State: schema {@code aclint-mtimer} version 1:
 * {@code mtime}, {@code mtimecmp} (one per hart).
 */
@Component(configurationPid = DeviceConstants.FACTORY_PID_PREFIX + MtimerDevice.TYPE,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Device.class, immediate = true)
@Designate(ocd = MtimerDevice.Config.class, factory = true)
public final class MtimerDevice implements Device, Stateful, Resettable {

    static final String TYPE = "aclint-mtimer";
    static final long SIZE = 0x8000;
    static final long MTIME = 0x7ff8;

    /** The properties of an MTIMER instance. */
    @ObjectClassDefinition(name = TYPE, description = "RISC-V ACLINT machine timer (mtime, mtimecmp)")
    public @interface Config {
        /** @return where the block is mapped */
        @AttributeDefinition(description = "bus address of the register block")
        long base() default 0x200_4000L;

        /** @return the first hart */
        @AttributeDefinition(name = "hart-base", description = "index of the first hart served")
        int hart$_$base() default 0;

        /** @return how many harts */
        @AttributeDefinition(description = "how many harts are served (0: all from hart-base on)")
        int harts() default 0;

        /** @return the tick rate */
        @AttributeDefinition(name = "timebase-frequency", description = "mtime ticks per second of virtual time")
        long timebase$_$frequency() default 10_000_000L;
    }

    private final String id;
    private final MachineTimer timer;
    private final StateSchema schema;
    private final SystemBus.Mapping mapping;

    @Activate
    public MtimerDevice(Config config, Map<String, Object> properties, @Reference(name = "machine") Machine machine) {
        this.id = (String) properties.get(DeviceConstants.ID);
        var harts = Harts.of(machine, config.hart$_$base(), config.harts());
        this.timer = new MachineTimer(harts, new Timebase(machine.clock(), config.timebase$_$frequency()), MTIME);
        int count = harts.size();
        this.schema = StateSchema.builder(TYPE, 1).field("mtime", StateSchema.FieldType.LONG)
                .field("mtimecmp", StateSchema.FieldType.LONGS)
                .check(s -> s.getLongs("mtimecmp").length != count
                        ? "mtimecmp has " + s.getLongs("mtimecmp").length + " entries for " + count + " harts" : null)
                .build();
        this.mapping = machine.systemBus().map(id, config.base(),
                new MmioRegion(TYPE, SIZE, timer, MmioRegion.SIZE_4 | MmioRegion.SIZE_8));
    }

    @Deactivate
    void unrealize() {
        mapping.unmap();
        timer.close();
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
        timer.reset();
    }

    @Override
    public StateSchema stateSchema() {
        return schema;
    }

    @Override
    public DeviceState saveState() {
        synchronized (timer) {
            return schema.state("mtime", timer.mtime(), "mtimecmp", timer.compares());
        }
    }

    @Override
    public void restoreState(DeviceState state) {
        timer.restore(state.getLong("mtime"), state.getLongs("mtimecmp"));
    }
}
