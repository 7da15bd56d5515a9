package io.tessera.core.block;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an image keeps each guest cluster inside its own file: the format-neutral map that
 * {@code tessera img convert --in-place} carries from one format to another so that no data
 * cluster moves, only metadata is rewritten ({@link BlockNode#clusterLayout()} exports it,
 * {@link BlockDriver#adoptLayout} writes a new format's tables around it).
 *
 * <p>Each guest cluster maps to {@link #UNALLOCATED} (reads from the backing file, or zeroes
 * without one), {@link #ZERO} (reads as zeroes, never from the backing file) or the host offset
 * of its data, a multiple of the cluster size past the header cluster. No host cluster is mapped
 * twice. The layout also lists the clusters the exporting format's own metadata occupies, so that
 * the new format may release them once it owns the file, and how many leading bytes of the file
 * that format still reads until the new header replaces its own.
 *
 * @since 1.3
 */
public final class ClusterLayout {

    /** The cluster holds nothing in this image: read the backing file, or zeroes. */
    public static final long UNALLOCATED = 0;
    /** The cluster reads as zeroes, whatever the backing file holds. */
    public static final long ZERO = 1;
    /** The bytes at the start of the file a new format's commit rewrites with one write, assumed atomic as QEMU does. */
    public static final int COMMIT_SECTOR = 512;
    /** The most guest clusters a layout holds (8 bytes each in memory: 512 MiB). */
    public static final int MAX_CLUSTERS = 1 << 26;

    private final long clusterSize;
    private final long size;
    private final String backingFile;
    private final String backingFormat;
    private final long[] clusters;
    private final long[] metadataClusters;
    private final int headerBytesInUse;

    /**
     * @param clusterSize the cluster size in bytes, a power of two from 512
     * @param size the virtual disk size in bytes
     * @param backingFile the backing file name as the image stores it, or {@code null}
     * @param backingFormat the backing file's format when the image records it, or {@code null}
     * @param clusters for each guest cluster ({@code ceil(size / clusterSize)} of them) its mapping;
     *        copied
     * @param metadataClusters the host offsets of the clusters the image's own tables occupy,
     *        other than the header's; copied
     * @param headerBytesInUse how many bytes at the start of the file the image's header, header
     *        extensions and backing file name occupy
     * @throws IllegalArgumentException if a value is out of range, a mapping is not a cluster
     *         past the header, or a host cluster is mapped twice
     */
    public ClusterLayout(long clusterSize, long size, String backingFile, String backingFormat, long[] clusters, long[] metadataClusters,
            int headerBytesInUse) {
        if (Long.bitCount(clusterSize) != 1 || clusterSize < 512) {
            throw new IllegalArgumentException("cluster size must be a power of two of at least 512, not " + clusterSize);
        }
        if (size < 0 || (size + clusterSize - 1) / clusterSize != clusters.length) {
            throw new IllegalArgumentException("a " + size + "-byte disk of " + clusterSize + "-byte clusters has "
                    + ((size + clusterSize - 1) / clusterSize) + " clusters, not " + clusters.length);
        }
        if (headerBytesInUse < 0 || headerBytesInUse > clusterSize) {
            throw new IllegalArgumentException("the header must lie in the first cluster, not take " + headerBytesInUse + " bytes");
        }
        this.clusterSize = clusterSize;
        this.size = size;
        this.backingFile = backingFile;
        this.backingFormat = backingFile == null ? null : backingFormat;
        this.clusters = clusters.clone();
        this.metadataClusters = metadataClusters.clone();
        this.headerBytesInUse = headerBytesInUse;
        long[] hosts = Arrays.stream(this.clusters).filter(c -> c > ZERO).sorted().toArray();
        for (int i = 0; i < hosts.length; i++) {
            if (hosts[i] % clusterSize != 0 || hosts[i] < clusterSize) {
                throw new IllegalArgumentException("host offset " + hosts[i] + " is not a cluster boundary past the header");
            }
            if (i > 0 && hosts[i] == hosts[i - 1]) {
                throw new IllegalArgumentException("host cluster at " + hosts[i] + " is mapped by two guest clusters");
            }
        }
    }

    /** @return the cluster size in bytes */
    public long clusterSize() {
        return clusterSize;
    }

    /** @return the virtual disk size in bytes */
    public long size() {
        return size;
    }

    /** @return the backing file name as the image stores it (relative to the image), if it has one */
    public Optional<String> backingFile() {
        return Optional.ofNullable(backingFile);
    }

    /** @return the backing file's format, when the image records it */
    public Optional<String> backingFormat() {
        return Optional.ofNullable(backingFormat);
    }

    /** @return the number of guest clusters */
    public int clusterCount() {
        return clusters.length;
    }

    /**
     * @param guestCluster a guest cluster index below {@link #clusterCount()}
     * @return {@link #UNALLOCATED}, {@link #ZERO}, or the host offset of the cluster's data
     */
    public long mapping(int guestCluster) {
        return clusters[guestCluster];
    }

    /** @return the host offsets of the exporting format's table clusters (not its header), a copy */
    public long[] metadataClusters() {
        return metadataClusters.clone();
    }

    /** @return how many leading bytes of the file the exporting format's header needs until it is replaced */
    public int headerBytesInUse() {
        return headerBytesInUse;
    }

    /**
     * Where a new format may put header data (a backing file name) before its commit without
     * touching what the old format still reads: past the first sector, which the commit rewrites
     * in one write, and past the old header's bytes, 8-byte aligned.
     *
     * @return a byte offset in the first cluster (the caller checks that its data fits)
     */
    public long freeHeaderOffset() {
        return (Math.max(COMMIT_SECTOR, headerBytesInUse) + 7) & ~7L;
    }

    /** @return the end of the last data cluster in the file, or the end of the header cluster when none is mapped */
    public long dataEnd() {
        long end = clusterSize;
        for (long c : clusters) {
            if (c > ZERO) {
                end = Math.max(end, c + clusterSize);
            }
        }
        return end;
    }

    /**
     * The same layout with another record of the backing file's format, for a converter that
     * found it by probing where the image leaves it unrecorded.
     *
     * @param format the backing file's format, or {@code null} for none recorded
     * @return the new layout
     */
    public ClusterLayout withBackingFormat(String format) {
        return new ClusterLayout(clusterSize, size, backingFile, format, clusters, metadataClusters, headerBytesInUse);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterLayout l && clusterSize == l.clusterSize && size == l.size && Objects.equals(backingFile, l.backingFile)
                && Objects.equals(backingFormat, l.backingFormat) && Arrays.equals(clusters, l.clusters)
                && Arrays.equals(metadataClusters, l.metadataClusters) && headerBytesInUse == l.headerBytesInUse;
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusterSize, size, backingFile, backingFormat, Arrays.hashCode(clusters), headerBytesInUse);
    }

    @Override
    public String toString() {
        return "ClusterLayout[" + clusterSize + "-byte clusters, " + size + " bytes, backing " + backingFile + " (" + backingFormat + ")]";
    }
}
