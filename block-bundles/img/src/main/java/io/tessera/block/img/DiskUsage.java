package io.tessera.block.img;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The space a file takes on the host disk (qemu-img's "disk size", {@code actual-size}): the
 * allocated 512-byte blocks from {@code stat(2)}, through the FFM API; Java's file attributes do
 * not offer them. Falls back to the file's length where {@code stat} cannot be called.
 */
final class DiskUsage {

    /** {@code st_blocks} in Linux's {@code struct stat} on x86-64 and on arm64 (generic layout). */
    private static final long ST_BLOCKS = 64;
    private static final long STAT_SIZE = 256;
    private static final MethodHandle STAT = lookup();

    private DiskUsage() {
    }

    private static MethodHandle lookup() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("aarch64"))) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("stat").map(symbol -> linker.downcallHandle(symbol,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS))).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Starts the first {@code stat} on a thread of its own: linking the downcall and its first
     * call spin classes and take tens of milliseconds, which then overlap the opening of the
     * image instead of following it ({@code info} asks only once it has read the image).
     */
    static void warmUp(Path path) {
        Thread.ofPlatform().daemon().name("stat").start(() -> of(path));
    }

    static long of(Path path) {
        if (STAT != null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment name = arena.allocateFrom(path.toString());
                MemorySegment buffer = arena.allocate(STAT_SIZE, 8);
                int result = (int) STAT.invokeExact(name, buffer);
                if (result == 0) {
                    return buffer.get(ValueLayout.JAVA_LONG, ST_BLOCKS) * 512;
                }
            } catch (Throwable e) {
                // fall through to the length
            }
        }
        try {
            return Files.size(path);
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
