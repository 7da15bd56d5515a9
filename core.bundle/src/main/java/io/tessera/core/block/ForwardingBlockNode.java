package io.tessera.core.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A node that passes every request to another node: a base for nodes that change one thing
 * about a node they wrap (a node lent without its close, a node that fails after so many
 * writes in a test) and forward the rest.
 *
 * @since 1.3
 */
public abstract class ForwardingBlockNode implements BlockNode {

    /** The node requests go to. */
    protected final BlockNode delegate;

    /** @param delegate the node requests go to */
    protected ForwardingBlockNode(BlockNode delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String nodeName() {
        return delegate.nodeName();
    }

    @Override
    public String format() {
        return delegate.format();
    }

    @Override
    public long size() {
        return delegate.size();
    }

    @Override
    public boolean isReadOnly() {
        return delegate.isReadOnly();
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        return delegate.read(offset, dst);
    }

    @Override
    public int write(long offset, ByteBuffer src) throws IOException {
        return delegate.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        delegate.discard(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        delegate.writeZeroes(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        delegate.writeZeroes(offset, length, mayUnmap);
    }

    @Override
    public void resize(long newSize, BlockPreallocation preallocation) throws IOException {
        delegate.resize(newSize, preallocation);
    }

    @Override
    public void makeEmpty() throws IOException {
        delegate.makeEmpty();
    }

    @Override
    public void changeBackingFile(String filename, String format) throws IOException {
        delegate.changeBackingFile(filename, format);
    }

    @Override
    public Optional<BlockSnapshots> internalSnapshots() {
        return delegate.internalSnapshots();
    }

    @Override
    public Optional<BlockDirtyBitmaps> dirtyBitmaps() {
        return delegate.dirtyBitmaps();
    }

    @Override
    public void amend(Map<String, String> options) throws IOException {
        delegate.amend(options);
    }

    @Override
    public BlockStatus blockStatus(long offset, long length) throws IOException {
        return delegate.blockStatus(offset, length);
    }

    @Override
    public void writeCompressed(long offset, ByteBuffer src) throws IOException {
        delegate.writeCompressed(offset, src);
    }

    @Override
    public BlockImageInfo imageInfo() throws IOException {
        return delegate.imageInfo();
    }

    @Override
    public Optional<BlockCheckResult> check(BlockRepair repair) throws IOException {
        return delegate.check(repair);
    }

    @Override
    public Optional<String> dataFilename(long offset) throws IOException {
        return delegate.dataFilename(offset);
    }

    @Override
    public ClusterLayout clusterLayout() throws IOException {
        return delegate.clusterLayout();
    }

    @Override
    public Optional<BlockNode> backing() {
        return delegate.backing();
    }

    @Override
    public Optional<BlockNode> file() {
        return delegate.file();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
