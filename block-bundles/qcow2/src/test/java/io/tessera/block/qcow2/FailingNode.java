package io.tessera.block.qcow2;

import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A protocol node that stops after a number of writes, as a killed process does: nothing after that reaches the file.
 * Public, and shipped in this module's test jar, for the fault-injection tests of other block modules.
 */
public final class FailingNode implements BlockNode {

    /** Thrown where the process would have died. */
    public static final class Killed extends IOException {
        private static final long serialVersionUID = 1L;

        Killed() {
            super("killed");
        }
    }

    private final BlockNode file;
    private int writesLeft;

    public FailingNode(BlockNode file, int writesLeft) {
        this.file = file;
        this.writesLeft = writesLeft;
    }

    private void spend() throws Killed {
        if (writesLeft-- <= 0) {
            throw new Killed();
        }
    }

    /** Closes the file without any flush the driver would have done: the process is gone. */
    public void abandon() throws IOException {
        file.close();
    }

    @Override
    public String nodeName() {
        return file.nodeName();
    }

    @Override
    public String format() {
        return file.format();
    }

    @Override
    public long size() {
        return file.size();
    }

    @Override
    public boolean isReadOnly() {
        return file.isReadOnly();
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        return file.read(offset, dst);
    }

    @Override
    public int write(long offset, ByteBuffer src) throws IOException {
        spend();
        return file.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        spend();
        file.flush();
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        spend();
        file.discard(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        spend();
        file.writeZeroes(offset, length);
    }

    @Override
    public void truncate(long size) throws IOException {
        spend();
        file.truncate(size);
    }

    @Override
    public BlockStatus blockStatus(long offset, long length) throws IOException {
        return file.blockStatus(offset, length);
    }

    @Override
    public Optional<BlockNode> backing() {
        return Optional.empty();
    }

    @Override
    public Optional<BlockNode> file() {
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
