package io.tessera.core.block;

import java.util.Map;
import java.util.Objects;

/**
 * What to open with a {@link BlockDriver}, the equivalent of one node in a QEMU
 * {@code -blockdev} tree.
 *
 * @param filename the image's location: what a protocol driver opens, and for a format driver
 *        the name used in messages and to resolve a relative backing file name
 * @param file the already-opened protocol node a format driver reads, handed over to the new
 *        node; {@code null} for protocol drivers
 * @param readOnly whether the node must refuse writes (and open its storage read-only)
 * @param options driver-specific options such as {@code node-name} or {@code cache.direct},
 *        copied and unmodifiable
 */
public record BlockOpenRequest(String filename, BlockNode file, boolean readOnly, Map<String, String> options) {

    /** Checks the values and freezes the options. */
    public BlockOpenRequest {
        Objects.requireNonNull(filename, "filename");
        options = Map.copyOf(options);
    }
}
