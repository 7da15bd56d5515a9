package io.tessera.block.qcow2;

import io.tessera.core.block.BlockNode;
import io.tessera.core.block.ForwardingBlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A protocol node that stops after a number of writes, as a killed process does: nothing after that reaches the file.
 * Public, and shipped in this module's test jar, for the fault-injection tests of other block modules.
 */
public final class FailingNode extends ForwardingBlockNode {

    /** Thrown where the process would have died. */
    public static final class Killed extends IOException {
        private static final long serialVersionUID = 1L;

        Killed() {
            super("killed");
        }
    }

    private int writesLeft;

    public FailingNode(BlockNode file, int writesLeft) {
        super(file);
        this.writesLeft = writesLeft;
    }

    private void spend() throws Killed {
        if (writesLeft-- <= 0) {
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
    public void truncate(long size) throws IOException {
        spend();
        delegate.truncate(size);
    }
}
