package io.tessera.tcg;

/**
 * What a guest load or store moves: its size in bytes (1, 2, 4, 8), whether a load
 * sign-extends, and the byte order. Loads of fewer than 8 bytes yield a 64-bit value,
 * zero- or sign-extended.
 *
 * @param size bytes moved: 1, 2, 4 or 8
 * @param signed whether a load sign-extends (ignored by stores)
 * @param bigEndian the byte order of the guest memory access
 */
public record MemOp(int size, boolean signed, boolean bigEndian) {

    public MemOp {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("memory access size " + size + ": valid sizes are 1, 2, 4 and 8");
        }
    }

    /** @return a little-endian access, the common case */
    public static MemOp le(int size, boolean signed) {
        return new MemOp(size, signed, false);
    }

    /** @return {@code value} (as loaded, zero-extended) extended as this access says */
    public long extend(long value) {
        return switch (size) {
            case 1 -> signed ? (byte) value : value & 0xffL;
            case 2 -> signed ? (short) value : value & 0xffffL;
            case 4 -> signed ? (int) value : value & 0xffff_ffffL;
            default -> value;
        };
    }

    @Override
    public String toString() {
        return (signed ? "s" : "u") + (size * 8) + (bigEndian ? "be" : "le");
    }
}
