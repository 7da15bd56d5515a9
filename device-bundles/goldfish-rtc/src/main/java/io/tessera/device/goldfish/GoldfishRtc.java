package io.tessera.device.goldfish;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.clock.Timer;
import io.tessera.core.clock.VirtualClock;
import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import io.tessera.core.device.Resettable;
import io.tessera.core.device.StateSchema;
import io.tessera.core.device.Stateful;
import io.tessera.core.irq.InterruptController;
import io.tessera.core.irq.IrqLine;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.MmioHandler;
import io.tessera.core.memory.MmioRegion;
import java.lang.System.Logger.Level;
import java.time.Instant;
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
 * The Goldfish real-time clock ({@code goldfish-rtc}) of the riscv {@code virt} board, as QEMU's
 * {@code hw/rtc/goldfish_rtc.c} models it and Linux's {@code drivers/rtc/rtc-goldfish.c} drives
 * it: a 64-bit count of nanoseconds since the Unix epoch and one alarm.
 *
 * <p>Region: {@code goldfish-rtc}, MMIO, 0x1000 bytes at property {@code base}, 4-byte
 * accesses (an 8-byte access at TIME_LOW is split into TIME_LOW then TIME_HIGH, which is the
 * order the latch wants):
 * <pre>
 *   0x00 TIME_LOW        rw  low half of the time; reading it latches the high half into TIME_HIGH;
 *                            writing it sets the low half of the time
 *   0x04 TIME_HIGH       rw  the latched high half; writing it sets the high half of the time
 *   0x08 ALARM_LOW       rw  low half of the alarm time; writing it arms the alarm at
 *                            ALARM_HIGH &lt;&lt; 32 | value (at once if that time has passed)
 *   0x0c ALARM_HIGH      rw  high half of the alarm time
 *   0x10 IRQ_ENABLED     rw  bit 0: the alarm interrupt reaches the line
 *   0x14 CLEAR_ALARM     w   disarms the alarm
 *   0x18 ALARM_STATUS    r   1 while the alarm is armed
 *   0x1c CLEAR_INTERRUPT w   acknowledges the alarm interrupt
 * </pre>
 * Time is the host's wall clock (UTC, nanoseconds) read at realize and at each reset, plus the
 * machine's virtual time elapsed since, so it stands still while the machine is paused; a
 * guest that writes the time keeps the offset it chose. The alarm is a timer on the machine's
 * virtual clock; as in QEMU, a time written after arming does not move a pending alarm's
 * virtual deadline.
 *
 * <p>IRQ output: one level line, input {@code irq} of the interrupt controller the {@code irq}
 * reference selects ({@code tessera.id=plic0} unless the configuration targets another); high
 * while an alarm interrupt is pending and IRQ_ENABLED is set.
 *
 * <p>Properties: {@code base} (long, 0x101000), {@code irq} (integer, 11); references
 * {@code machine} and {@code irq}.
 *
 * <p>State: schema {@code goldfish-rtc} version 1: {@code time} (the count when saved, so the
 * guest's time goes on from there in any machine), {@code alarmNext}, {@code timeHigh} (the
 * latch), {@code alarmRunning}, {@code irqPending}, {@code irqEnabled}. Restoring rejects a
 * latch wider than 32 bits.
 */
@Component(configurationPid = DeviceConstants.FACTORY_PID_PREFIX + GoldfishRtc.TYPE,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Device.class, immediate = true)
@Designate(ocd = GoldfishRtc.Config.class, factory = true)
public final class GoldfishRtc implements Device, Stateful, Resettable, MmioHandler {

    static final String TYPE = "goldfish-rtc";

    /** The properties of an RTC instance. */
    @ObjectClassDefinition(name = TYPE, description = "Goldfish real-time clock with one alarm")
    public @interface Config {
        /** @return where the registers are mapped */
        @AttributeDefinition(description = "bus address of the register block")
        long base() default 0x10_1000L;

        /** @return the interrupt controller input */
        @AttributeDefinition(description = "input number of the alarm interrupt on the interrupt controller")
        int irq() default 11;
    }

    static final long SIZE = 0x1000;

    static final int TIME_LOW = 0x00;
    static final int TIME_HIGH = 0x04;
    static final int ALARM_LOW = 0x08;
    static final int ALARM_HIGH = 0x0c;
    static final int IRQ_ENABLED = 0x10;
    static final int CLEAR_ALARM = 0x14;
    static final int ALARM_STATUS = 0x18;
    static final int CLEAR_INTERRUPT = 0x1c;

    /** What the guest does wrong (accesses to offsets with no register). */
    private static final System.Logger GUEST = System.getLogger(GoldfishRtc.class.getName() + ".guest");

    private static final StateSchema SCHEMA = StateSchema.builder(TYPE, 1)
            .field("time", StateSchema.FieldType.LONG)
            .field("alarmNext", StateSchema.FieldType.LONG)
            .field("timeHigh", StateSchema.FieldType.LONG)
            .field("alarmRunning", StateSchema.FieldType.BOOLEAN)
            .field("irqPending", StateSchema.FieldType.BOOLEAN)
            .field("irqEnabled", StateSchema.FieldType.BOOLEAN)
            .check(s -> s.getLong("timeHigh") >>> 32 != 0 ? "timeHigh " + s.getLong("timeHigh") + " exceeds 32 bits" : null)
            .build();

    private final String id;
    private final IrqLine irq;
    private final VirtualClock clock;
    private final Timer alarm;
    private final SystemBus.Mapping mapping;

