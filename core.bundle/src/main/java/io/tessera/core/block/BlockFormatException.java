package io.tessera.core.block;

import java.io.IOException;

/**
 * An image whose contents break its format's rules (bad magic, a table pointing outside the
 * file, an unsupported version or feature). Distinct from other {@link IOException}s because
 * retrying or checking permissions will not help: the image itself must be repaired or
 * converted. The message names the problem and, where known, the offending offset.
 */
public class BlockFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong with the image, for the user */
    public BlockFormatException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong with the image, for the user
     * @param cause the lower-level failure that revealed it, for example a decompression error
     */
    public BlockFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
