package io.tessera.block.raw;

import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockPreallocation;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A {@code raw} node: disk byte {@code n} is byte {@code offset + n} of the file node. Owns the
 * file node (closing this node closes it). Unlike the protocol node below it, the disk has a
 * fixed end: writes, discards and write-zeroes that reach past {@link #size()} are refused.
 * Thread-safe as its file node is.
 */
final class RawNode implements BlockNode {

    private final String nodeName;
    private final String filename;
    private final BlockNode file;
    private final boolean readOnly;
    private final long offset;
    /** The fixed size from the {@code size} option, or -1 to follow the file. */
    private final long fixedSize;
    private volatile boolean closed;

    RawNode(String nodeName, String filename, BlockNode file, boolean readOnly, long offset, long fixedSize) {
        this.nodeName = nodeName;
        this.filename = filename;
        this.file = file;
        this.readOnly = readOnly;
        this.offset = offset;
        this.fixedSize = fixedSize;
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String format() {
        return RawDriver.FORMAT;
    }

    @Override
    public long size() {
        return fixedSize >= 0 ? fixedSize : Math.max(0, file.size() - offset);
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public int read(long at, ByteBuffer dst) throws IOException {
        checkOpen();
        if (at < 0) {
            throw new IOException("negative offset " + at);
        }
        long size = size();
        if (at >= size) {
            return 0;
        }
        int length = (int) Math.min(dst.remaining(), size - at);
        if (length == dst.remaining()) {
            return file.read(offset + at, dst);
        }
        int limit = dst.limit();
        dst.limit(dst.position() + length);
        try {
            return file.read(offset + at, dst);
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public int write(long at, ByteBuffer src) throws IOException {
        checkWritable("write");
        checkRange("write", at, src.remaining());
        int length = src.remaining();
        file.write(offset + at, src);
        return length;
    }

    @Override
    public void flush() throws IOException {
        checkOpen();
        file.flush();
    }

    @Override
    public void discard(long at, long length) throws IOException {
        checkWritable("discard");
        checkRange("discard", at, length);
        file.discard(offset + at, length);
    }

    @Override
    public void writeZeroes(long at, long length) throws IOException {
        checkWritable("write zeroes");
        checkRange("write zeroes", at, length);
        file.writeZeroes(offset + at, length);
    }

    /** With {@code mayUnmap} the file below punches a hole, as QEMU's raw format passes the flag down. */
    @Override
    public void writeZeroes(long at, long length, boolean mayUnmap) throws IOException {
        checkWritable("write zeroes");
        checkRange("write zeroes", at, length);
        file.writeZeroes(offset + at, length, mayUnmap);
    }

    /** The file below follows: it is truncated or extended to the disk's new end. */
    @Override
    public void resize(long newSize, BlockPreallocation preallocation) throws IOException {
        checkWritable("resize");
        if (fixedSize >= 0) {
            throw new UnsupportedOperationException("Cannot resize fixed-size raw disks");
        }
        if (newSize < 0 || Long.MAX_VALUE - newSize < offset) {
            throw new IllegalArgumentException("Disk size too large for the chosen offset");
        }
        file.resize(offset + newSize, preallocation);
    }

    @Override
    public BlockStatus blockStatus(long at, long length) throws IOException {
        checkOpen();
        long size = size();
        if (at < 0 || at >= size) {
            throw new IllegalArgumentException("block status at offset " + at + " of node '" + nodeName
                    + "': the offset must lie below the size " + size);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("block status length must be positive: " + length);
        }
        BlockStatus below = file.blockStatus(offset + at, Math.min(length, size - at));
        // Raw adds no layer: what its file says, with the place in the file as host offset.
        return new BlockStatus(at, below.length(), below.data(), below.zero(), 0, offset + at);
    }

    @Override
    public Optional<BlockNode> backing() {
        return Optional.empty();
    }

    @Override
    public Optional<BlockNode> file() {
        return Optional.of(file);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        file.close();
    }

    @Override
    public String toString() {
        return "raw node '" + nodeName + "' (" + filename + (offset != 0 ? ", offset " + offset : "")
                + (fixedSize >= 0 ? ", size " + fixedSize : "") + (readOnly ? ", read-only" : "") + ")";
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("node '" + nodeName + "' (" + filename + ") is closed");
        }
    }

    private void checkWritable(String what) throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("cannot " + what + ": node '" + nodeName + "' (" + filename + ") is read-only");
        }
    }

    private void checkRange(String what, long at, long length) throws IOException {
        long size = size();
        if (at < 0 || length < 0 || at + length < 0 || at + length > size) {
            throw new IOException(what + " of " + length + " bytes at offset " + at + " reaches past the end of '"
                    + filename + "' (disk size " + size + " bytes)");
        }
    }
}
