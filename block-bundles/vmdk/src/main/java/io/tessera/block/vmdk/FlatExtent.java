package io.tessera.block.vmdk;

import io.tessera.core.block.BlockNode;

/** A FLAT (or VMFS) extent: the sectors lie one after the other in a file, from a start sector on. */
final class FlatExtent extends Extent {

    private final BlockNode file;
    private final long start;

    FlatExtent(String name, long size, VmdkDescriptor.Access access, BlockNode file, long start) {
        super(name, size, access);
        this.file = file;
        this.start = start;
    }

    @Override
    Mapping map(long offset, long max) {
        return new Mapping(Kind.DATA, Math.min(max, size - offset), start + offset);
    }

    @Override
    BlockNode file() {
        return file;
    }
}
