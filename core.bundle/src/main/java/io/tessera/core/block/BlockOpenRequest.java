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
 * @param backingOpener how a format driver opens the backing file its image names; {@code null}
 *        when the caller offers none, and then an image that needs a backing file is refused
 *        (or, with the option {@code backing=null}, opened without it as QEMU's
 *        {@code backing: null} does)
 */
public record BlockOpenRequest(String filename, BlockNode file, boolean readOnly, Map<String, String> options,
        BackingOpener backingOpener) {

    /** Checks the values and freezes the options. */
    public BlockOpenRequest {
        Objects.requireNonNull(filename, "filename");
        options = Map.copyOf(options);
    }

    /**
     * A request without a way to open backing files, for protocol nodes and formats that have none.
     *
     * @param filename see the record's description
     * @param file see the record's description
     * @param readOnly see the record's description
     * @param options see the record's description
     */
    public BlockOpenRequest(String filename, BlockNode file, boolean readOnly, Map<String, String> options) {
        this(filename, file, readOnly, options, null);
    }
}
