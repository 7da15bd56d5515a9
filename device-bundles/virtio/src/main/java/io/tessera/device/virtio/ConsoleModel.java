package io.tessera.device.virtio;

import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import io.tessera.core.device.StateSchema;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The virtio console (virtio 1.x, section 5.3) with a single port and no multiport: queue 0
 * receives (host to guest), queue 1 transmits (guest to host). Offers
 * {@code VIRTIO_CONSOLE_F_EMERG_WRITE}: a byte written to {@code emerg_wr} (configuration offset
 * 8) goes straight out, even before the driver is up. {@code VIRTIO_CONSOLE_F_SIZE} is not
 * offered.
 *
 * <p>Output is handed to the host sink after the transport's lock is released, in the order the
 * guest produced it, so a slow host stream never blocks a thread that holds the device; at most
 * {@value #OUTPUT_LIMIT} bytes wait for that hand-over, and a guest that queues more in one
 * notification loses the excess (logged). Input that arrives while the guest has no receive
 * buffer is kept, up to {@value #INPUT_LIMIT} bytes; beyond that the newest bytes are dropped
 * and counted, as a UART without flow control would.
 *
 * <p>Saved state: {@code input}, the host bytes not yet delivered.
 */
final class ConsoleModel extends VirtioModel {

    /** Where guest output goes. */
    interface Sink {
        void write(byte[] data, int offset, int length);
    }

    static final int DEVICE_ID = 3;
    static final int QUEUE_SIZE = 128;
    static final int RECEIVEQ = 0;
    static final int TRANSMITQ = 1;
    static final int F_SIZE = 0;
    static final int F_MULTIPORT = 1;
    static final int F_EMERG_WRITE = 2;
    static final int INPUT_LIMIT = 64 * 1024;
    /** Output the guest may queue between two hand-overs to the host; beyond it bytes are dropped. */
    static final int OUTPUT_LIMIT = 1 << 20;
    private static final int EMERG_WR = 8;
    private static final int CONFIG_SIZE = 12;
    private static final int TX_CHUNK = 4096;

    private final Sink sink;
    private final Runnable roomAvailable;
    private final byte[] config;
    private final ConcurrentLinkedQueue<byte[]> output = new ConcurrentLinkedQueue<>();
    private final ReentrantLock outputLock = new ReentrantLock();
    private final AtomicLong outputPending = new AtomicLong();
    private long droppedOutput;

    // Guarded by the transport's lock.
    private final byte[] input = new byte[INPUT_LIMIT];
    private int inputHead;
    private int inputSize;
    /** Whether the character device was told there is no room and waits to hear there is. */
    private boolean inputHeldBack;
    private long droppedInput;

    ConsoleModel(Sink sink) {
        this(sink, () -> { });
    }

    /**
     * @param sink where guest output goes
     * @param roomAvailable tells the character device that input held back fits again
     */
    ConsoleModel(Sink sink, Runnable roomAvailable) {
        this.sink = sink;
        this.roomAvailable = roomAvailable;
        ByteBuffer c = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        c.putShort(0, (short) 0); // cols: F_SIZE not offered
        c.putShort(2, (short) 0); // rows
        c.putInt(4, 1); // max_nr_ports: meaningful with F_MULTIPORT only
        c.putInt(8, 0); // emerg_wr reads as 0
        this.config = c.array();
    }

    @Override
    int deviceId() {
        return DEVICE_ID;
    }

    @Override
    long deviceFeatures() {
        return 1L << F_EMERG_WRITE;
    }

    @Override
    int queueCount() {
        return 2;
    }

    @Override
    int queueMaxSize(int queue) {
        return QUEUE_SIZE;
    }

    @Override
    byte[] config() {
        return config;
    }

    @Override
    void writeConfig(int offset, int size, long value) {
        if (offset == EMERG_WR && size == 4) {
            emit(new byte[] {(byte) value});
            return;
        }
        super.writeConfig(offset, size, value);
    }

    @Override
    void queueNotify(Virtqueue queue) {
        if (queue.index() == TRANSMITQ) {
            serve(queue, this::transmit);
        } else {
            deliver();
        }
    }

    private long transmit(DescriptorChain chain) {
        long length = chain.readableLength();
        long room = OUTPUT_LIMIT - outputPending.get();
        if (length > room) {
            droppedOutput += length - Math.max(room, 0);
            transport().log().guestError("console output of " + length + " bytes in one go exceeds what is kept for the host ("
                    + OUTPUT_LIMIT + " bytes); " + droppedOutput + " bytes dropped so far");
            length = Math.max(room, 0);
        }
        for (long done = 0; done < length;) {
            int n = (int) Math.min(TX_CHUNK, length - done);
            byte[] bytes = new byte[n];
            chain.read(done, bytes, 0, n);
            emit(bytes);
            done += n;
        }
        return 0;
    }

    private void emit(byte[] bytes) {
        outputPending.addAndGet(bytes.length);
        output.add(bytes);
    }

    /** Host input: buffers the bytes and delivers what the guest has room for. Called on the chardev's thread. */
    void receive(byte[] data, int offset, int length) {
        transport().withLock(() -> {
            int room = INPUT_LIMIT - inputSize;
            int taken = Math.min(room, length);
            for (int i = 0; i < taken; i++) {
                input[(inputHead + inputSize + i) % INPUT_LIMIT] = data[offset + i];
            }
            inputSize += taken;
            if (taken < length) {
                droppedInput += length - taken;
                transport().log().guestError("console input overflow: " + (length - taken) + " bytes dropped ("
                        + droppedInput + " in all); the guest is not reading");
            }
            deliver();
        });
    }

    /**
     * @return how many bytes of host input fit now (the character device's flow control); when
     *     none, the device holds its input back until half the buffer has gone to the guest
     */
    int room() {
        int[] room = new int[1];
        transport().withLock(() -> {
            room[0] = INPUT_LIMIT - inputSize;
            if (room[0] == 0) {
                inputHeldBack = true;
            }
        });
        return room[0];
    }

    /** Declares the console's saved fields. */
    static void stateFields(StateSchema.Builder schema) {
        schema.field("input", StateSchema.FieldType.BYTES);
    }

    @Override
    void saveState(List<Object> namesAndValues) {
        byte[] pending = new byte[inputSize];
        for (int i = 0; i < inputSize; i++) {
            pending[i] = input[(inputHead + i) % INPUT_LIMIT];
        }
        namesAndValues.add("input");
        namesAndValues.add(pending);
    }

    @Override
    void checkState(DeviceState state) throws InvalidStateException {
        if (state.getBytes("input").length > INPUT_LIMIT) {
            throw new InvalidStateException("console input of " + state.getBytes("input").length + " bytes exceeds " + INPUT_LIMIT);
        }
    }

    @Override
    void restoreState(DeviceState state) {
        byte[] pending = state.getBytes("input");
        System.arraycopy(pending, 0, input, 0, pending.length);
        inputHead = 0;
        inputSize = pending.length;
    }

    /** @return how many input bytes wait for a receive buffer */
    int pendingInput() {
        return inputSize;
    }

    private void deliver() {
        Virtqueue rx = transport().queue(RECEIVEQ);
        if (inputSize == 0 || !transport().isLive() || !rx.isReady()) {
            return;
        }
        boolean pushed = false;
        do {
            DescriptorChain chain;
            while (inputSize > 0 && (chain = rx.pop()) != null) {
                int n = (int) Math.min(inputSize, chain.writableLength());
                int first = Math.min(n, INPUT_LIMIT - inputHead);
                chain.write(0, input, inputHead, first);
                chain.write(first, input, 0, n - first);
                inputHead = (inputHead + n) % INPUT_LIMIT;
                inputSize -= n;
                rx.push(chain, n);
                pushed = true;
            }
        } while (inputSize > 0 && rx.rearm());
        if (inputSize == 0) {
            rx.rearm();
        }
        if (pushed) {
            transport().notifyUsed(rx);
        }
        if (inputHeldBack && inputSize <= INPUT_LIMIT / 2) {
            inputHeldBack = false;
            roomAvailable.run();
        }
    }

    @Override
    void afterUnlock() {
        if (output.isEmpty()) {
            return;
        }
        outputLock.lock();
        try {
            byte[] bytes;
            while ((bytes = output.poll()) != null) {
                outputPending.addAndGet(-bytes.length);
                sink.write(bytes, 0, bytes.length);
            }
        } finally {
            outputLock.unlock();
        }
    }
}
