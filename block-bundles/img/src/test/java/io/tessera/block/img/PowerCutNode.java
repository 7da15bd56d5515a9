package io.tessera.block.img;

import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockPreallocation;
import io.tessera.core.block.ForwardingBlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A protocol node whose power goes off after a number of writes and flushes: what was written
 * since the last flush sat in a volatile cache, and only the part {@link Survivors} chooses
 * reaches the file, as on a disk that loses its cache. Reads see the cache, as a disk's do.
 */
final class PowerCutNode extends ForwardingBlockNode {

    /** Which of the writes cached since the last flush reach the file when the power goes. */
    enum Survivors {
        /** None: the cache is lost whole. */
        NONE,
        /** Only the last write, as a disk that reorders its cache may leave it. */
        LAST,
        /** All of them. */
        ALL
    }

    /** Thrown where the power went. */
    static final class PowerCut extends IOException {
        private static final long serialVersionUID = 1L;

        PowerCut() {
            super("power cut");
        }
    }

    private record Pending(long offset, byte[] data) {
    }

    private final Survivors survivors;
    private final List<Pending> cache = new ArrayList<>();
    private int operationsLeft;

    PowerCutNode(BlockNode file, int operationsLeft, Survivors survivors) {
        super(file);
        this.operationsLeft = operationsLeft;
        this.survivors = survivors;
    }

    private void spend() throws IOException {
        if (operationsLeft-- > 0) {
            return;
        }
        List<Pending> kept = switch (survivors) {
            case NONE -> List.of();
            case LAST -> cache.isEmpty() ? List.of() : List.of(cache.getLast());
            case ALL -> cache;
        };
        for (Pending p : kept) {
            delegate.write(p.offset, ByteBuffer.wrap(p.data));
        }
        cache.clear();
        throw new PowerCut();
    }

    @Override
    public long size() {
        long size = delegate.size();
        for (Pending p : cache) {
            size = Math.max(size, p.offset + p.data.length);
        }
        return size;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        int start = dst.position();
        int n = delegate.read(offset, dst.duplicate());
        for (Pending p : cache) {
            long from = Math.max(offset, p.offset);
            long to = Math.min(offset + dst.remaining(), p.offset + p.data.length);
            if (from < to) {
                dst.put(start + (int) (from - offset), p.data, (int) (from - p.offset), (int) (to - from));
                n = Math.max(n, (int) (to - offset));
            }
        }
        dst.position(start + n);
        return n;
    }

    @Override
    public int write(long offset, ByteBuffer src) throws IOException {
        spend();
        byte[] data = new byte[src.remaining()];
        src.get(data);
        cache.add(new Pending(offset, data));
        return data.length;
    }

    @Override
    public void flush() throws IOException {
        spend();
        for (Pending p : cache) {
            delegate.write(p.offset, ByteBuffer.wrap(p.data));
        }
        cache.clear();
        delegate.flush();
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        spend(); // a hint: dropping it loses nothing
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        write(offset, ByteBuffer.allocate(Math.toIntExact(length)));
    }

    @Override
    public void writeZeroes(long offset, long length, boolean mayUnmap) throws IOException {
        writeZeroes(offset, length);
    }

    @Override
    public void resize(long newSize, BlockPreallocation preallocation) throws IOException {
        throw new UnsupportedOperationException("a power-cut node does not resize");
    }
}
