package io.tessera.block.file;

import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockPreallocation;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node of the {@code file} protocol: the bytes of one host file.
 *
 * <p>As a protocol node it behaves like QEMU's: its {@link #size()} is the file's length, and
 * a write or write-zeroes that reaches past the end <em>extends</em> the file (format drivers
 * such as qcow2 allocate their clusters that way). Reads stop at the end; discards must lie
 * within it. The size is the file's length when opened, updated by this node's own growth;
 * changes made by other programs to the file's length are not noticed.
 *
 * <p>Thread-safe: {@link FileChannel}'s positional I/O is.
 */
final class FileNode implements BlockNode {

    /** Chunk of zeroes that write-zeroes writes at a time. */
    private static final int ZERO_CHUNK = 1 << 20;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();

    private final String nodeName;
    private final String filename;
    private final FileChannel channel;
    private final boolean readOnly;
    private final boolean noFlush;
    private final AtomicLong size;
    private volatile boolean closed;
    /** Opened on the first block status query: most nodes (a guest's disk) never ask. */
    private volatile Holes holes;
    private volatile boolean holesOpened;
    /** fallocate on a descriptor of its own, opened on the first discard, write-zeroes or preallocation. */
    private volatile FileSpace space;
    private volatile boolean spaceOpened;

    FileNode(String nodeName, String filename, FileChannel channel, boolean readOnly, boolean noFlush) throws IOException {
        this.nodeName = nodeName;
        this.filename = filename;
        this.channel = channel;
        this.readOnly = readOnly;
        this.noFlush = noFlush;
        this.size = new AtomicLong(channel.size());
    }

