package io.tessera.block.file;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Finds the holes of a sparse file with Linux's {@code lseek(SEEK_DATA)} and
 * {@code lseek(SEEK_HOLE)} through the FFM API (Java's {@code FileChannel} has no such query), on
 * a read-only descriptor of its own, so that block status, {@code map} and {@code convert} skip
 * holes without reading them, as QEMU's file driver does. Where the calls are not available
 * (another OS, a file system without them) every range is data.
 */
final class Holes implements AutoCloseable {

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = arena.allocate(Libc.CALL_STATE);
    private boolean unsupported;

    private Holes(int fd) {
        this.fd = fd;
    }

    /** @return a hole finder for the file, or {@code null} where holes cannot be asked for */
    static Holes open(String path) {
        if (Libc.lseek() == null) {
            return null;
        }
        int fd = Libc.open(path, Libc.O_RDONLY);
        return fd < 0 ? null : new Holes(fd);
    }

    /**
     * Describes the run at {@code offset}.
     *
     * @return the length of the data run (positive) or the hole (negative) that starts at
     *         {@code offset}, at most {@code max} bytes; {@code max} when the file system cannot tell
     */
    synchronized long run(long offset, long max) {
        if (unsupported) {
            return max;
        }
        try {
            long data = (long) Libc.lseek().invokeExact(state, fd, offset, Libc.SEEK_DATA);
            if (data < 0) {
                if (Libc.errno(state) == Libc.ENXIO) {
                    return -max; // no data from here to the end
                }
                unsupported = true;
                return max;
            }
            if (data > offset) {
                return -Math.min(max, data - offset);
            }
            long hole = (long) Libc.lseek().invokeExact(state, fd, offset, Libc.SEEK_HOLE);
            if (hole < 0) {
                unsupported = true;
                return max;
            }
            return Math.min(max, Math.max(hole - offset, 1));
        } catch (Throwable e) {
            unsupported = true;
            return max;
        }
    }

    @Override
    public synchronized void close() {
        Libc.close(fd);
        arena.close();
    }
}
