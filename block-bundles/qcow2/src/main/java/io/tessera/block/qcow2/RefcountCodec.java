package io.tessera.block.qcow2;

import java.nio.ByteBuffer;

/** Entries of a refcount block of any width: sub-byte widths are packed from the least significant bit, as QEMU does. */
final class RefcountCodec {

    private RefcountCodec() {
    }

    static long get(byte[] block, int bits, long i) {
        int index = (int) i;
        return switch (bits) {
            case 1, 2, 4 -> {
                int perByte = 8 / bits;
                yield (block[index / perByte] >>> (bits * (index % perByte))) & ((1 << bits) - 1);
            }
            case 8 -> block[index] & 0xffL;
            case 16 -> ((block[2 * index] & 0xffL) << 8) | (block[2 * index + 1] & 0xffL);
            case 32 -> ByteBuffer.wrap(block).getInt(4 * index) & 0xffffffffL;
            default -> ByteBuffer.wrap(block).getLong(8 * index);
        };
    }

    static void set(byte[] block, int bits, long i, long value) {
        int index = (int) i;
        switch (bits) {
            case 1, 2, 4 -> {
                int perByte = 8 / bits;
                int shift = bits * (index % perByte);
                int mask = ((1 << bits) - 1) << shift;
                block[index / perByte] = (byte) ((block[index / perByte] & ~mask) | ((int) value << shift) & mask);
            }
            case 8 -> block[index] = (byte) value;
            case 16 -> {
                block[2 * index] = (byte) (value >>> 8);
                block[2 * index + 1] = (byte) value;
            }
            case 32 -> ByteBuffer.wrap(block).putInt(4 * index, (int) value);
            default -> ByteBuffer.wrap(block).putLong(8 * index, value);
        }
    }
}