    /** @return the host file name, for messages */
    String filename() {
        return filename;
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String format() {
        return FileDriver.FORMAT;
    }

    @Override
    public long size() {
        return size.get();
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        checkOpen();
        checkOffset(offset);
        int total = 0;
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, offset + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (ClosedChannelException e) {
            throw closedException();
        } catch (IOException e) {
            throw new IOException("read of '" + filename + "' at offset " + (offset + total) + " failed: " + e.getMessage(), e);
        }
        return total;
    }

    @Override
    public int write(long offset, ByteBuffer src) throws IOException {
        checkWritable("write");
        checkOffset(offset);
        int length = src.remaining();
        if (offset + length < 0) {
            throw new IOException("write of " + length + " bytes at offset " + offset + " overflows");
        }
        if (offset + length > size.get()) {
            // A write that grows the file never runs beside an extension by ftruncate (writeZeroes), which could cut it off.
            synchronized (this) {
                return writeAt(offset, src, length);
            }
        }
        return writeAt(offset, src, length);
    }

    private int writeAt(long offset, ByteBuffer src, int length) throws IOException {
        int total = 0;
        try {
            while (src.hasRemaining()) {
                total += channel.write(src, offset + total);
            }
        } catch (ClosedChannelException e) {
            throw closedException();
        } catch (IOException e) {
            throw new IOException("write to '" + filename + "' at offset " + (offset + total) + " failed: " + e.getMessage(), e);
        }
        grownTo(offset + length);
        return length;
    }

    @Override
    public void flush() throws IOException {
        checkOpen();
        if (readOnly || noFlush) {
            return;
        }
        try {
            channel.force(true);
        } catch (ClosedChannelException e) {
            throw closedException();
        } catch (IOException e) {
            throw new IOException("flush of '" + filename + "' failed: " + e.getMessage(), e);
        }
    }

    /**
     * Punches a hole ({@code FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE}), as QEMU's file protocol
     * does: the range reads as zeroes and its blocks are freed. Where the host cannot, a hint
     * that is dropped, as the {@link BlockNode#discard} contract allows.
     */
    @Override
    public void discard(long offset, long length) throws IOException {
        checkWritable("discard");
        checkRange("discard", offset, length);
        FileSpace s = space();
        if (s != null && length > 0) {
            s.punchHole(offset, length);
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        writeZeroes(offset, length, false);
    }

    /**
     * Inside the file: with {@code mayUnmap} a hole is punched, else the range is zeroed and
     * stays allocated ({@code FALLOC_FL_ZERO_RANGE}), as QEMU does; zeroes are written where the
     * host offers neither. Past the end the file is extended, which reads as zeroes.
     */
    @Override
    public void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        checkWritable("write zeroes");
        checkOffset(offset);
        if (length < 0 || offset + length < 0) {
            throw new IOException("write zeroes of " + length + " bytes at offset " + offset + " is not a valid range");
        }
        long end = offset + length;
        long oldSize = size.get();
        // Zeroes inside the file are written; past its end the file is extended, which reads as zeroes.
        long written = Math.min(end, Math.max(offset, oldSize));
        long at = offset;
        FileSpace s = written > offset ? space() : null;
        if (s != null && (mayUnmap ? s.punchHole(offset, written - offset) : s.zeroRange(offset, written - offset))) {
            at = written;
        }
        try {
            while (at < written) {
                ByteBuffer chunk = ZEROES.duplicate();
                chunk.limit((int) Math.min(ZERO_CHUNK, written - at));
                while (chunk.hasRemaining()) {
                    at += channel.write(chunk, at);
                }
            }
            if (end > oldSize) {
                extendTo(end);
            }
        } catch (ClosedChannelException e) {
            throw closedException();
        } catch (IOException e) {
            throw new IOException("write zeroes to '" + filename + "' at offset " + at + " failed: " + e.getMessage(), e);
        }
        grownTo(end);
    }

    /**
     * Grows the file to {@code end} (if it is shorter) so that the new range reads as zeroes and
     * takes no block, as QEMU's ftruncate does; under the lock that writes growing the file take,
     * as a write past {@code end} finished meanwhile would otherwise be cut off.
     */
    private synchronized void extendTo(long end) throws IOException {
        if (end <= channel.size()) {
            return;
        }
        FileSpace grower = space();
        if (grower == null || !grower.extendTo(end)) {
            // Without ftruncate: writing the last byte makes the file sparse but for that byte's block.
            ByteBuffer one = ByteBuffer.allocate(1);
            while (one.hasRemaining()) {
                channel.write(one, end - 1);
            }
        }
    }

    /**
     * Writes zeroes over the first block of a file just grown from empty, as QEMU's file
     * protocol does (so that probing its alignment later finds a real block): 4 KiB, or a sector
     * for files under 4 KiB. qemu-img's new images take that block; {@code info}'s disk size shows it.
     */
    private void allocateFirstBlock(long newSize) throws IOException {
        ByteBuffer block = ZEROES.duplicate();
        block.limit((int) Math.min(newSize, newSize < 4096 ? 512 : 4096));
        while (block.hasRemaining()) {
            channel.write(block, block.position());
        }
    }

    /**
     * Truncates or extends the file, as QEMU's file protocol does: growing with
     * {@link BlockPreallocation#OFF} leaves a hole, {@link BlockPreallocation#FALLOC} reserves
     * the blocks with {@code posix_fallocate} ({@link FileSpace}; zeroes are written where it
     * cannot be called), {@link BlockPreallocation#FULL} writes zeroes.
     */
    @Override
    public synchronized void resize(long newSize, BlockPreallocation preallocation) throws IOException {
        checkWritable("resize");
        if (newSize < 0) {
            throw new IllegalArgumentException("a file cannot have the negative size " + newSize);
        }
        long current = size.get();
        if (preallocation == BlockPreallocation.METADATA) {
            throw new IllegalArgumentException("Unsupported preallocation mode: metadata");
        }
        if (newSize < current && preallocation != BlockPreallocation.OFF) {
            throw new IllegalArgumentException("Preallocation can only be used for growing images");
        }
        try {
            if (newSize < current) {
                channel.truncate(newSize);
                size.set(newSize);
            } else if (newSize > current) {
                FileSpace s = preallocation == BlockPreallocation.FALLOC ? space() : null;
                if (preallocation == BlockPreallocation.OFF) {
                    extendTo(newSize);
                    if (current == 0) {
                        allocateFirstBlock(newSize);
                    }
                } else if (s != null) {
                    s.preallocate(current, newSize - current);
                    grownTo(newSize);
                } else {
                    // Past the end write-zeroes leaves a hole; preallocation wants the blocks.
                    for (long at = current; at < newSize; ) {
                        ByteBuffer chunk = ZEROES.duplicate();
                        chunk.limit((int) Math.min(ZERO_CHUNK, newSize - at));
                        at += write(at, chunk);
                    }
                }
            }
        } catch (ClosedChannelException e) {
            throw closedException();
        }
    }

    /** The file's allocated blocks, from {@code stat(2)}; -1 where it cannot be called. */
    @Override
    public long allocatedSize() throws IOException {
        checkOpen();
        return Libc.allocatedBytes(filename);
    }

    /**
     * Reports holes of a sparse file as zero without data, the rest as data, asking the host with
     * {@code SEEK_DATA}/{@code SEEK_HOLE} ({@link Holes}); every range is data where it cannot.
     */
    @Override
    public BlockStatus blockStatus(long offset, long length) throws IOException {
        checkOpen();
        long current = size.get();
        if (offset < 0 || offset >= current) {
            throw new IllegalArgumentException("block status at offset " + offset + " of node '" + nodeName
                    + "': the offset must lie below the size " + current);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("block status length must be positive: " + length);
        }
        long max = Math.min(length, current - offset);
        Holes finder = holes();
        long run = finder == null ? max : finder.run(offset, max);
        return run < 0 ? new BlockStatus(offset, -run, false, true, 0, offset) : new BlockStatus(offset, run, true, false, 0, offset);
    }

    private Holes holes() {
        if (!holesOpened) {
            synchronized (this) {
                if (!holesOpened) {
                    holes = Holes.open(filename);
                    holesOpened = true;
                }
            }
        }
        return holes;
    }

    private FileSpace space() {
        if (!spaceOpened) {
            synchronized (this) {
                if (!spaceOpened) {
                    space = readOnly ? null : FileSpace.open(filename);
                    spaceOpened = true;
                }
            }
        }
        return space;
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
        if (closed) {
            return;
        }
        closed = true;
        if (holes != null) {
            holes.close();
        }
        if (space != null) {
            space.close();
        }
        try {
            if (!readOnly && !noFlush) {
                channel.force(true);
            }
        } finally {
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "file node '" + nodeName + "' (" + filename + (readOnly ? ", read-only" : "") + ")";
    }

    private void grownTo(long end) {
        size.accumulateAndGet(end, Math::max);
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw closedException();
        }
    }

    private IOException closedException() {
        return new IOException("node '" + nodeName + "' (" + filename + ") is closed");
    }

    private void checkWritable(String what) throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("cannot " + what + ": node '" + nodeName + "' (" + filename + ") is read-only");
        }
    }

    private static void checkOffset(long offset) throws IOException {
        if (offset < 0) {
            throw new IOException("negative offset " + offset);
        }
    }

    private void checkRange(String what, long offset, long length) throws IOException {
        long current = size.get();
        if (offset < 0 || length < 0 || offset + length < 0 || offset + length > current) {
            throw new IOException(what + " of " + length + " bytes at offset " + offset + " reaches past the end of '"
                    + filename + "' (" + current + " bytes)");
        }
    }
}
