package io.tessera.core.runtime.chardev;

import io.tessera.core.chardev.ByteReceiver;
import io.tessera.core.chardev.CharDevice;
import io.tessera.core.chardev.CharDeviceBackend;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * {@code stdio}: the process's standard input and output, as QEMU's {@code -serial stdio}
 * with {@code -nographic}. One stdio device can be open at a time: the terminal has one user.
 *
 * <p>Input passes through QEMU's escape keys (Ctrl-a, then a letter): {@code Ctrl-a x} ends
 * the emulator, {@code Ctrl-a h} lists the keys, {@code Ctrl-a Ctrl-a} sends a Ctrl-a to the
 * guest. Output is written and flushed at once; when standard output blocks (a paused
 * terminal) the writing vCPU waits, as a terminal without flow control would make QEMU wait.
 */
@Component(service = CharDeviceBackend.class)
public final class StdioCharDeviceBackend implements CharDeviceBackend {

    private static final System.Logger LOG = System.getLogger(StdioCharDeviceBackend.class.getName());
    static final int ESCAPE = 0x01;

    private final Object lock = new Object();
    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private StdioDevice open;
    private Thread reader;

    @Override
    public String kind() {
        return "stdio";
    }

    @Override
    public CharDevice open(String id, Map<String, String> options) {
        Options.refuseAll("stdio", options);
        synchronized (lock) {
            if (open != null) {
                throw new IllegalArgumentException("standard input and output are taken by character device '" + open.id
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
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                StdioDevice device;
                synchronized (lock) {
                    device = open;
                }
                if (device != null) {
                    int kept = filter.filter(buffer, n, this::command);
                    if (kept > 0) {
                        device.deliver(buffer, kept);
                    }
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "reading standard input failed; the console gets no more input: " + e.getMessage());
        }
    }

    private void command(int key) {
        switch (key) {
            case 'x' -> {
                write("\r\ntessera: terminated\r\n");
                System.exit(0);
            }
            case 'h', '?' -> write("\r\nC-a h    print this help\r\nC-a x    exit the emulator\r\nC-a C-a  send C-a\r\n");
            default -> {
                // An unknown escape is dropped, as QEMU does.
            }
        }
    }

    private void write(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        synchronized (out) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
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

        StdioDevice(String id) {
            this.id = id;
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
            }
            synchronized (out) {
                try {
                    out.write(data, offset, length);
                    out.flush();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "writing standard output failed; output dropped: " + e.getMessage());
                }
            }
        }

        void deliver(byte[] data, int length) {
            ByteReceiver r = receiver;
            if (r != null) {
                r.receive(data, 0, length);
            }
        }

        @Override
        public void setReceiver(ByteReceiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (open == this) {
                    open = null;
                }
            }
            receiver = null;
        }
    }
}
