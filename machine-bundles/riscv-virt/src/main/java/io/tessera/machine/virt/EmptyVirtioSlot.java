package io.tessera.machine.virt;

import io.tessera.core.memory.MmioHandler;

/**
 * A virtio-mmio transport with no device behind it, as QEMU's virt board leaves its unused
 * slots: the guest reads the magic value, version 2 and device ID 0 ("no device") and moves
 * on. A virtio device plugged into the slot maps its own transport over this one.
 */
final class EmptyVirtioSlot implements MmioHandler {

    static final long SIZE = 0x200;
    private static final long MAGIC = 0x7472_6976L;   // "virt"
    private static final long VENDOR = 0x554d_4551L;   // "QEMU", as QEMU's transports say

    @Override
    public long read(long offset, int size) {
        if (size != 4) {
            return 0;
        }
        return switch ((int) offset) {
            case 0x000 -> MAGIC;
            case 0x004 -> 2;
            case 0x00c -> VENDOR;
            default -> 0;
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        // Nothing to drive: writes to an empty slot are ignored, as QEMU ignores them.
    }
}
