package io.tessera.core.memory;

/**
 * Thrown when a region would overlap a sibling without a priority that says which one the
 * guest sees. The message names both regions and their ranges.
 */
public final class OverlapException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** @param message names both regions and their ranges */
    public OverlapException(String message) {
        super(message);
    }
}
