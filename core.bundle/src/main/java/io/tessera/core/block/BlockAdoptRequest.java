package io.tessera.core.block;

import java.util.Objects;

/**
 * What {@link BlockDriver#adoptLayout} turns into an image of its format in place: a file that
 * holds an image of another format, and that image's {@link ClusterLayout}.
 *
 * @param filename the image's name, for messages
 * @param file the protocol node of the image, opened read-write; no other node writes it meanwhile
 * @param layout the clusters to keep where they are, and what the old format still occupies
 * @since 1.3
 */
public record BlockAdoptRequest(String filename, BlockNode file, ClusterLayout layout) {

    /** Checks the values. */
    public BlockAdoptRequest {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(layout, "layout");
    }
}
