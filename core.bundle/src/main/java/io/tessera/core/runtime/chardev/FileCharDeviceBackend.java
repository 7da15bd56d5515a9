package io.tessera.core.runtime.chardev;

import io.tessera.core.chardev.ByteReceiver;
import io.tessera.core.chardev.CharDevice;
import io.tessera.core.chardev.CharDeviceBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * {@code file:PATH}: output is written to a file (created, or truncated as QEMU does unless
 * {@code append=on}); there is no input. Writes go straight to the file, so its content is
 * complete however the emulator ends.
 */
@Component(service = CharDeviceBackend.class)
public final class FileCharDeviceBackend implements CharDeviceBackend {

    private static final System.Logger LOG = System.getLogger(FileCharDeviceBackend.class.getName());

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public CharDevice open(String id, Map<String, String> options) throws IOException {
        Options.allowOnly("file", options, Set.of("path", "append"));
        String path = options.get("path");
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("character device kind 'file' needs a path: file:PATH");
        }
        boolean append = Options.flag("file", options, "append", false);
        OutputStream out = append
                ? Files.newOutputStream(Path.of(path), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)
                : Files.newOutputStream(Path.of(path));
        return new CharDevice() {
            private boolean closed;

            @Override
            public String id() {
                return id;
            }

            @Override
            public synchronized void write(byte[] data, int offset, int length) {
                Objects.checkFromIndexSize(offset, length, data.length);
                if (closed) {
                    return;
                }
                try {
                    out.write(data, offset, length);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "chardev " + id + ": writing " + path + " failed; output dropped: " + e.getMessage());
                }
            }

            @Override
            public void setReceiver(ByteReceiver receiver) {
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    try {
                        out.close();
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "chardev " + id + ": closing " + path + " failed: " + e.getMessage());
                    }
                }
            }
        };
    }
}
