package io.tessera.block.file;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Finds the holes of a sparse file with Linux's {@code lseek(SEEK_DATA)} and
 * {@code lseek(SEEK_HOLE)} through the FFM API (Java's {@code FileChannel} has no such query), on
 * a read-only descriptor of its own, so that block status, {@code map} and {@code convert} skip
 * holes without reading them, as QEMU's file driver does. Where the calls are not available
 * (another OS, a file system without them) every range is data.
 */
final class Holes implements AutoCloseable {

    private static final int O_RDONLY = 0;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static final int ENXIO = 6;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = function("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle LSEEK = function("lseek",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = arena.allocate(CALL_STATE);
    private boolean unsupported;

    private static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            return null;
        }
        try {
            return LINKER.defaultLookup().find(name).map(s -> LINKER.downcallHandle(s, descriptor, options)).orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    private Holes(int fd) {
        this.fd = fd;
    }

    /** @return a hole finder for the file, or {@code null} where holes cannot be asked for */
    static Holes open(String path) {
        if (OPEN == null || LSEEK == null || CLOSE == null) {
            return null;
        }
        try (Arena temporary = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(temporary.allocateFrom(path), O_RDONLY);
            return fd < 0 ? null : new Holes(fd);
        } catch (Throwable e) {
            return null;
        }
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
            long data = (long) LSEEK.invokeExact(state, fd, offset, SEEK_DATA);
            if (data < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                if (errno == ENXIO) {
                    return -max; // no data from here to the end
                }
                unsupported = true;
                return max;
            }
            if (data > offset) {
                return -Math.min(max, data - offset);
            }
            long hole = (long) LSEEK.invokeExact(state, fd, offset, SEEK_HOLE);
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
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            // the descriptor is gone either way
        }
        arena.close();
    }
}