    // Guarded by this. The time is tickOffset + clock.nanos(), unsigned 64-bit arithmetic.
    private long tickOffset;
    private long alarmNext;
    private long timeHigh;
    private boolean alarmRunning;
    private boolean irqPending;
    private boolean irqEnabled;
    private boolean unrealized;

    /** Realizes the RTC: takes its line, sets the time from the host, maps its registers. */
    @Activate
    public GoldfishRtc(Config config, Map<String, Object> properties, @Reference(name = "machine") Machine machine,
            @Reference(name = "irq", target = "(tessera.id=plic0)") InterruptController irqController) {
        this.id = (String) properties.get(DeviceConstants.ID);
        this.irq = irqController.line(config.irq());
        this.clock = machine.clock();
        this.alarm = clock.newTimer(this::alarmExpired);
        synchronized (this) {
            powerOn();
        }
        this.mapping = machine.systemBus().map(id, config.base(), new MmioRegion(TYPE, SIZE, this, MmioRegion.SIZE_4));
    }

    /** Unmaps the registers, disarms the alarm and lowers the line. */
    @Deactivate
    void unrealize() {
        mapping.unmap();
        synchronized (this) {
            unrealized = true;
            alarm.cancel();
            irq.lower();
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** @return nanoseconds since the Unix epoch, as the host's wall clock says */
    private static long hostNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private long count() {
        return tickOffset + clock.nanos();
    }

    @Override
    public synchronized long read(long offset, int size) {
        return switch ((int) offset) {
            case TIME_LOW -> {
                long now = count();
                timeHigh = now >>> 32;
                yield now & 0xffff_ffffL;
            }
            case TIME_HIGH -> timeHigh;
            case ALARM_LOW -> alarmNext & 0xffff_ffffL;
            case ALARM_HIGH -> alarmNext >>> 32;
            case IRQ_ENABLED -> irqEnabled ? 1 : 0;
            case ALARM_STATUS -> alarmRunning ? 1 : 0;
            default -> {
                GUEST.log(Level.DEBUG, () -> id + ": read at 0x" + Long.toHexString(offset) + ", where there is no readable register");
                yield 0;
            }
        };
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        long word = value & 0xffff_ffffL;
        switch ((int) offset) {
            case TIME_LOW -> {
                long now = count();
                tickOffset += ((now & ~0xffff_ffffL) | word) - now;
            }
            case TIME_HIGH -> {
                long now = count();
                tickOffset += ((now & 0xffff_ffffL) | word << 32) - now;
            }
            case ALARM_LOW -> {
                alarmNext = (alarmNext & ~0xffff_ffffL) | word;
                armAlarm();
            }
            case ALARM_HIGH -> alarmNext = (alarmNext & 0xffff_ffffL) | word << 32;
            case IRQ_ENABLED -> {
                irqEnabled = (word & 1) != 0;
                updateIrq();
            }
            case CLEAR_ALARM -> clearAlarm();
            case CLEAR_INTERRUPT -> {
                irqPending = false;
                updateIrq();
            }
            default -> GUEST.log(Level.DEBUG, () -> id + ": write of 0x" + Long.toHexString(word) + " at 0x"
                    + Long.toHexString(offset) + ", where there is no writable register, ignored");
        }
    }

    /** Arms the alarm at {@code alarmNext}, or raises it at once when that time has come. */
    private void armAlarm() {
        long now = count();
        if (Long.compareUnsigned(alarmNext, now) <= 0) {
            clearAlarm();
            fire();
        } else {
            long delay = alarmNext - now; // unsigned, positive
            alarm.armAfter(delay < 0 ? Long.MAX_VALUE : delay);
            alarmRunning = true;
        }
    }

    private void clearAlarm() {
        alarm.cancel();
        alarmRunning = false;
    }

    private void fire() {
        alarmRunning = false;
        irqPending = true;
        updateIrq();
    }

    /** The alarm's timer expired, on the clock's thread. */
    private void alarmExpired() {
        synchronized (this) {
            // Cleared meanwhile, or armed again after this expiry had begun: not this alarm's time.
            if (unrealized || !alarmRunning || alarm.isArmed()) {
                return;
            }
            fire();
        }
    }

    private void updateIrq() {
        irq.set(irqPending && irqEnabled);
    }

    private void powerOn() {
        alarm.cancel();
        tickOffset = hostNanos() - clock.nanos();
        alarmNext = 0;
        timeHigh = 0;
        alarmRunning = false;
        irqPending = false;
        irqEnabled = false;
        updateIrq();
    }

    /** Disarms the alarm, clears the registers and takes the host's time again, as QEMU's reset does. */
    @Override
    public synchronized void reset() {
        powerOn();
    }

    @Override
    public StateSchema stateSchema() {
        return SCHEMA;
    }

    @Override
    public synchronized DeviceState saveState() {
        return SCHEMA.state("time", count(), "alarmNext", alarmNext, "timeHigh", timeHigh, "alarmRunning", alarmRunning,
                "irqPending", irqPending, "irqEnabled", irqEnabled);
    }

    @Override
    public void restoreState(DeviceState saved) throws InvalidStateException {
        DeviceState s = SCHEMA.accept(saved);
        synchronized (this) {
            tickOffset = s.getLong("time") - clock.nanos();
            alarmNext = s.getLong("alarmNext");
            timeHigh = s.getLong("timeHigh");
            irqPending = s.getBoolean("irqPending");
            irqEnabled = s.getBoolean("irqEnabled");
            if (s.getBoolean("alarmRunning")) {
                armAlarm();
            } else {
                clearAlarm();
            }
            updateIrq();
        }
    }
}
