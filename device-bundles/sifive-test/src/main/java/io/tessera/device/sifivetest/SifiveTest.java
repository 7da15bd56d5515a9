package io.tessera.device.sifivetest;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import io.tessera.core.device.Resettable;
import io.tessera.core.device.StateSchema;
import io.tessera.core.device.Stateful;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.MmioHandler;
import io.tessera.core.memory.MmioRegion;
import java.lang.System.Logger.Level;
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
 * The SiFive test finisher ({@code sifive-test}) of the riscv {@code virt} board, as QEMU's
 * {@code hw/misc/sifive_test.c} models it: the register through which OpenSBI powers the
 * machine off and test programs end with a status.
 *
 * <p>Region: {@code sifive-test}, MMIO, 0x1000 bytes at property {@code base}, 2- and 4-byte
 * accesses (QEMU's valid sizes; OpenSBI writes 16 bits, test programs often 32):
 * <pre>
 *   0x0 FINISHER  w  bits 15:0 the command, bits 31:16 its code:
 *                    0x3333 FAIL   the machine exits with status = code (QEMU: a guest panic
 *                                  shutdown with that exit code; code 0 exits 0)
 *                    0x5555 PASS   the machine exits with status 0 (guest power-off)
 *                    0x7777 RESET  the machine resets (Machine.requestReset: it happens on
 *                                  a thread of the machine's, since the writing vCPU
 *                                  must stop for it), as QEMU's does
 *                    anything else is ignored, logged and counted
 * </pre>
 * Every read returns 0; writes elsewhere in the region are ignored, logged and counted. The
 * machine is ended from the writing vCPU's thread, holding no lock, as spike's HTIF does.
 *
 * <p>IRQ outputs: none. Properties: {@code base} (long, 0x100000); reference {@code machine}.
 *
 * <p>State: schema {@code sifive-test} version 1: {@code ignoredWrites}, how many writes the
 * device ignored (the finisher has no register state; the count is there for diagnosis and
 * survives a bundle update). Restoring rejects a negative count. Reset leaves the count.
 */
@Component(configurationPid = DeviceConstants.FACTORY_PID_PREFIX + SifiveTest.TYPE,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Device.class, immediate = true)
@Designate(ocd = SifiveTest.Config.class, factory = true)
public final class SifiveTest implements Device, Stateful, Resettable, MmioHandler {

    static final String TYPE = "sifive-test";

    /** The properties of a finisher instance. */
    @ObjectClassDefinition(name = TYPE, description = "SiFive test finisher: guest power-off and test exit codes")
    public @interface Config {
        /** @return where the register is mapped */
        @AttributeDefinition(description = "bus address of the register block")
        long base() default 0x10_0000L;
    }

    static final long SIZE = 0x1000;
    static final int FINISHER_FAIL = 0x3333;
    static final int FINISHER_PASS = 0x5555;
    static final int FINISHER_RESET = 0x7777;

    private static final System.Logger LOG = System.getLogger(SifiveTest.class.getName());
    /** What the guest does wrong (unknown commands, writes elsewhere). */
    private static final System.Logger GUEST = System.getLogger(SifiveTest.class.getName() + ".guest");

    private static final StateSchema SCHEMA = StateSchema.builder(TYPE, 1)
            .field("ignoredWrites", StateSchema.FieldType.LONG)
            .check(s -> s.getLong("ignoredWrites") < 0 ? "ignoredWrites " + s.getLong("ignoredWrites") + " is negative" : null)
            .build();

    private final String id;
    private final Machine machine;
    private final SystemBus.Mapping mapping;
    // Guarded by this.
    private long ignoredWrites;

    /** Realizes the finisher: maps its register. */
    @Activate
    public SifiveTest(Config config, Map<String, Object> properties, @Reference(name = "machine") Machine machine) {
        this.id = (String) properties.get(DeviceConstants.ID);
        this.machine = machine;
        this.mapping = machine.systemBus().map(id, config.base(),
                new MmioRegion(TYPE, SIZE, this, MmioRegion.SIZE_2 | MmioRegion.SIZE_4));
    }

    /** Unmaps the register. */
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
    public long read(long offset, int size) {
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset == 0) {
            int command = (int) value & 0xffff;
            int code = (int) (value >>> 16) & 0xffff;
            // No lock is held here: ending the machine stops the vCPUs and the clock, and waits.
            switch (command) {
                case FINISHER_FAIL -> {
                    LOG.log(Level.INFO, () -> id + ": guest reported failure, exit status " + code);
                    machine.exit(code);
                    return;
                }
                case FINISHER_PASS -> {
                    LOG.log(Level.DEBUG, () -> id + ": guest powered off");
                    machine.exit(0);
                    return;
                }
                case FINISHER_RESET -> {
                    LOG.log(Level.DEBUG, () -> id + ": guest asked for a reset");
                    machine.requestReset();
                    return;
                }
                default -> {
                    // an unknown command: ignored below
                }
            }
        }
        long count;
        synchronized (this) {
            count = ++ignoredWrites;
        }
        GUEST.log(Level.DEBUG, () -> id + ": write of 0x" + Long.toHexString(value) + " (" + size + " bytes) at 0x"
                + Long.toHexString(offset) + " ignored; " + count + " ignored so far");
    }

    /** @return how many writes were ignored */
    synchronized long ignoredWrites() {
        return ignoredWrites;
    }

    /** Nothing to reset: the finisher has no registers (the diagnostic count stays). */
    @Override
    public void reset() {
    }

    @Override
    public StateSchema stateSchema() {
        return SCHEMA;
    }

    @Override
    public synchronized DeviceState saveState() {
        return SCHEMA.state("ignoredWrites", ignoredWrites);
    }

    @Override
    public void restoreState(DeviceState saved) throws InvalidStateException {
        DeviceState s = SCHEMA.accept(saved);
        synchronized (this) {
            ignoredWrites = s.getLong("ignoredWrites");
        }
    }
}
