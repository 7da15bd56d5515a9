package io.tessera.isa.riscv.user;

import java.io.Closeable;

/**
 * A pipe between emulated processes: a bounded byte buffer with blocking reads and writes.
 * Reading finds end of file once every write end is closed; writing fails with EPIPE (and
 * raises SIGPIPE) once every read end is.
 */
final class Pipe {

    static final int CAPACITY = 65536;
    /** Writes of at most this many bytes are not interleaved with other writers' (POSIX PIPE_BUF). */
    static final int ATOMIC = 4096;

    private final byte[] buffer = new byte[CAPACITY];
    private int head;
    private int count;
    private int readers = 1;
    private int writers = 1;

    /** The read end, as a descriptor's open file holds it. */
    final class ReadEnd implements Closeable {
        Pipe pipe() {
            return Pipe.this;
        }

        @Override
        public void close() {
            synchronized (Pipe.this) {
                readers--;
                Pipe.this.notifyAll();
            }
        }
    }

    /** The write end. */
    final class WriteEnd implements Closeable {
        Pipe pipe() {
            return Pipe.this;
        }

        @Override
        public void close() {
            synchronized (Pipe.this) {
                writers--;
                Pipe.this.notifyAll();
            }
        }
    }

    final ReadEnd readEnd = new ReadEnd();
    final WriteEnd writeEnd = new WriteEnd();

    static final int POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10, POLLNVAL = 0x20;

    /** @return what poll reports for the read end, or for the write end */
    synchronized int readiness(boolean readEnd) {
        if (readEnd) {
            return (count > 0 ? POLLIN : 0) | (writers == 0 ? POLLHUP : 0);
        }
        return readers == 0 ? POLLERR : count < CAPACITY ? POLLOUT : 0;
    }

    /**
     * Reads up to {@code max} bytes, waiting for some while a writer is left.
     *
     * @return the bytes (empty at end of file), or null when a signal interrupted the wait or
     *         nothing is there and {@code nonBlocking}
     */
    synchronized byte[] read(LinuxThread thread, int max, boolean nonBlocking) {
        while (count == 0 && writers > 0) {
            if (nonBlocking || thread.signalPending()) {
                return null;
            }
            thread.block(this, 0);
        }
        int n = Math.min(max, count);
        byte[] out = new byte[n];
        int first = Math.min(n, CAPACITY - head);
        System.arraycopy(buffer, head, out, 0, first);
        System.arraycopy(buffer, 0, out, first, n - first);
        head = (head + n) % CAPACITY;
        count -= n;
        notifyAll();
        return out;
    }

    /** What {@link #write} did: bytes written, or a (negative) errno. */
    static final int BROKEN = -32, INTERRUPTED = -4, WOULD_BLOCK = -11;

    /**
     * Writes all of {@code data}, waiting for room.
     *
     * @return the bytes written, or (when none were) {@link #BROKEN}, {@link #INTERRUPTED} or {@link #WOULD_BLOCK}
     */
    synchronized int write(LinuxThread thread, byte[] data, boolean nonBlocking) {
        int done = 0;
        while (done < data.length) {
            if (readers == 0) {
                return done > 0 ? done : BROKEN;
            }
            int room = CAPACITY - count;
            // A small write goes in whole or waits, so that writers do not interleave inside it.
            boolean mustWait = room == 0 || (data.length <= ATOMIC && room < data.length - done);
            if (mustWait) {
                if (nonBlocking) {
                    return done > 0 ? done : WOULD_BLOCK;
                }
                if (thread.signalPending()) {
                    return done > 0 ? done : INTERRUPTED;
                }
                thread.block(this, 0);
                continue;
            }
            int n = Math.min(room, data.length - done);
            int tail = (head + count) % CAPACITY;
            int first = Math.min(n, CAPACITY - tail);
            System.arraycopy(data, done, buffer, tail, first);
            System.arraycopy(data, done + first, buffer, 0, n - first);
            count += n;
            done += n;
            notifyAll();
        }
        return done;
    }
}
