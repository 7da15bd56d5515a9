package io.tessera.core.device;

/** A saved state that a device cannot take: wrong schema, a newer version, a missing or ill-typed field, an impossible value. */
public final class InvalidStateException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message names the schema and what is wrong */
    public InvalidStateException(String message) {
        super(message);
    }
}
