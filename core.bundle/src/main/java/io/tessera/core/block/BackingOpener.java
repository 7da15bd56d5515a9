package io.tessera.core.block;

import java.io.IOException;

/**
 * How a format driver opens the backing file its image names: handed to it in
 * {@link BlockOpenRequest#backingOpener()} by whoever opens the image (usually a
 * {@link BlockGraph}), which knows the installed drivers and the chain opened so far, so that it
 * can refuse a backing chain that loops or grows without end.
 */
@FunctionalInterface
public interface BackingOpener {

    /**
     * Opens a backing file read-only, with its own backing chain.
     *
     * @param filename the backing file, already resolved by the caller (a format driver resolves a
     *        relative name against its own image's directory, as QEMU does)
     * @param format the backing file's format, or empty to probe it
     * @return the backing node, owned by the caller
     * @throws BlockFormatException if the chain loops, is too deep, or the backing image is malformed
     * @throws IOException if the backing file cannot be opened
     */
    BlockNode open(String filename, String format) throws IOException;

    /**
     * Opens a file in which an image keeps part of its own data (a VMDK extent, for example) as a
     * protocol node, read-write if asked, creating it empty first if asked. Unlike a backing
     * file it belongs to the image, so it follows the image's read-only state.
     *
     * @param filename the file, already resolved (and confined) by the caller
     * @param readOnly whether the node must refuse writes
     * @param create whether to create the file, or empty it if it exists
     * @return the protocol node, owned by the caller
     * @throws UnsupportedOperationException if this opener offers backing files only (the default)
     * @throws IOException if the file cannot be opened or created
     * @since 1.2
     */
    default BlockNode openDataFile(String filename, boolean readOnly, boolean create) throws IOException {
        throw new UnsupportedOperationException("no way to open the data file '" + filename + "' was given");
    }
}
