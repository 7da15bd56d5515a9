package io.tessera.device.serial;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.chardev.ByteReceiver;
import io.tessera.core.chardev.CharDevice;
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
 * The 16550A UART ({@code ns16550a}) as QEMU's {@code hw/char/serial.c} models it: the serial
 * console of the riscv {@code virt} board.
 *
 * <p>Region: {@code ns16550a}, MMIO, 0x100 bytes at property {@code base}. Register {@code n}
 * sits at offset {@code n << reg-shift}; offsets repeat every 8 registers, as in QEMU. With
 * {@code reg-shift} 0 (byte registers, as on virt) the region accepts 1-byte accesses and the
 * address space splits wider ones; with a larger shift it accepts every size and an access of
 * any width reaches one register (its low byte), as QEMU's {@code serial_mm} does.
 * <pre>
 *   0 RBR  r   receive buffer: the oldest received byte      THR  w  transmit holding
 *       DLL rw divisor latch, low byte (when LCR.DLAB)
 *   1 IER  rw  interrupt enable: ERBFI 0x01, ETBEI 0x02, ELSI 0x04, EDSSI 0x08
 *       DLM rw divisor latch, high byte (when LCR.DLAB)
 *   2 IIR  r   interrupt identification; reading it with THRE identified acknowledges THRE
 *       FCR w  FIFO control: enable 0x01, clear receive 0x02, clear transmit 0x04,
 *              receive trigger level 0xc0 (1, 4, 8 or 14 bytes)
 *   3 LCR  rw  line control: word length, stop bits, parity, break, DLAB 0x80
 *   4 MCR  rw  modem control: DTR, RTS, OUT1, OUT2, LOOP 0x10
 *   5 LSR  r   line status: DR 0x01, OE 0x02, THRE 0x20, TEMT 0x40; reading clears OE (and BI)
 *   6 MSR  r   modem status: DCD, DSR and CTS always asserted (loopback: MCR's outputs);
 *              delta bits, cleared by reading
 *   7 SCR  rw  scratch
 * </pre>
 * Interrupt identification, highest priority first: receiver line status (OE, with ELSI);
 * character timeout (FIFO mode, ERBFI: bytes have waited four character times unread, QEMU's
 * approximation of the datasheet rule); received data available (ERBFI: a byte in RBR, or the
 * FIFO at its trigger level); transmitter holding register empty (ETBEI; also raised whenever
 * ETBEI is switched on while THR is empty, which Linux's 8250 driver probes); modem status
 * (EDSSI and a delta bit, which only loopback produces).
 *
 * <p>Transmission takes no time, as in QEMU: a byte written to THR goes to the character
 * device at once (in loopback, into the receiver), so THRE and TEMT are set again when the
 * write returns. Input from the character device waits in a host-side buffer of
 * {@value #HOST_INPUT_CAPACITY} bytes and enters the receiver as QEMU's flow control lets it
 * (RBR empty; in FIFO mode, the FIFO filled up to its trigger level). The buffer's free space
 * is the character device's {@link ByteReceiver#room() room}: a backend that can wait (a
 * socket, the terminal) holds its input back while the buffer is full and is told
 * ({@link CharDevice#roomAvailable()}) once the guest has read half of it, so nothing is lost
 * however much is sent; bytes from a backend that cannot wait are dropped when it is full and set OE. In loopback mode host input waits. Bytes looped
 * back into a full receiver set OE, as on the chip.
 *
 * <p>IRQ output: one level line, input {@code irq} of the interrupt controller the {@code irq}
 * reference selects ({@code tessera.id=plic0} unless the configuration targets another).
 *
 * <p>Properties: {@code base} (long, 0x10000000), {@code irq} (integer, 10), {@code reg-shift}
 * (integer 0..5, 0); references {@code machine}, {@code irq} (an {@link InterruptController})
 * and {@code chardev} (a {@link CharDevice}, {@code tessera.id=serial0} unless targeted).
 *
 * <p>State: schema {@code ns16550a} version 1: {@code divisor}, {@code rbr}, {@code ier},
 * {@code lcr}, {@code mcr}, {@code lsr}, {@code msr}, {@code scr}, {@code fcr} (integers),
 * {@code thrPending}, {@code timeoutPending} (booleans), {@code rxFifo} (bytes, oldest first),
 * {@code timeoutRemaining} (virtual nanoseconds until the character timeout, -1 when not armed),
 * {@code hostInput} (bytes received from the character device and not yet in the receiver).
 * IIR is derived from the rest. Restoring rejects registers out of their width, FIFOs over
 * capacity, FIFO contents with the FIFOs disabled, and LSR.DR disagreeing with the FIFO.
 *
 * <p>Not modelled: parity, framing and break errors (there is no line), the transmit FIFO
 * (never holds anything, transmission being immediate), DMA mode, modem lines of a host tty.
 */
@Component(configurationPid = DeviceConstants.FACTORY_PID_PREFIX + Ns16550a.TYPE,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Device.class, immediate = true)
@Designate(ocd = Ns16550a.Config.class, factory = true)
public final class Ns16550a implements Device, Stateful, Resettable, MmioHandler {

    static final String TYPE = "ns16550a";

    /** The properties of a UART instance. */
    @ObjectClassDefinition(name = TYPE, description = "16550A UART with 16-byte FIFOs (QEMU's ns16550a)")
    public @interface Config {
        /** @return where the registers are mapped */
        @AttributeDefinition(description = "bus address of the register block")
        long base() default 0x1000_0000L;

        /** @return the interrupt controller input */
        @AttributeDefinition(description = "input number of the interrupt line on the interrupt controller")
        int irq() default 10;

        /** @return log2 of the register spacing */
        @AttributeDefinition(name = "reg-shift", description = "register n is at offset n << reg-shift: 0 for byte registers, 2 for 32-bit ones")
        int reg$_$shift() default 0;
    }

    static final long SIZE = 0x100;
    static final int HOST_INPUT_CAPACITY = 64 * 1024;
    static final int FIFO_SIZE = 16;
    /** The clock QEMU's virt gives its UART: {@code serial_mm_init(..., 399193, ...)}. */
    static final long BAUD_BASE = 399_193;

    // Register numbers.
    static final int RBR = 0;
    static final int THR = 0;
    static final int DLL = 0;
    static final int IER = 1;
    static final int DLM = 1;
    static final int IIR = 2;
    static final int FCR = 2;
    static final int LCR = 3;
    static final int MCR = 4;
    static final int LSR = 5;
    static final int MSR = 6;
    static final int SCR = 7;

    static final int IER_RDI = 0x01;
    static final int IER_THRI = 0x02;
    static final int IER_RLSI = 0x04;
    static final int IER_MSI = 0x08;

    static final int IIR_NO_INT = 0x01;
    static final int IIR_ID = 0x06;
    static final int IIR_MSI = 0x00;
    static final int IIR_THRI = 0x02;
    static final int IIR_RDI = 0x04;
    static final int IIR_RLSI = 0x06;
    static final int IIR_CTI = 0x0c;
    static final int IIR_FIFO_ENABLED = 0xc0;

    static final int FCR_FE = 0x01;
    static final int FCR_RFR = 0x02;
    static final int FCR_XFR = 0x04;
    static final int FCR_KEPT = 0xc9;

    static final int LCR_DLAB = 0x80;

    static final int MCR_DTR = 0x01;
    static final int MCR_RTS = 0x02;
    static final int MCR_OUT1 = 0x04;
    static final int MCR_OUT2 = 0x08;
    static final int MCR_LOOP = 0x10;

    static final int LSR_DR = 0x01;
    static final int LSR_OE = 0x02;
    static final int LSR_BI = 0x10;
    static final int LSR_THRE = 0x20;
    static final int LSR_TEMT = 0x40;
    static final int LSR_INT_ANY = 0x1e;

    static final int MSR_DCTS = 0x01;
    static final int MSR_DDSR = 0x02;
    static final int MSR_TERI = 0x04;
    static final int MSR_DDCD = 0x08;
    static final int MSR_ANY_DELTA = 0x0f;
    static final int MSR_CTS = 0x10;
    static final int MSR_DSR = 0x20;
    static final int MSR_RI = 0x40;
    static final int MSR_DCD = 0x80;

    /** The modem inputs of a line with no modem behind it: carrier, data set ready, clear to send. */
    private static final int EXTERNAL_MODEM_INPUTS = MSR_DCD | MSR_DSR | MSR_CTS;
    /** Character time QEMU assumes after reset: 9600 baud, 10 bits a frame. */
    private static final long RESET_CHAR_NANOS = 1_000_000_000L / 9600 * 10;

    /** What the guest does wrong (writes to read-only registers and the like). */
    private static final System.Logger GUEST = System.getLogger(Ns16550a.class.getName() + ".guest");
    /** What the model does not do (yet). */
    private static final System.Logger UNIMP = System.getLogger(Ns16550a.class.getName() + ".unimp");

    private static final StateSchema SCHEMA = schema();

    private final String id;
    private final int regShift;
    private final IrqLine irq;
    private final CharDevice chardev;
    private final VirtualClock clock;
    private final Timer timeoutTimer;
    private final SystemBus.Mapping mapping;

    // Guarded by this.
    private int rbr;
    private int ier;
    private int iir;
    private int lcr;
    private int mcr;
    private int lsr;
    /** DCD/DSR/CTS/RI as the outside drives them, plus the delta bits. */
    private int msr;
    private int scr;
    private int fcr;
    private int divisor;
    private boolean thrPending;
    private boolean timeoutPending;
    private long charNanos;
    private final ByteFifo rxFifo = new ByteFifo(FIFO_SIZE);
    private final ByteFifo hostInput = new ByteFifo(HOST_INPUT_CAPACITY);
    /** Whether the backend was told there is no room, and waits to hear there is. Guarded by this. */
    private boolean inputHeldBack;
    private long droppedInput;
    private boolean unrealized;

    /** Realizes the UART: takes its line, maps its registers, connects to the character device. */
    @Activate
    public Ns16550a(Config config, Map<String, Object> properties, @Reference(name = "machine") Machine machine,
            @Reference(name = "irq", target = "(tessera.id=plic0)") InterruptController irqController,
            @Reference(name = "chardev", target = "(tessera.id=serial0)") CharDevice chardev) {
        this.id = (String) properties.get(DeviceConstants.ID);
        this.regShift = config.reg$_$shift();
        if (regShift < 0 || (8L << regShift) > SIZE) {
            throw new IllegalArgumentException("reg-shift=" + regShift + " does not fit 8 registers in 0x100 bytes; valid: 0..5");
        }
        this.irq = irqController.line(config.irq());
        this.chardev = chardev;
        this.clock = machine.clock();
        this.timeoutTimer = clock.newTimer(this::timeoutExpired);
        synchronized (this) {
            powerOn();
        }
        int sizes = regShift == 0 ? MmioRegion.SIZE_1 : MmioRegion.ALL_SIZES;
        this.mapping = machine.systemBus().map(id, config.base(), new MmioRegion(TYPE, SIZE, this, sizes));
        chardev.setReceiver(new ByteReceiver() {
            @Override
            public void receive(byte[] data, int offset, int length) {
                Ns16550a.this.receive(data, offset, length);
            }

            @Override
            public int room() {
                return hostInputRoom();
            }
        });
    }

    /** Disconnects from the character device, unmaps the registers and lowers the line. */
    @Deactivate
    void unrealize() {
        chardev.setReceiver(null);
        mapping.unmap();
        synchronized (this) {
            unrealized = true;
            timeoutTimer.cancel();
            irq.lower();
        }
    }

    private static StateSchema schema() {
        StateSchema.Builder b = StateSchema.builder(TYPE, 1);
        for (String register : new String[] {"divisor", "rbr", "ier", "lcr", "mcr", "lsr", "msr", "scr", "fcr"}) {
            b.field(register, StateSchema.FieldType.INT);
        }
        return b.field("thrPending", StateSchema.FieldType.BOOLEAN)
                .field("timeoutPending", StateSchema.FieldType.BOOLEAN)
                .field("rxFifo", StateSchema.FieldType.BYTES)
                .field("timeoutRemaining", StateSchema.FieldType.LONG)
                .field("hostInput", StateSchema.FieldType.BYTES)
                .check(s -> outside(s, "divisor", 0xffff))
                .check(s -> outside(s, "rbr", 0xff))
                .check(s -> outside(s, "ier", 0x0f))
                .check(s -> outside(s, "lcr", 0xff))
                .check(s -> outside(s, "mcr", 0x1f))
                .check(s -> outside(s, "lsr", 0xff))
                .check(s -> outside(s, "msr", 0xff))
                .check(s -> outside(s, "scr", 0xff))
                .check(s -> (s.getInt("fcr") & ~FCR_KEPT) != 0 ? "fcr " + s.getInt("fcr") + " has bits other than 0xc9" : null)
                .check(Ns16550a::fifoProblem)
                .check(s -> s.getLong("timeoutRemaining") < -1 ? "timeoutRemaining " + s.getLong("timeoutRemaining") + " below -1" : null)
                .check(s -> s.getBytes("hostInput").length > HOST_INPUT_CAPACITY
                        ? "hostInput holds " + s.getBytes("hostInput").length + " bytes, more than " + HOST_INPUT_CAPACITY : null)
                .build();
    }

    private static String outside(DeviceState s, String field, int max) {
        int value = s.getInt(field);
        return value < 0 || value > max ? field + " " + value + " outside 0.." + max : null;
    }

    private static String fifoProblem(DeviceState s) {
        int fifo = s.getBytes("rxFifo").length;
        boolean enabled = (s.getInt("fcr") & FCR_FE) != 0;
        boolean ready = (s.getInt("lsr") & LSR_DR) != 0;
        if (fifo > FIFO_SIZE) {
            return "rxFifo holds " + fifo + " bytes, more than " + FIFO_SIZE;
        }
        if (!enabled && fifo > 0) {
            return "rxFifo holds " + fifo + " bytes while the FIFOs are disabled";
        }
        if (enabled && ready != (fifo > 0)) {
            return "LSR.DR is " + (ready ? "set" : "clear") + " with " + fifo + " bytes in the receive FIFO";
        }
        return null;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return TYPE;
    }

    // ---- registers

    private int register(long offset) {
        return (int) (offset >>> regShift) & 7;
    }

    @Override
    public synchronized long read(long offset, int size) {
        int reg = register(offset);
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (reg) {
            case RBR -> {
                return dlab ? divisor & 0xff : readRbr();
            }
            case IER -> {
                return dlab ? divisor >>> 8 : ier;
            }
            case IIR -> {
                int value = iir;
                if ((value & IIR_ID) == IIR_THRI) {
                    thrPending = false;
                    updateIrq();
                }
                return value;
            }
            case LCR -> {
                return lcr;
            }
            case MCR -> {
                return mcr;
            }
            case LSR -> {
                int value = lsr;
                if ((lsr & (LSR_BI | LSR_OE)) != 0) {
                    lsr &= ~(LSR_BI | LSR_OE);
                    updateIrq();
                }
                return value;
            }
            case MSR -> {
                int value = modemInputs() | (msr & MSR_ANY_DELTA);
                if ((msr & MSR_ANY_DELTA) != 0) {
                    msr &= ~MSR_ANY_DELTA;
                    updateIrq();
                }
                return value;
            }
            default -> {
                return scr;
            }
        }
    }

    private int readRbr() {
        int value;
        if (fifoEnabled()) {
            value = rxFifo.isEmpty() ? 0 : rxFifo.pop();
            if (rxFifo.isEmpty()) {
                lsr &= ~(LSR_DR | LSR_BI);
                timeoutTimer.cancel();
            } else {
                armTimeout();
            }
            timeoutPending = false;
        } else {
            value = rbr;
            lsr &= ~(LSR_DR | LSR_BI);
        }
        feed();
        updateIrq();
        return value;
    }

    @Override
    public void write(long offset, int size, long value) {
        int out;
        synchronized (this) {
            out = writeRegister(register(offset), (int) value & 0xff);
        }
        // Outside the lock: a character device may block a while (a stalled terminal), and the
        // thread that delivers its input must still get in.
        if (out >= 0) {
            chardev.write(new byte[] {(byte) out}, 0, 1);
        }
    }

    /** @return the byte to send to the character device, or -1 */
    private int writeRegister(int reg, int value) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (reg) {
            case THR -> {
                if (dlab) {
                    divisor = (divisor & 0xff00) | value;
                    updateParameters();
                    return -1;
                }
                return transmit(value);
            }
            case IER -> {
                if (dlab) {
                    divisor = (divisor & 0x00ff) | value << 8;
                    updateParameters();
                } else {
                    writeIer(value);
                }
            }
            case FCR -> writeFcr(value);
            case LCR -> {
                if ((value & 0x40) != 0 && (lcr & 0x40) == 0) {
                    UNIMP.log(Level.DEBUG, () -> id + ": break condition requested; there is no line to send it on");
                }
                lcr = value;
                updateParameters();
            }
            case MCR -> writeMcr(value);
            case LSR, MSR -> GUEST.log(Level.DEBUG, () -> id + ": write of 0x" + Integer.toHexString(value)
                    + " to read-only " + (reg == LSR ? "LSR" : "MSR") + " ignored");
            default -> scr = value;
        }
        return -1;
    }

    /** THR written: the byte leaves at once (QEMU's serial_xmit with a character device that takes it). */
    private int transmit(int value) {
        lsr |= LSR_THRE | LSR_TEMT;
        thrPending = true;
        int out = -1;
        if ((mcr & MCR_LOOP) != 0) {
            receiveByte(value);
        } else {
            out = value;
        }
        updateIrq();
        return out;
    }

    private void writeIer(int value) {
        int changed = (ier ^ value) & 0x0f;
        ier = value & 0x0f;
        // Switching ETBEI on with THR empty raises THRE even if it had been acknowledged: not in
        // the datasheet, but what 16550s do, what Linux's 8250 probe checks and QEMU models.
        if ((changed & IER_THRI) != 0) {
            thrPending = (ier & IER_THRI) != 0 && (lsr & LSR_THRE) != 0;
        }
        if (changed != 0) {
            updateIrq();
        }
    }

    private void writeFcr(int value) {
        // Switching the FIFOs on or off clears them both.
        if (((value ^ fcr) & FCR_FE) != 0) {
            value |= FCR_XFR | FCR_RFR;
        }
        if ((value & FCR_RFR) != 0) {
            lsr &= ~(LSR_DR | LSR_BI);
            timeoutTimer.cancel();
            timeoutPending = false;
            rxFifo.clear();
        }
        if ((value & FCR_XFR) != 0) {
            lsr |= LSR_THRE;
            thrPending = true;
        }
        if ((value & 0x08) != 0 && (fcr & 0x08) == 0) {
            UNIMP.log(Level.DEBUG, () -> id + ": FCR DMA mode select has no effect (there is no DMA)");
        }
        fcr = value & FCR_KEPT;
        feed();
        updateIrq();
    }

    private void writeMcr(int value) {
        boolean wasLoop = (mcr & MCR_LOOP) != 0;
        int before = modemInputs();
        mcr = value & 0x1f;
        boolean loop = (mcr & MCR_LOOP) != 0;
        if (wasLoop && loop) {
            // In loopback the modem inputs follow the MCR outputs, and their changes set the delta bits.
            int after = modemInputs();
            int changed = before ^ after;
            if ((changed & MSR_CTS) != 0) {
                msr |= MSR_DCTS;
            }
            if ((changed & MSR_DSR) != 0) {
                msr |= MSR_DDSR;
            }
            if ((before & MSR_RI) != 0 && (after & MSR_RI) == 0) {
                msr |= MSR_TERI;
            }
            if ((changed & MSR_DCD) != 0) {
                msr |= MSR_DDCD;
            }
        }
        if (wasLoop && !loop) {
            feed();
        }
        updateIrq();
    }

    /** @return DCD, RI, DSR and CTS as the receiver sees them: MCR's outputs in loopback, else the line's */
    private int modemInputs() {
        if ((mcr & MCR_LOOP) != 0) {
            return (mcr & (MCR_OUT1 | MCR_OUT2)) << 4 | (mcr & MCR_RTS) << 3 | (mcr & MCR_DTR) << 5;
        }
        return msr & 0xf0;
    }

    // ---- receiving

    private boolean fifoEnabled() {
        return (fcr & FCR_FE) != 0;
    }

    private int triggerLevel() {
        return switch (fcr >>> 6) {
            case 0 -> 1;
            case 1 -> 4;
            case 2 -> 8;
            default -> 14;
        };
    }

    /** Takes one byte into the receiver (QEMU's serial_receive1): overrun when there is no room. */
    private void receiveByte(int b) {
        if (fifoEnabled()) {
            if (rxFifo.isFull()) {
                lsr |= LSR_OE;
            } else {
                rxFifo.push(b);
            }
            lsr |= LSR_DR;
            armTimeout();
        } else {
            if ((lsr & LSR_DR) != 0) {
                lsr |= LSR_OE;
            }
            rbr = b;
            lsr |= LSR_DR;
        }
    }

    /** @return how many bytes of host input the receiver takes now (QEMU's serial_can_receive) */
    private int canReceive() {
        if (!fifoEnabled()) {
            return (lsr & LSR_DR) == 0 ? 1 : 0;
        }
        int held = rxFifo.size();
        if (held >= FIFO_SIZE) {
            return 0;
        }
        // Up to the trigger level, so that the guest sees it reached before the FIFO fills.
        int itl = triggerLevel();
        return held <= itl ? itl - held : 1;
    }

    /** Moves waiting host input into the receiver as far as flow control allows; none in loopback. */
    private void feed() {
        if ((mcr & MCR_LOOP) != 0) {
            return;
        }
        int room;
        while (!hostInput.isEmpty() && (room = canReceive()) > 0) {
            for (int i = 0; i < room && !hostInput.isEmpty(); i++) {
                receiveByte(hostInput.pop());
            }
        }
        // Half the buffer free again: the backend sends on in large pieces rather than a byte at a time.
        if (inputHeldBack && hostInput.size() <= HOST_INPUT_CAPACITY / 2) {
            inputHeldBack = false;
            chardev.roomAvailable();
        }
    }

    /** @return how many bytes of host input fit now; when none, the backend holds its input back until told */
    private synchronized int hostInputRoom() {
        if (unrealized) {
            return Integer.MAX_VALUE;
        }
        int room = HOST_INPUT_CAPACITY - hostInput.size();
        if (room == 0) {
            inputHeldBack = true;
        }
        return room;
    }

    /** Bytes from the character device, on its thread. */
    void receive(byte[] data, int offset, int length) {
        synchronized (this) {
            if (unrealized) {
                return;
            }
            feed();
            int dropped = 0;
            for (int i = 0; i < length; i++) {
                if (hostInput.isFull()) {
                    dropped++;
                } else {
                    hostInput.push(data[offset + i]);
                }
            }
            if (dropped > 0) {
                lsr |= LSR_OE;
                long before = droppedInput;
                droppedInput += dropped;
                if (before == 0 || before / 1024 != droppedInput / 1024) {
                    GUEST.log(Level.WARNING, id + ": the guest does not read its input; " + droppedInput
                            + " bytes dropped so far (overrun)");
                }
            }
            feed();
            updateIrq();
        }
    }

    private void armTimeout() {
        timeoutTimer.armAfter(4 * charNanos);
    }

    /** Four character times passed with bytes in the FIFO and no read: the character timeout. */
    private void timeoutExpired() {
        synchronized (this) {
            // Armed again means a receive or read re-armed it after this expiry had begun.
            if (unrealized || timeoutTimer.isArmed()) {
                return;
            }
            if (!rxFifo.isEmpty()) {
                timeoutPending = true;
                updateIrq();
            }
        }
    }

    // ---- interrupt and line parameters

    private void updateIrq() {
        int id;
        if ((ier & IER_RLSI) != 0 && (lsr & LSR_INT_ANY) != 0) {
            id = IIR_RLSI;
        } else if ((ier & IER_RDI) != 0 && timeoutPending) {
            // ERBFI masks the timeout too: not in the datasheet, but what hardware does (QEMU's note).
            id = IIR_CTI;
        } else if ((ier & IER_RDI) != 0 && (lsr & LSR_DR) != 0 && (!fifoEnabled() || rxFifo.size() >= triggerLevel())) {
            id = IIR_RDI;
        } else if ((ier & IER_THRI) != 0 && thrPending) {
            id = IIR_THRI;
        } else if ((ier & IER_MSI) != 0 && (msr & MSR_ANY_DELTA) != 0) {
            id = IIR_MSI;
        } else {
            id = IIR_NO_INT;
        }
        iir = id | (fifoEnabled() ? IIR_FIFO_ENABLED : 0);
        irq.set(id != IIR_NO_INT);
    }

    /** The character time, from the divisor and the frame LCR describes (QEMU's serial_update_parameters). */
    private void updateParameters() {
        int frameBits = 1 + ((lcr & 0x08) != 0 ? 1 : 0) + (lcr & 0x03) + 5 + ((lcr & 0x04) != 0 ? 2 : 1);
        double baud = divisor == 0 ? 3500 : (double) BAUD_BASE / divisor;
        charNanos = (long) (1e9 / baud * frameBits);
    }

    // ---- reset and state

    private void powerOn() {
        rbr = 0;
        ier = 0;
        lcr = 0;
        lsr = LSR_TEMT | LSR_THRE;
        msr = EXTERNAL_MODEM_INPUTS;
        divisor = 0x0c;
        mcr = MCR_OUT2;
        scr = 0;
        fcr = 0;
        charNanos = RESET_CHAR_NANOS;
        timeoutPending = false;
        thrPending = false;
        timeoutTimer.cancel();
        rxFifo.clear();
        // Host input that has not reached the receiver stays: the character device would still hold it.
        feed();
        updateIrq();
    }

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
        long remaining = -1;
        long deadline = timeoutTimer.deadline();
        if (deadline >= 0) {
            remaining = Math.max(0, deadline - clock.nanos());
        }
        return SCHEMA.state("divisor", divisor, "rbr", rbr, "ier", ier, "lcr", lcr, "mcr", mcr, "lsr", lsr,
                "msr", msr, "scr", scr, "fcr", fcr, "thrPending", thrPending, "timeoutPending", timeoutPending,
                "rxFifo", rxFifo.toArray(), "timeoutRemaining", remaining, "hostInput", hostInput.toArray());
    }

    @Override
    public void restoreState(DeviceState saved) throws InvalidStateException {
        DeviceState s = SCHEMA.accept(saved);
        synchronized (this) {
            divisor = s.getInt("divisor");
            rbr = s.getInt("rbr");
            ier = s.getInt("ier");
            lcr = s.getInt("lcr");
            mcr = s.getInt("mcr");
            lsr = s.getInt("lsr");
            msr = s.getInt("msr");
            scr = s.getInt("scr");
            fcr = s.getInt("fcr");
            thrPending = s.getBoolean("thrPending");
            timeoutPending = s.getBoolean("timeoutPending");
            rxFifo.fill(s.getBytes("rxFifo"));
            hostInput.fill(s.getBytes("hostInput"));
            updateParameters();
            long remaining = s.getLong("timeoutRemaining");
            if (remaining >= 0) {
                timeoutTimer.armAfter(remaining);
            } else {
                timeoutTimer.cancel();
            }
            updateIrq();
        }
    }
}
