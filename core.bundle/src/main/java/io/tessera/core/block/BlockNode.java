package io.tessera.core.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;

/**
 * An open node of the block graph: a virtual disk of {@link #size()} bytes that devices read
 * and write and that tools ({@code qemu-img}-like commands) inspect. A format node sits on a
 * protocol node ({@link #file()}) and may have a backing node ({@link #backing()}) that supplies
 * the data it does not hold itself.
 *
 * <p>Implementations are thread-safe. Concurrent requests to overlapping ranges complete in
 * some order, as on real disks; callers that need an order wait for the first request.
 * Offsets and lengths are in bytes and need no alignment; a node aligns internally.
 */
public interface BlockNode extends AutoCloseable {

    /** @return the node's unique name in its graph, for the monitor and error messages */
    String nodeName();

    /** @return the {@link BlockDriver#format()} of the driver that opened this node */
    String format();

    /** @return the virtual disk size in bytes */
    long size();

    /** @return {@code true} if writes, discards and write-zeroes fail */
    boolean isReadOnly();

    /**
     * Reads from the virtual disk into {@code dst}, from its position up to its limit, and
     * advances its position. Ranges this node does not hold come from its backing node, or read
     * as zeroes when there is none.
     *
     * @param offset disk offset of the first byte to read
     * @param dst where to put the bytes
     * @return the number of bytes read: {@code dst.remaining()} unless the range reaches past
     *         {@link #size()}, then only the bytes before the end (0 at or past it)
     * @throws IOException if the storage fails or its metadata is corrupt
     */
    int read(long offset, ByteBuffer dst) throws IOException;

    /**
     * Writes all of {@code src}, from its position up to its limit, to the virtual disk and
     * advances its position. The data may sit in a cache until {@link #flush()}.
     *
     * @param offset disk offset of the first byte to write
     * @param src the bytes to write
     * @return the number of bytes written, always the {@code src.remaining()} it was called with
     * @throws IOException if the node is read-only, the range reaches past {@link #size()}, or
     *         the storage fails (for example because the host disk is full)
     */
    int write(long offset, ByteBuffer src) throws IOException;

    /**
     * Makes every completed write durable on the storage, metadata included, as a disk's cache
     * flush command does.
     *
     * @throws IOException if the storage fails
     */
    void flush() throws IOException;

    /**
     * Tells the node the guest no longer needs a range (TRIM/UNMAP), so it may free the space.
     * A hint: the node may ignore all or part of it, and the range then reads as either its
     * old contents or zeroes.
     *
     * @param offset disk offset of the range
     * @param length length of the range in bytes
     * @throws IOException if the node is read-only, the range reaches past {@link #size()}, or
     *         the storage fails
     */
    void discard(long offset, long length) throws IOException;

    /**
     * Makes a range read as zeroes, efficiently where the format allows (zero clusters, holes)
     * rather than by writing zero bytes.
     *
     * @param offset disk offset of the range
     * @param length length of the range in bytes
     * @throws IOException if the node is read-only, the range reaches past {@link #size()}, or
     *         the storage fails
     */
    void writeZeroes(long offset, long length) throws IOException;

