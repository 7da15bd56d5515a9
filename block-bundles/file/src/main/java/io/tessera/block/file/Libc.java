package io.tessera.block.file;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few C library calls the file protocol needs and Java's {@code FileChannel} lacks, bound
 * through the FFM API (no JNI): {@code open}/{@code close} for descriptors of their own,
 * {@code lseek} with {@code SEEK_DATA}/{@code SEEK_HOLE}, {@code fallocate},
 * {@code posix_fallocate}, {@code ftruncate} and {@code ioctl} (file attributes). Each handle is {@code null} where the call does not exist (an OS other
 * than Linux), and callers then do what Java alone can.
 *
 * <p>The JVM warns on the first binding unless it runs with
 * {@code --enable-native-access=ALL-UNNAMED} (bundles live in the unnamed module): run/tessera
 * and the build's tests pass it.
 */
final class Libc {

    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;
    static final int ENXIO = 6;
    /** fallocate(2) modes, from linux/falloc.h. */
    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    static final int FALLOC_FL_ZERO_RANGE = 0x10;

    private static final Linker LINKER = Linker.nativeLinker();
    /** Where a call's errno is captured: {@link #errno} reads it back. */
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // Each binding lives in a holder class of its own, made on first use: linking a downcall spins
    // classes and costs tens of milliseconds, which the image tools' short runs feel, and most
    // runs need only open, close and lseek.
    private static final class Open {
        static final MethodHandle HANDLE = function("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    private static final class Close {
        static final MethodHandle HANDLE = function("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private static final class Lseek {
        static final MethodHandle HANDLE = function("lseek",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
                Linker.Option.captureCallState("errno"));
    }

    private static final class Fallocate {
        static final MethodHandle HANDLE = function("fallocate",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                Linker.Option.captureCallState("errno"));
    }

    private static final class PosixFallocate {
        static final MethodHandle HANDLE = function("posix_fallocate",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    }

    private static final class Ftruncate {
        static final MethodHandle HANDLE = function("ftruncate",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
                Linker.Option.captureCallState("errno"));
    }

    private static final class Stat {
        static final MethodHandle HANDLE = function("stat", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }

    /** {@code st_blocks} in Linux's {@code struct stat} on x86-64 and arm64 (the generic layout), and the struct's size with room to spare. */
    private static final long ST_BLOCKS = 64;
    private static final long STAT_SIZE = 256;

    // ioctl(2) is variadic: its third argument is passed as C passes variadic ones.
    private static final class Ioctl {
        static final MethodHandle HANDLE = function("ioctl",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
    }

    private static final class Strerror {
        static final MethodHandle HANDLE = function("strerror", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    /** @return long lseek(int fd, off_t offset, int whence), capturing errno; {@code null} where there is none */
    static MethodHandle lseek() {
        return Lseek.HANDLE;
    }

    /** @return int fallocate(int fd, int mode, off_t offset, off_t len), capturing errno; {@code null} where there is none */
    static MethodHandle fallocate() {
        return Fallocate.HANDLE;
    }

    /**
     * @return int posix_fallocate(int fd, off_t offset, off_t len), which returns the error number
     *         itself (glibc writes zeroes where fallocate is refused); {@code null} where there is none
     */
    static MethodHandle posixFallocate() {
        return PosixFallocate.HANDLE;
    }

    /** @return int ftruncate(int fd, off_t length), capturing errno; {@code null} where there is none */
    static MethodHandle ftruncate() {
        return Ftruncate.HANDLE;
    }

    /** @return int ioctl(int fd, unsigned long request, void *argument), capturing errno; {@code null} where there is none */
    static MethodHandle ioctl() {
        return Ioctl.HANDLE;
    }

    private Libc() {
    }

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

    /** @return a new descriptor of {@code path} opened with {@code flags}, or -1 where that cannot be done */
    static int open(String path, int flags) {
        if (Open.HANDLE == null || Close.HANDLE == null) {
            return -1;
        }
        try (Arena temporary = Arena.ofConfined()) {
            return (int) Open.HANDLE.invokeExact(temporary.allocateFrom(path), flags);
        } catch (Throwable e) {
            return -1;
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) Close.HANDLE.invokeExact(fd);
        } catch (Throwable e) {
            // the descriptor is gone either way
        }
    }

    /** @return the bytes of the 512-byte blocks {@code stat(2)} says {@code path} has allocated; -1 where it cannot be asked */
    static long allocatedBytes(String path) {
        String arch = System.getProperty("os.arch", "");
        if (Stat.HANDLE == null || !(arch.equals("amd64") || arch.equals("aarch64"))) {
            return -1;
        }
        try (Arena temporary = Arena.ofConfined()) {
            MemorySegment buffer = temporary.allocate(STAT_SIZE, 8);
            int result = (int) Stat.HANDLE.invokeExact(temporary.allocateFrom(path), buffer);
            return result == 0 ? buffer.get(ValueLayout.JAVA_LONG, ST_BLOCKS) * 512 : -1;
        } catch (Throwable e) {
            return -1;
        }
    }

    /** @return the errno the last call through a capturing handle left in {@code state} */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** @return the C library's text for an error number ("No space left on device"), as QEMU prints it */
    static String strerror(int errno) {
        if (Strerror.HANDLE != null) {
            try {
                MemorySegment text = (MemorySegment) Strerror.HANDLE.invokeExact(errno);
                return text.reinterpret(256).getString(0);
            } catch (Throwable e) {
                // fall through to the number
            }
        }
        return "error " + errno;
    }
}
