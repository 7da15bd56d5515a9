package io.tessera.block.testing;

import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A protocol driver over a real one whose nodes share one write budget ({@link FailingNode}):
 * a whole tool run (several images, their backing files) dies after that many writes, and
 * {@link #abandonAll()} then drops the files as the dead process would.
 */
public final class FailingProtocol implements BlockDriver {

    private final BlockDriver real;
    private final AtomicInteger writesLeft;
    private final List<FailingNode> opened = new ArrayList<>();

    public FailingProtocol(BlockDriver real, int writes) {
        this.real = real;
        this.writesLeft = new AtomicInteger(writes);
    }

    /** @return whether the budget ran out: some write was refused */
    public boolean killed() {
        return writesLeft.get() < 0;
    }

    /** Closes every file the run opened, without flushing anything more. */
    public void abandonAll() throws IOException {
        for (FailingNode n : opened) {
            n.abandon();
        }
        opened.clear();
    }

    @Override
    public String format() {
        return real.format();
    }

    @Override
    public boolean isProtocol() {
        return true;
    }

    @Override
    public int probe(byte[] header, String filename) {
        return real.probe(header, filename);
    }

    @Override
    public synchronized BlockNode open(BlockOpenRequest request) throws IOException {
        FailingNode node = new FailingNode(real.open(request), writesLeft);
        opened.add(node);
        return node;
    }
}
