package io.tessera.core.block;

import java.io.IOException;
import java.util.List;

/**
 * The internal snapshots of an image (qcow2's), as {@code qemu-img snapshot} manages them: each
 * snapshot freezes the disk's contents inside the same file, sharing unchanged clusters with
 * the active disk. Obtained from {@link BlockNode#internalSnapshots()}; calls change the image
 * at once and durably, each leaving a consistent image if the process dies half-way.
 *
 * <p>Snapshots are addressed by id here; finding one by name (and qemu-img's rules for which
 * of id and name a command matches) is the caller's business.
 *
 * @since 1.3
 */
public interface BlockSnapshots {

    /**
     * @return the snapshots, oldest first
     * @throws IOException if the snapshot table cannot be read
     */
    List<BlockSnapshotInfo> list() throws IOException;

    /**
     * Takes a disk-only snapshot of the active disk (no machine state, guest clock 0).
     *
     * @param name the snapshot's name; names need not be unique
     * @param dateSeconds when it is taken, seconds since the epoch
     * @param dateNanoseconds the nanoseconds to add to {@code dateSeconds}
     * @return the new snapshot, with the next free numeric id
     * @throws IOException if the node is read-only, the image cannot hold another reference to
     *         a cluster (narrow refcounts), or the storage fails
     */
    BlockSnapshotInfo create(String name, long dateSeconds, long dateNanoseconds) throws IOException;

    /**
     * Makes the active disk what it was when the snapshot was taken (its size included); the
     * snapshot stays.
     *
     * @param id the snapshot's id
     * @throws java.util.NoSuchElementException if no snapshot has that id
     * @throws IOException if the node is read-only or the storage fails
     */
    void apply(String id) throws IOException;

    /**
     * Deletes a snapshot and frees the clusters only it used.
     *
     * @param id the snapshot's id
     * @throws java.util.NoSuchElementException if no snapshot has that id
     * @throws IOException if the node is read-only or the storage fails
     */
    void delete(String id) throws IOException;

    /**
     * Makes a read-only node read the snapshot instead of the active disk, until it is closed
     * (qemu-img convert -l). The node's size stays the active disk's, as in QEMU.
     *
     * @param id the snapshot's id
     * @throws java.util.NoSuchElementException if no snapshot has that id
     * @throws IOException if the node is writable or the snapshot's tables cannot be read
     */
    void loadTemporarily(String id) throws IOException;
}
