package io.tessera.monitor.cli;

import io.tessera.core.chardev.ByteReceiver;
import io.tessera.core.chardev.CharDevice;
import io.tessera.core.chardev.CharDeviceBackend;
import io.tessera.core.chardev.InputGate;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.apache.felix.service.command.CommandProcessor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code stdio}: the terminal, as QEMU's {@code -serial mon:stdio} with {@code -nographic}.
 * One stdio device can be open at a time: the terminal has one user.
 *
 * <p>Input passes through QEMU's escape keys (Ctrl-a, then a letter): {@code Ctrl-a x} ends
 * the emulator, {@code Ctrl-a c} switches between the guest's console and the Tessera monitor
 * (the Gogo commands: {@code machine describe vm}, {@code device list vm}, ...), {@code Ctrl-a h}
 * lists the keys, {@code Ctrl-a Ctrl-a} sends a Ctrl-a to the guest. While the monitor has the
 * terminal, guest output is held (up to 1 MiB, the oldest dropped beyond) and shown on return.
 * Output is written and flushed at once; when the terminal blocks, the writing vCPU waits,
 * as a terminal without flow control would make QEMU wait.
 *
 * <p>Input is flow-controlled: standard input is always read (so that the escape keys work
 * whatever the guest does), and what is for the guest waits, up to
 * {@value #PENDING_LIMIT} bytes, until the receiver has {@link ByteReceiver#room() room}; a
 * paste larger than the guest's buffers arrives whole. Beyond that limit input is dropped.
 */
@Component(service = CharDeviceBackend.class)
public final class StdioCharDeviceBackend implements CharDeviceBackend {

    private static final System.Logger LOG = System.getLogger(StdioCharDeviceBackend.class.getName());
    static final int ESCAPE = 0x01;
    private static final int HELD_LIMIT = 1 << 20;
    static final int PENDING_LIMIT = 16 << 20;
    private static final int DELIVERY_CHUNK = 4096;

    private final Object lock = new Object();
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private volatile CommandProcessor processor;
    private StdioDevice open;
    private Thread reader;
    private MonitorLine monitor;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setProcessor(CommandProcessor processor) {
        this.processor = processor;
    }

    void unsetProcessor(CommandProcessor processor) {
        if (this.processor == processor) {
            this.processor = null;
        }
    }

    @Override
    public String kind() {
        return "stdio";
    }

    @Override
    public CharDevice open(String id, Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("character device kind 'stdio' has no options; given: " + options.keySet());
        }
        synchronized (lock) {
            if (open != null) {
                throw new IllegalArgumentException("the terminal is taken by character device '" + open.id
                        + "'; only one stdio device can be open");
            }
            open = new StdioDevice(id);
            if (reader == null) {
                reader = Thread.ofPlatform().daemon().name("tessera-stdio").start(this::readInput);
            }
            return open;
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            if (open != null) {
                open.close();
            }
        }
    }

    /** Standard input cannot be interrupted, so one reader serves every device opened in turn. */
    private void readInput() {
        InputStream in = new FileInputStream(FileDescriptor.in);
        EscapeFilter filter = new EscapeFilter();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) >= 0;) {
                int kept = filter.filter(buffer, n, this::command);
                if (kept == 0) {
                    continue;
                }
                MonitorLine console;
                StdioDevice device;
                synchronized (lock) {
                    console = monitor;
                    device = open;
                }
                if (console != null) {
                    for (int i = 0; i < kept; i++) {
                        console.key(buffer[i] & 0xff);
                    }
                } else if (device != null) {
                    device.deliver(buffer, kept);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "reading standard input failed; the console gets no more input: " + e.getMessage());
        }
    }

    private void command(int key) {
        switch (key) {
            case 'x' -> {
                terminal("\r\ntessera: terminated\r\n");
                System.exit(0);
            }
            case 'c' -> toggleMonitor();
            case 'h', '?' -> terminal("\r\nC-a h    print this help\r\nC-a x    exit the emulator\r\n"
                    + "C-a c    switch between the console and the monitor\r\nC-a C-a  send C-a\r\n");
            default -> {
                // An unknown escape is dropped, as QEMU does.
            }
        }
    }

    private void toggleMonitor() {
        byte[] pending = null;
        synchronized (lock) {
            if (monitor == null) {
                CommandProcessor gogo = processor;
                if (gogo == null) {
                    terminal("\r\ntessera: no monitor is installed (the Gogo runtime is missing)\r\n");
                    return;
                }
                monitor = new MonitorLine(gogo, this::terminal);
                terminal("\r\nTessera monitor: Gogo commands ('help', 'machine describe vm'); C-a c returns to the console\r\n");
                monitor.prompt();
            } else {
                monitor.close();
                monitor = null;
                terminal("\r\n");
                pending = held.toByteArray();
                held.reset();
            }
        }
        if (pending != null && pending.length > 0) {
            writeOut(pending, 0, pending.length);
        }
    }

    /** Writes text of the emulator's own to the terminal, with line ends a raw terminal needs. */
    private void terminal(String text) {
        byte[] bytes = text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        writeOut(bytes, 0, bytes.length);
    }

    private void writeOut(byte[] data, int offset, int length) {
        synchronized (out) {
            try {
                out.write(data, offset, length);
                out.flush();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "writing standard output failed; output dropped: " + e.getMessage());
            }
        }
    }

    /** Removes Ctrl-a escape sequences from the input, in place, across reads. */
    static final class EscapeFilter {
        private boolean escaped;

        interface Commands {
            void run(int key);
        }

        /** @return how many bytes remain at the start of {@code buffer} for the guest */
        int filter(byte[] buffer, int length, Commands commands) {
            int kept = 0;
            for (int i = 0; i < length; i++) {
                int b = buffer[i] & 0xff;
                if (escaped) {
                    escaped = false;
                    if (b == ESCAPE) {
                        buffer[kept++] = (byte) b;
                    } else {
                        commands.run(b);
                    }
                } else if (b == ESCAPE) {
                    escaped = true;
                } else {
                    buffer[kept++] = (byte) b;
                }
            }
            return kept;
        }
    }

    private final class StdioDevice implements CharDevice {
        private final String id;
        private volatile ByteReceiver receiver;
        private volatile boolean closed;
        private final InputGate gate = new InputGate();
        /** Input for the guest not delivered yet, in the pieces read, oldest first. Guarded by itself. */
        private final java.util.ArrayDeque<byte[]> pending = new java.util.ArrayDeque<>();
        // Guarded by pending: bytes of the first piece already delivered; bytes waiting in all; bytes dropped.
        private int firstDelivered;
        private int pendingSize;
        private long dropped;

        StdioDevice(String id) {
            this.id = id;
            Thread.ofPlatform().daemon().name("tessera-stdio-" + id).start(this::deliverPending);
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void write(byte[] data, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, data.length);
            synchronized (lock) {
                if (open != this) {
                    return;
                }
                if (monitor != null) {
                    if (held.size() + length > HELD_LIMIT) {
                        byte[] kept = held.toByteArray();
                        held.reset();
                        int keep = Math.max(0, HELD_LIMIT - length);
                        held.write(kept, kept.length - Math.min(keep, kept.length), Math.min(keep, kept.length));
                    }
                    held.write(data, offset, Math.min(length, HELD_LIMIT));
                    return;
                }
            }
            writeOut(data, offset, length);
        }

        /** Queues input for the guest, on the reader's thread, which goes back to reading at once. */
        void deliver(byte[] data, int length) {
            synchronized (pending) {
                int taken = Math.min(length, PENDING_LIMIT - pendingSize);
                if (taken > 0) {
                    pending.add(java.util.Arrays.copyOf(data, taken));
                    pendingSize += taken;
                }
                if (taken < length) {
                    long before = dropped;
                    dropped += length - taken;
                    if (before == 0 || before >> 20 != dropped >> 20) {
                        LOG.log(System.Logger.Level.WARNING, "chardev " + id + ": the guest does not read its input; "
                                + dropped + " bytes beyond " + PENDING_LIMIT + " dropped so far");
                    }
                }
                pending.notifyAll();
            }
        }

        /** The delivery thread: hands queued input to the receiver as fast as it has room. */
        private void deliverPending() {
            try {
                while (!closed) {
                    synchronized (pending) {
                        while (pendingSize == 0 && !closed) {
                            pending.wait();
                        }
                    }
                    int room = gate.awaitRoom(() -> receiver, () -> closed, DELIVERY_CHUNK);
                    byte[] chunk;
                    synchronized (pending) {
                        chunk = new byte[Math.min(room, pendingSize)];
                        for (int filled = 0; filled < chunk.length;) {
                            byte[] first = pending.peek();
                            int n = Math.min(chunk.length - filled, first.length - firstDelivered);
                            System.arraycopy(first, firstDelivered, chunk, filled, n);
                            filled += n;
                            firstDelivered += n;
                            if (firstDelivered == first.length) {
                                pending.poll();
                                firstDelivered = 0;
                            }
                        }
                        pendingSize -= chunk.length;
                    }
                    ByteReceiver r = receiver;
                    if (r != null && chunk.length > 0) {
                        r.receive(chunk, 0, chunk.length);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void setReceiver(ByteReceiver receiver) {
            this.receiver = receiver;
            gate.signal();
        }

        @Override
        public void roomAvailable() {
            gate.signal();
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (open == this) {
                    open = null;
                }
            }
            receiver = null;
            closed = true;
            synchronized (pending) {
                pending.notifyAll();
            }
            gate.signal();
        }
    }
}
