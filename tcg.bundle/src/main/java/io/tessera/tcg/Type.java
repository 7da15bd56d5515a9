package io.tessera.tcg;

/** The width of an IR temporary: 32 or 64 bits (JVM int or long). */
public enum Type {
    /** 32 bits. */
    I32,
    /** 64 bits. */
    I64;

    /** @return {@code value} cut to this width and sign-extended back (the canonical form of a constant) */
    public long normalize(long value) {
        return this == I32 ? (int) value : value;
    }

    /** @return the number of bits */
    public int bits() {
        return this == I32 ? 32 : 64;
    }
}
