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
}
