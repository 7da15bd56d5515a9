package io.tessera.block.testing;

import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockPreallocation;
import io.tessera.core.block.ForwardingBlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A protocol node that stops after a number of writes (and flushes, discards, write-zeroes and
 * resizes), as a killed process does: nothing after that reaches the file. Several nodes can
 * share one budget, so that a process writing two files dies at one moment.
 */
public final class FailingNode extends ForwardingBlockNode {

    /** Thrown where the process would have died. */
    public static final class Killed extends IOException {
        private static final long serialVersionUID = 1L;

        Killed() {
            super("killed");
        }
    }

    private final AtomicInteger writesLeft;

    public FailingNode(BlockNode file, int writesLeft) {
        this(file, new AtomicInteger(writesLeft));
    }

    /**
     * @param file the node to pass the operations on to
     * @param writesLeft the budget, shared with other nodes of the same process
     */
    public FailingNode(BlockNode file, AtomicInteger writesLeft) {
        super(file);
        this.writesLeft = writesLeft;
    }

    private void spend() throws Killed {
        if (writesLeft.getAndDecrement() <= 0) {
            throw new Killed();
        }
    }

    /** Closes the file without any flush the driver would have done: the process is gone. */
    public void abandon() throws IOException {
        delegate.close();
    }

    @Override
    public int write(long offset, ByteBuffer src) throws IOException {
        spend();
        return delegate.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        spend();
        delegate.flush();
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        spend();
        delegate.discard(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        spend();
        delegate.writeZeroes(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        spend();
        delegate.writeZeroes(offset, length, mayUnmap);
    }

    @Override
    public void resize(long newSize, BlockPreallocation preallocation) throws IOException {
        spend();
        delegate.resize(newSize, preallocation);
    }

    /** A protocol node: no layers below it. */
    @Override
    public Optional<BlockNode> backing() {
        return Optional.empty();
    }

    /** @see #backing() */
    @Override
    public Optional<BlockNode> file() {
        return Optional.empty();
    }
}
