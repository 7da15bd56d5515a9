package io.tessera.isa.riscv.user;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file description: what descriptors of one or more processes refer to after dup or
 * fork. They share its position (the channel's) and status flags; the channel is closed when
 * the last descriptor referring to it is.
 */
final class OpenFile {

    static final int O_ACCMODE = 3, O_APPEND = 02000, O_NONBLOCK = 04000;

    /** A FileChannel, an OpenDirectory, a pipe end or a standard stream of the host. */
    final Object channel;
    /** Where it was opened, or null (pipes, standard streams). */
    final Path path;
    volatile int statusFlags;
    private final boolean hostStream;
    private final AtomicInteger references = new AtomicInteger(1);

    OpenFile(Object channel, Path path, int statusFlags) {
        this(channel, path, statusFlags, false);
    }

    private OpenFile(Object channel, Path path, int statusFlags, boolean hostStream) {
        this.channel = channel;
        this.path = path;
        this.statusFlags = statusFlags;
        this.hostStream = hostStream;
    }

    /** A standard stream given to the emulator: it stays open when the guest closes it, its owner closes it. */
    static OpenFile hostStream(Object channel, int accessMode, int fd) {
        // fstat reports what the host's descriptor is (terminal, pipe, file).
        return new OpenFile(channel, Path.of("/proc/self/fd/" + fd), accessMode, true);
    }

    OpenFile retain() {
        references.incrementAndGet();
        return this;
    }

    void release() throws IOException {
        if (references.decrementAndGet() == 0 && !hostStream && channel instanceof Closeable c) {
            c.close();
        }
    }
}
