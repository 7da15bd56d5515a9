package io.tessera.core.block;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How space is reserved for a disk range that is created empty (by {@code create} or by growing
 * an image with {@link BlockNode#resize}), QEMU's {@code preallocation} modes.
 *
 * @since 1.3
 */
public enum BlockPreallocation {
    /** Nothing is reserved: the range stays a hole, or unallocated in the format's tables. */
    OFF,
    /** The format's tables map the range, its data clusters are not written. */
    METADATA,
    /** The host file's space is reserved; on the JVM, which has no {@code fallocate}, zeroes are written. */
    FALLOC,
    /** Zeroes are written over the whole range. */
    FULL;

    /** @return the name users give, as in {@code --preallocation=falloc} */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a mode name.
     *
     * @param name {@code off}, {@code metadata}, {@code falloc} or {@code full}
     * @return the mode
     * @throws IllegalArgumentException naming the valid modes if the name is none of them
     */
    public static BlockPreallocation parse(String name) {
        for (BlockPreallocation p : values()) {
            if (p.optionName().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("Invalid preallocation mode '" + name + "'; the modes are "
                + Arrays.stream(values()).map(BlockPreallocation::optionName).collect(Collectors.joining(", ")));
    }
}
