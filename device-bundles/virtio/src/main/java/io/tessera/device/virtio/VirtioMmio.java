package io.tessera.device.virtio;

import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import io.tessera.core.device.StateSchema;
import io.tessera.core.irq.IrqLine;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.BusErrorException;
import io.tessera.core.memory.MmioHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The virtio-mmio transport, version 2 (virtio 1.x, section 4.2.2), as QEMU's virt boards have
 * it: a 0x200-byte register block in front of a {@link VirtioModel}. Legacy (version 1)
 * transports are not offered; a driver that does not accept {@code VIRTIO_F_VERSION_1} is
 * refused at FEATURES_OK.
 *
 * <p>Registers (32-bit accesses only; other widths are logged and ignored, reads give 0):
 * <pre>
 *   0x000 MagicValue         r   0x74726976 ("virt")
 *   0x004 Version            r   2
 *   0x008 DeviceID           r   the model's device id
 *   0x00c VendorID           r   0x554d4551 ("QEMU")
 *   0x010 DeviceFeatures     r   32 feature bits selected by DeviceFeaturesSel
 *   0x014 DeviceFeaturesSel  w
 *   0x020 DriverFeatures     w   32 accepted bits selected by DriverFeaturesSel
 *   0x024 DriverFeaturesSel  w
 *   0x030 QueueSel           w
 *   0x034 QueueNumMax        r   0 for a queue that does not exist
 *   0x038 QueueNum           w
 *   0x044 QueueReady         rw  checks the queue's layout when set (bad layout: NEEDS_RESET)
 *   0x050 QueueNotify        w   serves the queue on the calling (vCPU) thread
 *   0x060 InterruptStatus    r   bit 0 used buffer, bit 1 configuration change
 *   0x064 InterruptACK       w
 *   0x070 Status             rw  0 resets the device (queues dropped, interrupt lowered)
 *   0x080 QueueDescLow/High  rw  (0x084)
 *   0x090 QueueDriverLow/High rw (0x094)
 *   0x0a0 QueueDeviceLow/High rw (0x0a4)
 *   0x0ac SHMSel, 0x0b0 SHMLen, 0x0b8 SHMBase: no shared memory regions (lengths read as -1)
 *   0x0fc ConfigGeneration   r
 *   0x100 Config             rw  the model's configuration space, 1/2/4/8-byte accesses; reads
 *                                past its end give all ones (as QEMU), writes there are ignored
 * </pre>
 * Transport features offered: {@code VIRTIO_F_VERSION_1}, {@code VIRTIO_RING_F_INDIRECT_DESC},
 * {@code VIRTIO_RING_F_EVENT_IDX}. The interrupt line is a level: high while InterruptStatus
 * is not zero.
 *
 * <p>A guest that breaks the protocol (see {@link Virtqueue}) gets the device marked
 * {@code DEVICE_NEEDS_RESET} with a configuration-change interrupt, and the device stops
 * serving queues until the driver resets it. Nothing a guest does throws out of this class.
 *
 * <p>Saved state (version 1, with the model's own fields after these): {@code status},
 * {@code interruptStatus}, {@code deviceFeaturesSel}, {@code driverFeaturesSel},
 * {@code driverFeatures}, {@code negotiated}, {@code queueSel}, {@code configGeneration},
 * {@code broken}, and {@code queues}: per queue its size, ready flag, three ring addresses,
 * last available index, used index and last signalled used index (-1 for none). A restored
 * ready queue must still have a valid layout in RAM.
 *
 * <p>Thread-safe: one lock guards the registers, the queues and the model; vCPUs and host
 * input (a console's) take it.
 */
final class VirtioMmio implements MmioHandler {

    /** Size of the register block. */
    static final int SIZE = 0x200;

    static final int MAGIC_VALUE = 0x000;
    static final int VERSION = 0x004;
    static final int DEVICE_ID = 0x008;
    static final int VENDOR_ID = 0x00c;
    static final int DEVICE_FEATURES = 0x010;
    static final int DEVICE_FEATURES_SEL = 0x014;
    static final int DRIVER_FEATURES = 0x020;
    static final int DRIVER_FEATURES_SEL = 0x024;
    static final int QUEUE_SEL = 0x030;
    static final int QUEUE_NUM_MAX = 0x034;
    static final int QUEUE_NUM = 0x038;
    static final int QUEUE_READY = 0x044;
    static final int QUEUE_NOTIFY = 0x050;
    static final int INTERRUPT_STATUS = 0x060;
    static final int INTERRUPT_ACK = 0x064;
    static final int STATUS = 0x070;
    static final int QUEUE_DESC_LOW = 0x080;
    static final int QUEUE_DESC_HIGH = 0x084;
    static final int QUEUE_DRIVER_LOW = 0x090;
    static final int QUEUE_DRIVER_HIGH = 0x094;
    static final int QUEUE_DEVICE_LOW = 0x0a0;
    static final int QUEUE_DEVICE_HIGH = 0x0a4;
    static final int SHM_SEL = 0x0ac;
    static final int SHM_LEN_LOW = 0x0b0;
    static final int SHM_LEN_HIGH = 0x0b4;
    static final int SHM_BASE_LOW = 0x0b8;
    static final int SHM_BASE_HIGH = 0x0bc;
    static final int CONFIG_GENERATION = 0x0fc;
    static final int CONFIG = 0x100;

    static final int MAGIC = 0x7472_6976;
    static final int VENDOR_QEMU = 0x554d_4551;

    static final int STATUS_ACKNOWLEDGE = 1;
    static final int STATUS_DRIVER = 2;
    static final int STATUS_DRIVER_OK = 4;
    static final int STATUS_FEATURES_OK = 8;
    static final int STATUS_NEEDS_RESET = 64;
    static final int STATUS_FAILED = 128;

    static final int INT_USED_BUFFER = 1;
    static final int INT_CONFIG = 2;
    /** What a configuration change sets in InterruptStatus: both bits, as QEMU's virtio_notify_config does. */
    private static final int CONFIG_NOTIFICATION = INT_USED_BUFFER | INT_CONFIG;

    static final int F_INDIRECT_DESC = 28;
    static final int F_EVENT_IDX = 29;
    static final int F_VERSION_1 = 32;

    static final long TRANSPORT_FEATURES = 1L << F_INDIRECT_DESC | 1L << F_EVENT_IDX | 1L << F_VERSION_1;

    private final ReentrantLock lock = new ReentrantLock();
    private final AddressSpace memory;
    private final IrqLine irq;
    private final VirtioModel model;
    private final GuestLog log;
    private final Virtqueue[] queues;
    private final long deviceFeatures;

    // Guarded by lock.
    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private long negotiated;
    private int queueSel;
    private int status;
    private int interruptStatus;
    private int configGeneration;
    private boolean broken;

    /**
     * @param id the device's id, for log messages
     * @param memory the address space DMA goes to (descriptors, rings, buffers)
     * @param irq the interrupt line to drive
     * @param model the device behind the transport
     */
    VirtioMmio(String id, AddressSpace memory, IrqLine irq, VirtioModel model) {
        this.memory = memory;
        this.irq = irq;
        this.model = model;
        this.log = new GuestLog(id);
        this.queues = new Virtqueue[model.queueCount()];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new Virtqueue(i, model.queueMaxSize(i), memory);
        }
        this.deviceFeatures = model.deviceFeatures() | TRANSPORT_FEATURES;
        model.attach(this);
    }

    AddressSpace memory() {
        return memory;
    }

    GuestLog log() {
        return log;
    }

    /** @return whether feature {@code bit} was negotiated */
    boolean negotiated(int bit) {
        return (negotiated & (1L << bit)) != 0;
    }

    /** @return the feature bits offered */
    long deviceFeatures() {
        return deviceFeatures;
    }

    /** @return the queue with this index, or {@code null} */
    Virtqueue queue(int index) {
        return index >= 0 && index < queues.length ? queues[index] : null;
    }

    /** @return whether the driver set DRIVER_OK and the device is not broken: queues may be served */
    boolean isLive() {
        return (status & STATUS_DRIVER_OK) != 0 && !broken;
    }

    /** @return the device status register */
    int status() {
        lock.lock();
        try {
            return status;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long read(long offset, int size) {
        lock.lock();
        try {
            return readLocked((int) offset, size) & (size == 8 ? -1L : (1L << (8 * size)) - 1);
        } catch (RuntimeException e) {
            bug("read at 0x" + Long.toHexString(offset), e);
            return 0;
        } finally {
            unlock();
        }
    }

    @Override
    public void write(long offset, int size, long value) {
        lock.lock();
        try {
            writeLocked((int) offset, size, size == 8 ? value : value & ((1L << (8 * size)) - 1));
        } catch (RuntimeException e) {
            bug("write at 0x" + Long.toHexString(offset), e);
        } finally {
            unlock();
        }
    }

    /**
     * Runs {@code action} under the lock as a guest-facing operation: protocol violations mark
     * the device broken instead of escaping. For host-side events (console input).
     */
    void withLock(Runnable action) {
        lock.lock();
        try {
            guarded(action);
        } finally {
            unlock();
        }
    }

    /** Resets the device as a machine reset or a Status write of 0 does. */
    void reset() {
        withLock(this::resetLocked);
    }

    /** Used buffers were pushed on {@code queue}: interrupts the driver if it asked for it. */
    void notifyUsed(Virtqueue queue) {
        if (queue.shouldNotify()) {
            interruptStatus |= INT_USED_BUFFER;
            updateIrq();
        }
    }

    /** The configuration space changed: a new generation, and an interrupt once the driver is up. */
    void configChanged() {
        configGeneration++;
        if ((status & STATUS_DRIVER_OK) != 0) {
            interruptStatus |= CONFIG_NOTIFICATION;
            updateIrq();
        }
    }

    /**
     * The guest broke the protocol: logs it and marks the device {@code DEVICE_NEEDS_RESET}, as
     * QEMU's {@code virtio_error} does. Queues are not served until a reset.
     */
    void deviceError(String message) {
        log.guestError(message + "; the device needs a reset");
        if (!broken) {
            broken = true;
            status |= STATUS_NEEDS_RESET;
            if ((status & STATUS_DRIVER_OK) != 0) {
                interruptStatus |= CONFIG_NOTIFICATION;
                updateIrq();
            }
        }
    }

    /**
     * The state schema of a virtio device: the transport's fields, then the model's.
     *
     * @param name the schema's name (the device type)
     * @param modelFields adds the model's fields, if it has any
     */
    static StateSchema schema(String name, Consumer<StateSchema.Builder> modelFields) {
        StateSchema.Builder b = StateSchema.builder(name, 1)
                .field("status", StateSchema.FieldType.INT)
                .field("interruptStatus", StateSchema.FieldType.INT)
                .field("deviceFeaturesSel", StateSchema.FieldType.INT)
                .field("driverFeaturesSel", StateSchema.FieldType.INT)
                .field("driverFeatures", StateSchema.FieldType.LONG)
                .field("negotiated", StateSchema.FieldType.LONG)
                .field("queueSel", StateSchema.FieldType.INT)
                .field("configGeneration", StateSchema.FieldType.INT)
                .field("broken", StateSchema.FieldType.BOOLEAN)
                .field("queues", StateSchema.FieldType.LONGS);
        modelFields.accept(b);
        return b.check(st -> (st.getInt("status") & ~0xff) != 0 ? "status " + st.getInt("status") + " is not a byte" : null)
                .check(st -> (st.getInt("interruptStatus") & ~3) != 0 ? "interrupt status " + st.getInt("interruptStatus") + " has unknown bits" : null)
                .check(st -> st.getLongs("queues").length % Virtqueue.SAVED != 0 ? "queues array of " + st.getLongs("queues").length
                        + " values is not " + Virtqueue.SAVED + " per queue" : null)
                .build();
    }

    /** @return the state now, as {@code schema} (from {@link #schema}) describes it */
    DeviceState saveState(StateSchema schema) {
        lock.lock();
        try {
            long[] saved = new long[queues.length * Virtqueue.SAVED];
            for (int i = 0; i < queues.length; i++) {
                System.arraycopy(queues[i].save(), 0, saved, i * Virtqueue.SAVED, Virtqueue.SAVED);
            }
            List<Object> values = new ArrayList<>(List.of("status", status, "interruptStatus", interruptStatus,
                    "deviceFeaturesSel", deviceFeaturesSel, "driverFeaturesSel", driverFeaturesSel, "driverFeatures", driverFeatures,
                    "negotiated", negotiated, "queueSel", queueSel, "configGeneration", configGeneration, "broken", broken,
                    "queues", saved));
            model.saveState(values);
            return schema.state(values.toArray());
        } finally {
            unlock();
        }
    }

    /**
     * Takes over a state the schema accepted, after checking it against this device and guest
     * memory; on refusal nothing changes.
     *
     * @throws InvalidStateException naming what does not fit
     */
    void restoreState(DeviceState state) throws InvalidStateException {
        lock.lock();
        try {
            long[] saved = state.getLongs("queues");
            if (saved.length != queues.length * Virtqueue.SAVED) {
                throw new InvalidStateException("state has " + saved.length / Virtqueue.SAVED + " queues, the device " + queues.length);
            }
            long savedNegotiated = state.getLong("negotiated");
            if ((savedNegotiated & ~deviceFeatures) != 0) {
                throw new InvalidStateException(String.format("negotiated features 0x%x include some not offered (0x%x)",
                        savedNegotiated, deviceFeatures));
            }
            if ((state.getInt("status") & STATUS_FEATURES_OK) != 0 && (savedNegotiated & (1L << F_VERSION_1)) == 0) {
                throw new InvalidStateException("FEATURES_OK without VIRTIO_F_VERSION_1");
            }
            long[][] perQueue = new long[queues.length][];
            for (int i = 0; i < queues.length; i++) {
                perQueue[i] = java.util.Arrays.copyOfRange(saved, i * Virtqueue.SAVED, (i + 1) * Virtqueue.SAVED);
                try {
                    queues[i].checkSaved(perQueue[i]);
                } catch (VirtioException e) {
                    throw new InvalidStateException(e.getMessage());
                }
            }
            model.checkState(state);
            status = state.getInt("status");
            interruptStatus = state.getInt("interruptStatus");
            deviceFeaturesSel = state.getInt("deviceFeaturesSel");
            driverFeaturesSel = state.getInt("driverFeaturesSel");
            driverFeatures = state.getLong("driverFeatures");
            negotiated = savedNegotiated;
            queueSel = state.getInt("queueSel");
            configGeneration = state.getInt("configGeneration");
            broken = state.getBoolean("broken");
            for (int i = 0; i < queues.length; i++) {
                queues[i].restore(perQueue[i], negotiated);
            }
            model.restoreState(state);
            updateIrq();
        } finally {
            unlock();
        }
    }

    private void unlock() {
        lock.unlock();
        if (!lock.isHeldByCurrentThread()) {
            try {
                model.afterUnlock();
            } catch (RuntimeException e) {
                bug("after an access", e);
            }
        }
    }

    private void guarded(Runnable action) {
        try {
            action.run();
        } catch (VirtioException e) {
            deviceError(e.getMessage());
        } catch (BusErrorException e) {
            deviceError("DMA failed: " + e.getMessage());
        } catch (RuntimeException e) {
            bug("serving the device", e);
            deviceError("internal error: " + e);
        }
    }

    private void bug(String what, RuntimeException e) {
        log.hostError("model failure " + what + " (a bug in the device model)", e);
    }

    private long readLocked(int offset, int size) {
        if (offset >= CONFIG) {
            return readConfig(offset - CONFIG, size);
        }
        if (size != 4 || (offset & 3) != 0) {
            log.guestError(size + "-byte read at 0x" + Integer.toHexString(offset) + ": registers take aligned 32-bit accesses");
            return 0;
        }
        Virtqueue q = queue(queueSel);
        return switch (offset) {
            case MAGIC_VALUE -> MAGIC;
            case VERSION -> 2;
            case DEVICE_ID -> model.deviceId();
            case VENDOR_ID -> VENDOR_QEMU;
            case DEVICE_FEATURES -> switch (deviceFeaturesSel) {
                case 0 -> deviceFeatures & 0xffff_ffffL;
                case 1 -> deviceFeatures >>> 32;
                default -> 0;
            };
            case QUEUE_NUM_MAX -> q == null ? 0 : q.maxSize();
            case QUEUE_READY -> q != null && q.isReady() ? 1 : 0;
            case INTERRUPT_STATUS -> interruptStatus;
            case STATUS -> status;
            case QUEUE_DESC_LOW -> q == null ? 0 : q.descAddress() & 0xffff_ffffL;
            case QUEUE_DESC_HIGH -> q == null ? 0 : q.descAddress() >>> 32;
            case QUEUE_DRIVER_LOW -> q == null ? 0 : q.driverAddress() & 0xffff_ffffL;
            case QUEUE_DRIVER_HIGH -> q == null ? 0 : q.driverAddress() >>> 32;
            case QUEUE_DEVICE_LOW -> q == null ? 0 : q.deviceAddress() & 0xffff_ffffL;
            case QUEUE_DEVICE_HIGH -> q == null ? 0 : q.deviceAddress() >>> 32;
            case SHM_LEN_LOW, SHM_LEN_HIGH, SHM_BASE_LOW, SHM_BASE_HIGH -> 0xffff_ffffL;
            case CONFIG_GENERATION -> configGeneration;
            case DEVICE_FEATURES_SEL, DRIVER_FEATURES, DRIVER_FEATURES_SEL, QUEUE_SEL, QUEUE_NUM, QUEUE_NOTIFY,
                    INTERRUPT_ACK, SHM_SEL -> {
                log.guestError("read of write-only register 0x" + Integer.toHexString(offset));
                yield 0;
            }
            default -> {
                log.guestError("read of unknown register 0x" + Integer.toHexString(offset));
                yield 0;
            }
        };
    }

    private void writeLocked(int offset, int size, long value) {
        if (offset >= CONFIG) {
            writeConfig(offset - CONFIG, size, value);
            return;
        }
        if (size != 4 || (offset & 3) != 0) {
            log.guestError(size + "-byte write at 0x" + Integer.toHexString(offset) + ": registers take aligned 32-bit accesses");
            return;
        }
        Virtqueue q = queue(queueSel);
        switch (offset) {
            case DEVICE_FEATURES_SEL -> deviceFeaturesSel = (int) value;
            case DRIVER_FEATURES_SEL -> driverFeaturesSel = (int) value;
            case DRIVER_FEATURES -> writeDriverFeatures(value);
            case QUEUE_SEL -> queueSel = (int) value;
            case QUEUE_NUM -> {
                if (queueWritable(q, "QueueNum")) {
                    q.setSize((int) value);
                }
            }
            case QUEUE_READY -> writeQueueReady(q, value);
            case QUEUE_NOTIFY -> notifyQueue((int) (value & 0xffff));
            case INTERRUPT_ACK -> {
                interruptStatus &= ~(int) value;
                updateIrq();
            }
            case STATUS -> writeStatus((int) value & 0xff);
            case QUEUE_DESC_LOW, QUEUE_DESC_HIGH -> {
                if (queueWritable(q, "QueueDesc")) {
                    q.setDescAddress(half(q.descAddress(), offset == QUEUE_DESC_HIGH, value));
                }
            }
            case QUEUE_DRIVER_LOW, QUEUE_DRIVER_HIGH -> {
                if (queueWritable(q, "QueueDriver")) {
                    q.setDriverAddress(half(q.driverAddress(), offset == QUEUE_DRIVER_HIGH, value));
                }
            }
            case QUEUE_DEVICE_LOW, QUEUE_DEVICE_HIGH -> {
                if (queueWritable(q, "QueueDevice")) {
                    q.setDeviceAddress(half(q.deviceAddress(), offset == QUEUE_DEVICE_HIGH, value));
                }
            }
            case SHM_SEL -> {
                // No shared memory regions: every selection reads back lengths of -1.
            }
            default -> log.guestError(String.format("write of 0x%x to %s register 0x%x", value,
                    offset == MAGIC_VALUE || offset == VERSION || offset == DEVICE_ID || offset == VENDOR_ID
                            || offset == DEVICE_FEATURES || offset == QUEUE_NUM_MAX || offset == INTERRUPT_STATUS
                            || offset == CONFIG_GENERATION ? "read-only" : "unknown", offset));
        }
    }

    private static long half(long old, boolean high, long value) {
        return high ? (old & 0xffff_ffffL) | value << 32 : (old & ~0xffff_ffffL) | value;
    }

    private boolean queueWritable(Virtqueue q, String register) {
        if (q == null) {
            log.guestError(register + " written for queue " + queueSel + ", which does not exist");
            return false;
        }
        if (q.isReady()) {
            log.guestError(register + " written while queue " + queueSel + " is ready");
            return false;
        }
        return true;
    }

    private void writeDriverFeatures(long value) {
        if ((status & STATUS_FEATURES_OK) != 0) {
            log.guestError("DriverFeatures written after FEATURES_OK");
            return;
        }
        switch (driverFeaturesSel) {
            case 0 -> driverFeatures = (driverFeatures & ~0xffff_ffffL) | value;
            case 1 -> driverFeatures = (driverFeatures & 0xffff_ffffL) | value << 32;
            default -> {
                if (value != 0) {
                    log.guestError(String.format("driver accepts features 0x%x in word %d, which offers none", value, driverFeaturesSel));
                }
            }
        }
    }

    private void writeQueueReady(Virtqueue q, long value) {
        if (q == null) {
            log.guestError("QueueReady written for queue " + queueSel + ", which does not exist");
            return;
        }
        if ((value & 1) == 0) {
            q.disable();
        } else if (!q.isReady()) {
            guarded(() -> q.enable(negotiated));
        }
    }

    private void writeStatus(int value) {
        if (value == 0) {
            resetLocked();
            return;
        }
        int old = status;
        if ((value & STATUS_FEATURES_OK) != 0 && (old & STATUS_FEATURES_OK) == 0) {
            if ((driverFeatures & ~deviceFeatures) != 0) {
                log.guestError(String.format("driver accepted features 0x%x that were not offered", driverFeatures & ~deviceFeatures));
                value &= ~STATUS_FEATURES_OK;
            } else if ((driverFeatures & (1L << F_VERSION_1)) == 0) {
                log.unimplemented("legacy driver (VIRTIO_F_VERSION_1 not accepted): only virtio 1.x is offered");
                value &= ~STATUS_FEATURES_OK;
            } else {
                negotiated = driverFeatures;
            }
        }
        if ((old & STATUS_FEATURES_OK) != 0 && (value & STATUS_FEATURES_OK) == 0) {
            log.guestError("driver cleared FEATURES_OK without a reset");
            value |= STATUS_FEATURES_OK;
        }
        if (broken) {
            value |= STATUS_NEEDS_RESET;
        }
        status = value;
        if ((value & STATUS_DRIVER_OK) != 0 && (old & STATUS_DRIVER_OK) == 0) {
            if ((value & STATUS_FEATURES_OK) == 0) {
                log.guestError("DRIVER_OK set without FEATURES_OK");
            }
            guarded(() -> {
                model.driverOk();
                // Buffers made available before DRIVER_OK are served now.
                for (Virtqueue queue : queues) {
                    if (queue.isReady() && isLive()) {
                        model.queueNotify(queue);
                    }
                }
            });
        }
    }

    private void notifyQueue(int index) {
        if (lock.getHoldCount() > 1) {
            log.guestError("queue notification from inside the device's own work (DMA to its registers?) ignored");
            return;
        }
        Virtqueue q = queue(index);
        if (q == null) {
            log.guestError("notification of queue " + index + ", which does not exist");
            return;
        }
        if (!q.isReady() || !isLive()) {
            // Before DRIVER_OK the device must not consume buffers; they are served at DRIVER_OK.
            return;
        }
        guarded(() -> model.queueNotify(q));
    }

    private void resetLocked() {
        status = 0;
        interruptStatus = 0;
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        driverFeatures = 0;
        negotiated = 0;
        queueSel = 0;
        broken = false;
        for (Virtqueue q : queues) {
            q.reset();
        }
        model.reset();
        updateIrq();
    }

    private long readConfig(int offset, int size) {
        byte[] config = model.config();
        if (offset < 0 || offset + size > config.length) {
            log.guestError(size + "-byte read of configuration at 0x" + Integer.toHexString(offset) + ", past its " + config.length + " bytes");
            return -1L; // all ones, as QEMU answers
        }
        long value = 0;
        for (int i = size - 1; i >= 0; i--) {
            value = value << 8 | (config[offset + i] & 0xff);
        }
        return value;
    }

    private void writeConfig(int offset, int size, long value) {
        if (offset < 0 || offset + size > model.config().length) {
            log.guestError(size + "-byte write of configuration at 0x" + Integer.toHexString(offset) + ", past its end");
            return;
        }
        guarded(() -> model.writeConfig(offset, size, value));
    }

    private void updateIrq() {
        irq.set(interruptStatus != 0);
    }
}
