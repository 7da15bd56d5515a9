package io.tessera.device.testcounter;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.DeviceState;
import io.tessera.core.device.Resettable;
import io.tessera.core.device.StateSchema;
import io.tessera.core.device.Stateful;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.MmioHandler;
import io.tessera.core.memory.MmioRegion;
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
 * A counter register block that the platform's integration tests plug, update and unplug.
 *
 * <p>Region: {@code counter}, MMIO, 16 bytes at property {@code base}, 4-byte accesses:
 * <pre>
 *   0x0 COUNT      rw  the counter
 *   0x4 INCREMENT  wo  adds the written value to COUNT
 *   0x8 REVISION   ro  the revision of the code that runs (1 or 2)
 *   0xc ACCESSES   ro  register accesses since realize (revision 2; reads 0 in revision 1)
 * </pre>
 * IRQ outputs: none. Properties: {@code base}. State: schema {@code test-counter}, version 1
 * {@code count}; version 2 adds {@code accesses} (0 when upgrading a version-1 state).
 */
@Component(configurationPid = DeviceConstants.FACTORY_PID_PREFIX + CounterDevice.TYPE,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Device.class, immediate = true)
@Designate(ocd = CounterDevice.Config.class, factory = true)
public final class CounterDevice implements Device, Stateful, Resettable, MmioHandler {

    static final String TYPE = "test-counter";

    static final int COUNT = 0x0;
    static final int INCREMENT = 0x4;
    static final int REVISION = 0x8;
    static final int ACCESSES = 0xc;

    /** The properties of a counter instance. */
    @ObjectClassDefinition(name = TYPE, description = "counter register block for platform tests")
    public @interface Config {
        /** @return where the block is mapped */
        @AttributeDefinition(description = "bus address of the register block")
        long base() default 0x1000_0000L;
    }

    private static final StateSchema SCHEMA = schema();

    private final String id;
    private final SystemBus.Mapping mapping;
    private int count;
    private long accesses;

    @Activate
    public CounterDevice(Config config, Map<String, Object> properties, @Reference(name = "machine") Machine machine) {
        this.id = (String) properties.get(DeviceConstants.ID);
        this.mapping = machine.systemBus().map(id, config.base(), new MmioRegion(TYPE, 0x10, this, MmioRegion.SIZE_4));
    }

    @Deactivate
    void unrealize() {
        mapping.unmap();
    }

    private static StateSchema schema() {
        StateSchema.Builder schema = StateSchema.builder(TYPE, CounterRevision.NUMBER)
                .field("count", StateSchema.FieldType.LONG);
        if (CounterRevision.NUMBER >= 2) {
            schema.field("accesses", StateSchema.FieldType.LONG, 2, 0L);
        }
        return schema.check(s -> s.getLong("count") >>> 32 != 0 ? "count " + s.getLong("count") + " exceeds 32 bits" : null)
                .build();
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
    public synchronized long read(long offset, int size) {
        accesses++;
        return switch ((int) offset) {
            case COUNT -> count & 0xffff_ffffL;
            case REVISION -> CounterRevision.NUMBER;
            case ACCESSES -> CounterRevision.NUMBER >= 2 ? accesses : 0;
            default -> 0;
        };
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        accesses++;
        switch ((int) offset) {
            case COUNT -> count = (int) value;
            case INCREMENT -> count += (int) value;
            default -> {
                // read-only or reserved: ignored, as hardware does
            }
        }
    }

    @Override
    public synchronized void reset() {
        count = 0;
        accesses = 0;
    }

    @Override
    public StateSchema stateSchema() {
        return SCHEMA;
    }

    @Override
    public synchronized DeviceState saveState() {
        return CounterRevision.NUMBER >= 2
                ? SCHEMA.state("count", count & 0xffff_ffffL, "accesses", accesses)
                : SCHEMA.state("count", count & 0xffff_ffffL);
    }

    @Override
    public synchronized void restoreState(DeviceState state) {
        count = (int) state.getLong("count");
        accesses = CounterRevision.NUMBER >= 2 ? state.getLong("accesses") : 0;
    }
}
