package io.tessera.core.block;

import java.util.Map;
import java.util.Objects;

/**
 * What {@link BlockDriver#create} makes: a new, empty image of a format, as
 * {@code qemu-img create -f FORMAT -o OPTIONS FILENAME SIZE}.
 *
 * @param filename the image's name, for messages and to resolve a relative backing file name
 * @param file the protocol node to write the image into, opened read-write and empty
 * @param size the virtual disk size in bytes
 * @param options the format's creation options with qemu-img's names ({@code cluster_size},
 *        {@code backing_file}, {@code backing_fmt}, ...), copied and unmodifiable
 * @param backingOpener opens the backing file when the driver needs to read it (for example to
 *        take its size); may be {@code null}
 */
public record BlockCreateRequest(String filename, BlockNode file, long size, Map<String, String> options, BackingOpener backingOpener) {

    /** Checks the values and freezes the options. */
    public BlockCreateRequest {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(file, "file");
        if (size < 0) {
            throw new IllegalArgumentException("image size must not be negative: " + size);
        }
        options = Map.copyOf(options);
    }
}
