package io.tessera.block.file;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.HashSet;
import java.util.Set;

/**
 * Manages the disk space behind a file as QEMU's file protocol does on Linux, with
 * {@code fallocate(2)} through the FFM API on a write-only descriptor of its own:
 * <ul>
 * <li>{@link #preallocate}: {@code posix_fallocate}, as QEMU's {@code preallocation=falloc}:
 *     the blocks are reserved (and counted by {@code du}) and read as zeroes; glibc itself
 *     writes zeroes on a file system that refuses {@code fallocate};</li>
 * <li>{@link #punchHole}: {@code FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE}, as QEMU's discard
 *     and write-zeroes with unmap: the blocks are freed, the range reads as zeroes;</li>
 * <li>{@link #zeroRange}: {@code FALLOC_FL_ZERO_RANGE}, as QEMU's write-zeroes without unmap:
 *     the range reads as zeroes and stays allocated.</li>
 * </ul>
 * A file system that refuses a mode ({@code EOPNOTSUPP}, {@code ENOSYS}, {@code EINVAL}) is
 * remembered, and the caller does what Java alone can (write zeroes, or nothing for a discard),
 * silently as QEMU does.
 */
final class FileSpace implements AutoCloseable {

    private static final int EINVAL = 22;
    private static final int ENOSYS = 38;
    private static final int EOPNOTSUPP = 95;

    private final int fd;
    private final String path;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = arena.allocate(Libc.CALL_STATE);
    /** The modes the file system refused once: not asked again. Only read and written under this object's lock. */
    private final Set<Integer> refusedModes = new HashSet<>();

    private FileSpace(int fd, String path) {
        this.fd = fd;
        this.path = path;
    }

    /** @return the space manager of a file, or {@code null} where fallocate cannot be called */
    static FileSpace open(String path) {
        if (Libc.fallocate() == null || Libc.posixFallocate() == null) {
            return null;
        }
        int fd = Libc.open(path, Libc.O_WRONLY);
        return fd < 0 ? null : new FileSpace(fd, path);
    }

    /**
     * Reserves the blocks of a range; past the end of the file this grows it.
     *
     * @throws IOException with QEMU's message ("Could not preallocate new data: No space left
     *         on device") when the host cannot
     */
    void preallocate(long offset, long length) throws IOException {
        int error;
        try {
            error = (int) Libc.posixFallocate().invokeExact(fd, offset, length);
        } catch (Throwable e) {
            throw new IOException("Could not preallocate new data: " + e, e);
        }
        if (error != 0) {
            throw new IOException("Could not preallocate new data: " + Libc.strerror(error));
        }
    }

    /**
     * Grows the file to {@code size} with {@code ftruncate}, as QEMU extends files: the new range
     * is a hole, no block is written (Java's channels can only grow a file by writing to it).
     *
     * @return whether the file has grown; {@code false} where ftruncate cannot be called
     */
    boolean extendTo(long size) throws IOException {
        MethodHandle ftruncate = Libc.ftruncate();
        if (ftruncate == null) {
            return false;
        }
        int result;
        synchronized (this) {
            try {
                result = (int) ftruncate.invokeExact(state, fd, size);
            } catch (Throwable e) {
                return false;
            }
            if (result == 0) {
                return true;
            }
            throw new IOException("could not grow '" + path + "' to " + size + " bytes: " + Libc.strerror(Libc.errno(state)));
        }
    }

    /** @return whether the range is now a hole; {@code false} where the file system cannot punch one */
    boolean punchHole(long offset, long length) throws IOException {
        return fallocate(Libc.FALLOC_FL_PUNCH_HOLE | Libc.FALLOC_FL_KEEP_SIZE, offset, length, "punch a hole at");
    }

    /** @return whether the range now reads as zeroes; {@code false} where the file system cannot zero it so */
    boolean zeroRange(long offset, long length) throws IOException {
        return fallocate(Libc.FALLOC_FL_ZERO_RANGE | Libc.FALLOC_FL_KEEP_SIZE, offset, length, "zero");
    }

    /** @return {@code false} when the file system does not offer the mode; other failures are errors */
    private synchronized boolean fallocate(int mode, long offset, long length, String what) throws IOException {
        if (refusedModes.contains(mode)) {
            return false;
        }
        int result;
        try {
            result = (int) Libc.fallocate().invokeExact(state, fd, mode, offset, length);
        } catch (Throwable e) {
            refusedModes.add(mode);
            return false;
        }
        if (result == 0) {
            return true;
        }
        int errno = Libc.errno(state);
        if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL) {
            refusedModes.add(mode);
            return false;
        }
        throw new IOException("could not " + what + " bytes " + offset + "+" + length + " of '" + path + "': " + Libc.strerror(errno));
    }

    @Override
    public synchronized void close() {
        Libc.close(fd);
        arena.close();
    }
}
