package io.tessera.block.vmdk;

import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One extent of a VMDK disk: a run of sectors stored flat in a file, sparse in grains, or not at
 * all (ZERO). Offsets are relative to the extent's first byte.
 */
abstract sealed class Extent permits FlatExtent, ZeroExtent, SparseExtent {

    /** What stores a range of an extent. */
    enum Kind {
        /** Plain bytes at {@link Mapping#host()} in the extent's file. */
        DATA,
        /** A compressed grain whose header sits at {@link Mapping#host()}. */
        COMPRESSED,
        /** Reads as zeroes (a ZERO extent or a zeroed-grain entry). */
        ZERO,
        /** Not stored here: the parent (backing) disk supplies it, or it reads as zeroes. */
        UNALLOCATED
    }

    /**
     * How a range of the extent is stored.
     *
     * @param kind what stores it
     * @param length how many bytes from the queried offset share the kind (and, for data, continue in the file)
     * @param host byte offset in the extent's file for DATA and COMPRESSED, else -1
     */
    record Mapping(Kind kind, long length, long host) {
    }

    final String name;
    final long size;
    /** How the descriptor lets the extent be used (RW for the single extent of a monolithic image). */
    final VmdkDescriptor.Access access;

    Extent(String name, long size, VmdkDescriptor.Access access) {
        this.name = name;
        this.size = size;
        this.access = access;
    }

    /**
     * @param offset a byte offset below {@link #size}
     * @param max the most bytes to describe, positive
     */
    abstract Mapping map(long offset, long max) throws IOException;

    /** @return the file that stores the extent, or {@code null} for a ZERO extent */
    abstract BlockNode file();

    /** Reads bytes a {@link Kind#COMPRESSED} mapping names: the decompressed grain, from {@code offset} into {@code dst}. */
    void readCompressed(Mapping m, long offset, ByteBuffer dst) throws IOException {
        throw new IllegalStateException("extent '" + name + "' has no compressed grains");
    }
}
