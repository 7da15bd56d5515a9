package io.tessera.block.vmdk;

import io.tessera.core.block.BlockNode;

/** A ZERO extent: sectors that read as zeroes and are stored nowhere. */
final class ZeroExtent extends Extent {

    ZeroExtent(String name, long size, VmdkDescriptor.Access access) {
        super(name, size, access);
    }

    @Override
    Mapping map(long offset, long max) {
        return new Mapping(Kind.ZERO, Math.min(max, size - offset), -1);
    }

    @Override
    BlockNode file() {
        return null;
    }
}
