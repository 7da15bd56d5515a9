package io.tessera.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Zeroed off-heap memory whose pages the host kernel supplies on first touch: on Linux an
 * anonymous private mapping ({@code mmap}), unmapped when its arena closes. Guest RAM is
 * mostly untouched for a long time (a 512 MiB machine boots Linux to a shell touching a
 * fraction of it), and {@link Arena#allocate} writes zeroes over every byte before it returns:
 * measured here, 0.4 to 1.6 s for 512 MiB before the first guest instruction, and all of it
 * resident. Elsewhere, or when the mapping fails, it is {@link Arena#allocate}'s memory.
 */
final class LazyZeroMemory {

    private static final long PROT_READ_WRITE = 0x1 | 0x2;
    /** MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, Linux's values (the same on its x86-64, arm64 and riscv64 ABIs). */
    private static final int MAP_FLAGS = 0x02 | 0x20 | 0x4000;
    private static final long MAP_FAILED = -1;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                mmap = linker.defaultLookup().find("mmap").map(symbol -> linker.downcallHandle(symbol,
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)))
                        .orElse(null);
                munmap = linker.defaultLookup().find("munmap").map(symbol -> linker.downcallHandle(symbol,
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)))
                        .orElse(null);
            } catch (RuntimeException e) {
                // No native access for this code (IllegalCallerException) or no linker for
                // this platform: the arena's memory serves.
                mmap = null;
                munmap = null;
            }
        }
        MMAP = munmap == null ? null : mmap;
        MUNMAP = MMAP == null ? null : munmap;
    }

    private LazyZeroMemory() {
    }

    /**
     * @param arena the arena whose closing frees the memory
     * @param size the bytes wanted, more than 0
     * @return {@code size} zeroed bytes aligned to at least 4096, valid until {@code arena} closes
     */
    static MemorySegment allocate(Arena arena, long size) {
        if (MMAP != null) {
            MemorySegment mapped = map(size);
            if (mapped != null) {
                return mapped.reinterpret(size, arena, LazyZeroMemory::unmap);
            }
        }
        return arena.allocate(size, RamRegion.PAGE_SIZE);
    }

    /** @return the mapping, or null when the kernel refused it (then the arena's memory serves) */
    private static MemorySegment map(long size) {
        try {
            MemorySegment address = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, (int) PROT_READ_WRITE, MAP_FLAGS, -1, 0L);
            return address.address() == MAP_FAILED ? null : address;
        } catch (Throwable e) {
            return null;
        }
    }

    private static void unmap(MemorySegment mapping) {
        try {
            int ignored = (int) MUNMAP.invokeExact(mapping, mapping.byteSize());
        } catch (Throwable e) {
            throw new IllegalStateException("munmap of " + mapping.byteSize() + " bytes of guest memory failed", e);
        }
    }
}
