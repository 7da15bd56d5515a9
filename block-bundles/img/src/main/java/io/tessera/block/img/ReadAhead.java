package io.tessera.block.img;

import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads an image ahead of its consumer, on a thread of its own: the source's ranges, in order,
 * each with the kind a {@link Planner} gives it, and the data ones with their bytes already in
 * one of a few direct buffers. While the consumer writes one range the next ones are read, so a
 * copy takes about the longer of reading and writing instead of their sum (qemu-img overlaps
 * them the same way, with several requests in flight).
 *
 * <p>Only the reader thread touches the source once it started. A failure of the source reaches
 * the consumer as the same exception, at the range where it happened; a consumer that stops
 * early closes this, which stops the reader.
 */
final class ReadAhead implements AutoCloseable {

    /** Buffers in flight: one being written, the others being read or waiting. */
    private static final int BUFFERS = 3;

    /** What the consumer does with a range. */
    enum Kind {
        /** nothing: the range is left as it is in the target */
        SKIP,
        /** the range reads as zeroes: written as zeroes where the target needs it */
        ZERO,
        /** data to write */
        DATA,
        /** data to write compressed */
        COMPRESS;

        boolean needsData() {
            return this == DATA || this == COMPRESS;
        }
    }

    /**
     * A range of the source. For the kinds with data: {@code data} (position 0, limit the
     * length), and, when the plan asked for blocks of {@code block} bytes to be scanned,
     * {@code zeroBlocks}: bit {@code i} set when block {@code i} (the last one possibly shorter)
     * holds only zeroes.
     */
    record Piece(long at, long length, Kind kind, long block, ByteBuffer data, BitSet zeroBlocks) {

        static Piece of(long at, long length, Kind kind) {
            return new Piece(at, length, kind, 0, null, null);
        }

        /** A range with data whose {@code block}-sized blocks of zeroes the reader finds. */
        static Piece scanned(long at, long length, Kind kind, long block) {
            return new Piece(at, length, kind, block, null, null);
        }

        long end() {
            return at + length;
        }

        /** @return whether block {@code i} holds only zeroes (never, when the range was not scanned) */
        boolean zeroBlock(int i) {
            return zeroBlocks != null && zeroBlocks.get(i);
        }
    }

    /** Decides the range that starts at an offset: its length (at most the buffer size for kinds with data) and kind. */
    @FunctionalInterface
    interface Planner {
        Piece plan(long at) throws IOException;
    }

    /** Put in the queue after the last range, or with the failure that ended the reading. */
    private record End(Throwable failure) {
    }

    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(BUFFERS + 2);
    private final Thread reader;
    /** Zeroes to compare blocks with, as long as the longest block a plan may ask to scan (a buffer). */
    private final MemorySegment zeroes;
    private volatile boolean closed;
    private boolean ended;

    /**
     * Starts reading.
     *
     * @param source the image read
     * @param size how far to read
     * @param bufferSize the largest range with data a planner gives
     */
    ReadAhead(BlockNode source, long size, int bufferSize, Planner planner) {
        for (int i = 0; i < BUFFERS; i++) {
            free.add(ByteBuffer.allocateDirect(bufferSize));
        }
        zeroes = MemorySegment.ofArray(new byte[bufferSize]);
        reader = Thread.ofPlatform().daemon().name("read-ahead " + source.nodeName()).unstarted(() -> read(source, size, planner));
        reader.start();
    }

    private void read(BlockNode source, long size, Planner planner) {
        Throwable failure = null;
        try {
            for (long at = 0; at < size && !closed; ) {
                Piece p = planner.plan(at);
                if (p.length() <= 0) {
                    throw new IllegalStateException("the plan at offset " + at + " has no length: " + p);
                }
                if (p.kind().needsData()) {
                    ByteBuffer buffer = take();
                    if (buffer == null) {
                        return;
                    }
                    buffer.clear().limit((int) p.length());
                    source.read(at, buffer);
                    buffer.flip();
                    p = new Piece(p.at(), p.length(), p.kind(), p.block(), buffer, p.block() > 0 ? zeroBlocks(buffer, p.block()) : null);
                }
                if (!put(p)) {
                    return;
                }
                at = p.end();
            }
        } catch (Throwable e) {
            failure = e;
        }
        put(new End(failure));
    }

    /** The blocks of zeroes in the buffer's bytes: scanned here, so that the consumer only writes. */
    private BitSet zeroBlocks(ByteBuffer data, long block) {
        MemorySegment bytes = MemorySegment.ofBuffer(data);
        int length = data.remaining();
        BitSet zero = new BitSet();
        int i = 0;
        for (long from = 0; from < length; from += block, i++) {
            long to = Math.min(length, from + block);
            if (MemorySegment.mismatch(bytes, from, to, zeroes, 0, to - from) < 0) {
                zero.set(i);
            }
        }
        return zero;
    }

    /** @return a free buffer, or {@code null} once closed */
    private ByteBuffer take() throws InterruptedException {
        while (!closed) {
            ByteBuffer b = free.poll(100, TimeUnit.MILLISECONDS);
            if (b != null) {
                return b;
            }
        }
        return null;
    }

    /** @return whether the item was queued ({@code false} once closed) */
    private boolean put(Object item) {
        try {
            while (!closed) {
                if (ready.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * @return the next range in order, or {@code null} after the last
     * @throws IOException the source's failure at this point of the reading
     */
    Piece next() throws IOException {
        if (ended) {
            return null;
        }
        Object item;
        try {
            item = ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading ahead");
        }
        if (item instanceof Piece p) {
            return p;
        }
        ended = true;
        Throwable failure = ((End) item).failure();
        switch (failure) {
            case null -> {
                return null;
            }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IOException(failure.getMessage(), failure);
        }
    }

    /** Gives a range's buffer back for the reading of later ranges: call once the range is written. */
    void done(Piece p) {
        if (p.data() != null) {
            free.add(p.data());
        }
    }

    /** Stops the reader (if it is still reading) and waits for it, so that the source can be closed. */
    @Override
    public void close() {
        closed = true;
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