    /**
     * Makes a range read as zeroes, letting the storage free it when {@code mayUnmap} is set, as
     * QEMU's write-zeroes with {@code BDRV_REQ_MAY_UNMAP} ({@code qemu-io write -z -u}): a file
     * then punches a hole instead of keeping the blocks. Nodes that cannot tell the two apart
     * zero the range as {@link #writeZeroes(long, long)} does (the default).
     *
     * @param mayUnmap whether the range's storage may be freed
     * @throws IOException as {@link #writeZeroes(long, long)}
     * @since 1.4
     */
    default void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        writeZeroes(offset, length);
    }

    /**
     * Describes the extent that starts at {@code offset}: the longest run, no longer than
     * {@code length}, over which allocation, zeroness, source layer and host mapping stay
     * uniform. Calling it again from the end of the returned extent walks the disk, which is
     * how {@code qemu-img map} works.
     *
     * @param offset disk offset where the extent starts, below {@link #size()}
     * @param length the most bytes to describe; the range is clipped to {@link #size()}
     * @return the extent, starting at {@code offset}, at least one byte long
     * @throws IOException if the storage fails or its metadata is corrupt
     * @throws IllegalArgumentException if {@code offset} is not below {@link #size()} or
     *         {@code length} is not positive
     */
    BlockStatus blockStatus(long offset, long length) throws IOException;

    /**
     * The space the node takes on its host storage, as {@code du} counts it: a file's allocated
     * blocks, which a sparse file's holes do not take. A format can tell from it whether the
     * clusters its tables map were ever given space (qcow2's metadata preallocation).
     *
     * @return bytes allocated, or -1 where that is not known (the default)
     * @throws IOException if the storage cannot be asked
     * @since 1.5
     */
    default long allocatedSize() throws IOException {
        return -1;
    }

    /**
     * Writes whole clusters compressed, as {@code qemu-img convert -c} does; a cluster that does
     * not shrink is stored as it is.
     *
     * @param offset disk offset, a multiple of the {@link BlockImageInfo#clusterSize()}
     * @param src whole clusters (the last may end at {@link #size()})
     * @throws UnsupportedOperationException if the format cannot store compressed clusters
     * @throws IllegalArgumentException if the range is not cluster aligned
     * @throws IOException if the node is read-only or the storage fails
     */
    default void writeCompressed(long offset, ByteBuffer src) throws IOException {
        throw new UnsupportedOperationException("the " + format() + " format cannot store compressed data");
    }

    /**
     * Describes the image for {@code qemu-img info}.
     *
     * @return cluster size, backing file, dirty state, snapshots and format details; the plain
     *         info for formats with none of these
     * @throws IOException if the metadata cannot be read
     */
    default BlockImageInfo imageInfo() throws IOException {
        return BlockImageInfo.plain();
    }

    /**
     * Checks the image's metadata for consistency, as {@code qemu-img check}, repairing what
     * {@code repair} allows (the node must then be writable).
     *
     * @param repair what may be repaired
     * @return what was found and repaired; empty if this format has no metadata to check
     * @throws IOException if the image cannot be read (or written while repairing)
     */
    default Optional<BlockCheckResult> check(BlockRepair repair) throws IOException {
        return Optional.empty();
    }

    /**
     * Exports where this image keeps each guest cluster in its {@link #file()}, for rewriting its
     * metadata in another format without moving data ({@link BlockDriver#adoptLayout}).
     *
     * @return the layout of this image's clusters
     * @throws BlockFormatException naming the feature that a plain cluster map cannot carry
     *         (compressed clusters, internal snapshots, bitmaps, ...) or the state that forbids it
     *         (an image that needs a check first)
     * @throws UnsupportedOperationException if this format has no cluster map to export
     * @throws IOException if the metadata cannot be read
     * @since 1.3
     */
    default ClusterLayout clusterLayout() throws IOException {
        throw new UnsupportedOperationException("the " + format() + " format has no cluster map to convert in place");
    }

    /**
     * Changes the virtual disk size, as {@code qemu-img resize}: growing makes the new range read
     * as zeroes (even over a backing file that reaches into it), shrinking drops everything past
     * the new end. The change is crash-safe: after a crash the image has its old or its new size,
     * with the data of either.
     *
     * @param newSize the new size in bytes
     * @param preallocation how to reserve space for a range that growing adds; shrinking takes
     *        only {@link BlockPreallocation#OFF}
     * @throws UnsupportedOperationException if the format cannot change its size (vmdk), naming why
     * @throws IllegalArgumentException if the size or preallocation mode is not valid for the format
     * @throws IOException if the node is read-only or the storage fails
     * @since 1.3
     */
    default void resize(long newSize, BlockPreallocation preallocation) throws IOException {
        throw new UnsupportedOperationException("Image format driver does not support resize");
    }

    /**
     * Drops everything this node holds, so that it reads as its backing node (what
     * {@code qemu-img commit} does to the committed overlay). Crash-safe: after a crash each
     * cluster reads either its old data or the backing node's.
     *
     * @throws UnsupportedOperationException if the format cannot do it (QEMU's ENOTSUP: the node
     *         keeps its data, and {@code commit} goes on)
     * @throws IOException if the node is read-only or the storage fails
     * @since 1.3
     */
    default void makeEmpty() throws IOException {
        throw new UnsupportedOperationException("the " + format() + " format cannot be emptied");
    }

    /**
     * Writes a new backing file name and format into the image's header, as
     * {@code qemu-img rebase} does; the open node keeps reading through its old backing node
     * until it is opened again. The header changes in one write of one sector where the format
     * allows, so that a crash leaves the old or the new backing file.
     *
     * @param filename the new backing file as the image is to store it, or {@code null} for none
     * @param format its format, or {@code null} to store none
     * @throws UnsupportedOperationException if the format has no backing files or cannot change them
     * @throws IllegalArgumentException if the name does not fit in the header
     * @throws IOException if the node is read-only or the storage fails
     * @since 1.3
     */
    default void changeBackingFile(String filename, String format) throws IOException {
        throw new UnsupportedOperationException("Operation not supported");
    }

    /**
     * The internal snapshots this node's image stores, if its format has them.
     *
     * @return the snapshots' manager; empty for formats without internal snapshots (the default)
     * @since 1.3
     */
    default Optional<BlockSnapshots> internalSnapshots() {
        return Optional.empty();
    }

    /**
     * The persistent dirty bitmaps this node's image stores, if its format has them.
     *
     * @return the bitmaps' manager; empty for formats without persistent bitmaps (the default)
     * @since 1.3
     */
    default Optional<BlockDirtyBitmaps> dirtyBitmaps() {
        return Optional.empty();
    }

    /**
     * Changes format options of the open image in place, as {@code qemu-img amend -o} does
     * (for qcow2: compat, lazy_refcounts, backing_file, backing_fmt ...). Options not named keep
     * their values.
     *
     * @param options the options to change, with the values {@code qemu-img create -o} takes
     * @throws UnsupportedOperationException if the format has no options to amend (the default)
     * @throws IllegalArgumentException if an option is unknown, malformed or cannot be changed,
     *         naming it
     * @throws IOException if the node is read-only or the storage fails
     * @since 1.3
     */
    default void amend(Map<String, String> options) throws IOException {
        throw new UnsupportedOperationException("Format driver '" + format() + "' does not support option amendment");
    }

    /**
     * Names the file that holds this node's data at a disk offset when that is not its
     * {@link #file()}: an image that keeps its data in several files (VMDK extents) says which,
     * so that {@code qemu-img map} can print it beside the {@link BlockStatus#hostOffset()}.
     *
     * @param offset a disk offset below {@link #size()} that {@link #blockStatus} reports as data
     *        of this node (depth 0)
     * @return the file's name, or empty when the data lies in {@link #file()} (the default)
     * @throws IOException if the metadata cannot be read
     * @since 1.2
     */
    default Optional<String> dataFilename(long offset) throws IOException {
        return Optional.empty();
    }

    /** @return the node that supplies data this node does not hold, if this format has one */
    Optional<BlockNode> backing();

    /** @return the protocol node this node's format is stored in; empty for protocol nodes */
    Optional<BlockNode> file();

    /**
     * Flushes, releases the node's resources, and closes the nodes it owns (its
     * {@link #file()} and {@link #backing()}). Idempotent; I/O on a closed node fails.
     *
     * @throws IOException if the final flush or a close fails; the node is closed regardless
     */
    @Override
    void close() throws IOException;
}
