package io.tessera.core.block;

import java.io.IOException;

/**
 * One image format (raw, qcow2, ...) or storage protocol (file, nbd, ...), published as a
 * service. Opening a disk stacks nodes: a protocol driver opens the bytes, a format driver
 * interprets them, as QEMU's block layer does. When the user names no format, the drivers'
 * {@link #probe} scores pick one.
 */
public interface BlockDriver {

    /**
     * The name users select the driver with, as in QEMU's {@code format=} or {@code driver=}.
     *
     * @return the name, for example {@code "raw"}, {@code "qcow2"} or {@code "file"}
     */
    String format();

    /**
     * Tells whether this driver reaches storage by itself from a filename ({@code true}, like
     * {@code file}) or interprets the bytes of a protocol node below it ({@code false}, like
     * {@code qcow2}).
     *
     * @return {@code true} for a protocol driver
     */
    boolean isProtocol();

    /**
     * Rates how likely it is that an image is in this driver's format, like QEMU's
     * {@code bdrv_probe}: a format with a magic number returns 100 when it matches, a format
     * with no signature (raw) a low catch-all score such as 1, and 0 means "certainly not".
     * Protocol drivers rate the filename (for example a URL scheme) and return 0 when it is not
     * theirs. Must not throw for any input.
     *
     * @param header the first bytes of the image (usually 2048 or fewer, possibly none; never
     *        {@code null}); must not be modified
     * @param filename the image's name, possibly empty, for drivers that also look at an extension
     * @return a score from 0 to 100; the highest-scoring driver is used
     */
    int probe(byte[] header, String filename);

    /**
     * Opens a node. A format driver reads and checks its metadata from {@code request.file()},
     * opens its backing chain if it has one, and from then on owns that file node (closing the
     * new node closes it). A protocol driver opens {@code request.filename()} itself.
     *
     * @param request what to open and how
     * @return the opened node
     * @throws BlockFormatException if the image is malformed or uses an unsupported feature
     * @throws IOException if the storage cannot be reached or read
     * @throws IllegalArgumentException if an option is unknown or malformed, or a format driver
     *         gets no file node
     */
    BlockNode open(BlockOpenRequest request) throws IOException;

    /**
     * Writes a new empty image of this format into {@code request.file()}, as
     * {@code qemu-img create}. The caller opens the new image afterwards with {@link #open}.
     *
     * @param request the file, size and creation options
     * @throws IllegalArgumentException if an option is unknown or malformed, naming the valid ones
     * @throws UnsupportedOperationException if this driver cannot create images
     * @throws IOException if the file cannot be written
     */
    default void create(BlockCreateRequest request) throws IOException {
        throw new UnsupportedOperationException("the " + format() + " driver cannot create images");
    }

    /**
     * Rewrites the image in {@code request.file()}, which holds an image of another format, as an
     * image of this format that keeps every data cluster where the request's layout says it is:
     * only metadata is written ({@code tessera img convert --in-place}). The old image stays
     * valid until one write of the file's first sector switches formats, so a crash at any point
     * leaves either the old image or the new one with the same contents (leaked space at most).
     *
     * @param request the file and the layout to keep
     * @throws BlockFormatException naming the feature or limit of this format the layout exceeds
     *         (cluster size, virtual size, backing file name or format); the file is then untouched
     * @throws UnsupportedOperationException if this format cannot adopt a layout
     * @throws IOException if the file cannot be read or written
     * @since 1.3
     */
    default void adoptLayout(BlockAdoptRequest request) throws IOException {
        throw new UnsupportedOperationException("the " + format() + " format cannot take over an image in place");
    }

    /**
     * Measures the file size a new image of this format needs, as {@code qemu-img measure}:
     * for a disk of {@code size} bytes, or for the contents of {@code source}.
     *
     * @param size the virtual size, used when {@code source} is {@code null}
     * @param options the creation options ({@code cluster_size}, {@code preallocation}, ...)
     * @param source the image whose data the new one is to hold, or {@code null}
     * @return the required and fully allocated sizes
     * @throws UnsupportedOperationException if this format cannot be measured
     * @throws IllegalArgumentException if an option is unknown or malformed
     * @throws IOException if the source cannot be read
     * @since 1.3
     */
    default BlockMeasure measure(long size, java.util.Map<String, String> options, BlockNode source) throws IOException {
        throw new UnsupportedOperationException("Format driver '" + format() + "' does not support measure");
    }
}
