package io.tessera.core.runtime.chardev;

import io.tessera.core.chardev.ByteReceiver;
import io.tessera.core.chardev.CharDevice;
import io.tessera.core.chardev.InputGate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link CharDevice} on a stream socket, TCP or unix, as QEMU's {@code socket} chardev: the
 * emulator listens ({@code server}) or connects out (client), and exchanges bytes with one peer
 * at a time.
 *
 * <p>As a server it takes the next client only once the current one has gone (others wait in
 * the listen backlog, as on QEMU). As a client it connects once at open; with a reconnect
 * interval it starts disconnected if need be and tries again after every failure or
 * disconnection.
 *
 * <p>Overflow policy: {@link #write} never blocks. Output is queued for a writer thread, up to
 * {@link #OUTPUT_LIMIT} bytes; while nobody is connected it is dropped (QEMU does the same), and
 * when a connected peer does not read and the queue is full, the newest bytes are dropped.
 * Both are counted in {@link #droppedBytes()}. Input is read on the device's own thread and
 * handed to the receiver as it arrives, no more than the receiver has {@link ByteReceiver#room()
 * room} for: while it has none, the socket is not read, so the peer's sends wait in the
 * socket's buffers and then in the peer (TCP's own flow control), until
 * {@link #roomAvailable()}.
 *
 * <p>{@link #close()} closes the listening socket and the connection, ends both threads and
 * removes a unix socket file it created.
 */
final class SocketCharDevice implements CharDevice {

    /** How many bytes of output wait for a slow peer before the newest are dropped. */
    static final int OUTPUT_LIMIT = 256 * 1024;

    private static final System.Logger LOG = System.getLogger(SocketCharDevice.class.getName());
    private static final int READ_CHUNK = 4096;

    private final String id;
    private final String endpoint;
    private final SocketAddress address;
    private final boolean noDelay;
    private final long reconnectNanos;
    private final ServerSocketChannel listener;
    private final Path unixPathToRemove;
    private final Thread connectionThread;
    private final Thread writerThread;
    private volatile ByteReceiver receiver;
    /** Where the reader waits for the receiver's room. */
    private final InputGate gate = new InputGate();

    // Guarded by this.
    private SocketChannel connection;
    private byte[] pending = new byte[1024];
    private int pendingLength;
    private long dropped;
    private long connections;
    private boolean closed;

    private SocketCharDevice(String id, String endpoint, SocketAddress address, boolean noDelay, long reconnectNanos,
            ServerSocketChannel listener, Path unixPathToRemove) {
        this.id = id;
        this.endpoint = endpoint;
        this.address = address;
        this.noDelay = noDelay;
        this.reconnectNanos = reconnectNanos;
        this.listener = listener;
        this.unixPathToRemove = unixPathToRemove;
        this.connectionThread = Thread.ofPlatform().daemon().name("chardev-" + id).unstarted(this::serve);
        this.writerThread = Thread.ofPlatform().daemon().name("chardev-" + id + "-out").unstarted(this::drainOutput);
    }

    /**
     * Listens on {@code address}; with {@code waitForClient}, returns only once the first client
     * has connected (QEMU's {@code wait=on}).
     *
     * @throws IOException when the address cannot be bound, or an existing file at a unix path is not a socket
     */
    static SocketCharDevice listen(String id, String endpoint, SocketAddress address, boolean waitForClient, boolean noDelay)
            throws IOException {
        ServerSocketChannel listener;
        Path unixPath = null;
        if (address instanceof UnixDomainSocketAddress unix) {
            unixPath = unix.getPath();
            removeStaleSocket(unixPath);
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            listener = ServerSocketChannel.open();
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        }
        try {
            listener.bind(address, 1);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
        }
        if (unixPath != null) {
            // Also when the process ends without tearing the machine down (Ctrl-a x, a signal).
            unixPath.toFile().deleteOnExit();
        }
        SocketCharDevice device = new SocketCharDevice(id, endpoint, listener.getLocalAddress(), noDelay, 0, listener, unixPath);
        if (waitForClient) {
            System.err.println("tessera: chardev " + id + " waiting for a connection on " + device.endpoint());
            SocketChannel first;
            try {
                first = listener.accept();
            } catch (IOException e) {
                device.close();
                throw new IOException("waiting for a connection on " + endpoint + " failed: " + e.getMessage(), e);
            }
            device.connected(first);
        }
        device.start();
        return device;
    }

    /**
     * Connects to {@code address}. Without a reconnect interval a failure to connect is an
     * error; with one, the device starts disconnected and keeps trying.
     *
     * @param reconnectSeconds seconds between attempts after a failure or disconnection; 0: never reconnect
     * @throws IOException when the first connection fails and there is no reconnect interval
     */
    static SocketCharDevice connect(String id, String endpoint, SocketAddress address, boolean noDelay, long reconnectSeconds)
            throws IOException {
        SocketCharDevice device = new SocketCharDevice(id, endpoint, address, noDelay,
                TimeUnit.SECONDS.toNanos(reconnectSeconds), null, null);
        try {
            device.connected(open(address));
        } catch (IOException e) {
            if (reconnectSeconds == 0) {
                throw new IOException("cannot connect to " + endpoint + ": " + e.getMessage(), e);
            }
            LOG.log(System.Logger.Level.DEBUG, "chardev " + id + ": cannot connect to " + endpoint + " (" + e.getMessage()
                    + "); trying again every " + reconnectSeconds + " s");
        }
        device.start();
        return device;
    }

    private static SocketChannel open(SocketAddress address) throws IOException {
        SocketChannel channel = SocketChannel.open(address instanceof UnixDomainSocketAddress
                ? StandardProtocolFamily.UNIX : ((InetSocketAddress) address).getAddress() instanceof java.net.Inet6Address
                        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.connect(address);
            return channel;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** A unix socket left by an earlier run is replaced, as QEMU does; any other file is not touched. */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0170000) != 0140000) {
            throw new IOException(path + " exists and is not a socket; remove it or choose another path");
        }
        Files.delete(path);
    }

    private void start() {
        connectionThread.start();
        writerThread.start();
    }

    @Override
    public String id() {
        return id;
    }

    /** @return where the device listens or connects to, as {@code tcp:HOST:PORT} or {@code unix:PATH} (the bound port when 0 was asked) */
    String endpoint() {
        if (listener != null && address instanceof InetSocketAddress inet) {
            return "tcp:" + inet.getHostString() + ":" + inet.getPort();
        }
        return endpoint;
    }

    /** @return the address bound (server) or connected to (client) */
    SocketAddress address() {
        return address;
    }

    /** @return whether a peer is connected now */
    synchronized boolean isConnected() {
        return connection != null;
    }

    /** @return how many peers have connected since the device was opened */
    synchronized long connections() {
        return connections;
    }

    /** @return output bytes dropped because nobody was connected or the peer did not keep up */
    synchronized long droppedBytes() {
        return dropped;
    }

    @Override
    public void write(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        synchronized (this) {
            if (closed || length == 0) {
                return;
            }
            if (connection == null) {
                dropped += length;
                return;
            }
            int taken = Math.min(length, OUTPUT_LIMIT - pendingLength);
            if (taken > 0) {
                if (pendingLength + taken > pending.length) {
                    pending = java.util.Arrays.copyOf(pending, Math.min(OUTPUT_LIMIT, Math.max(pending.length * 2, pendingLength + taken)));
                }
                System.arraycopy(data, offset, pending, pendingLength, taken);
                if (pendingLength == 0) {
                    notifyAll();
                }
                pendingLength += taken;
            }
            dropped += length - taken;
        }
    }

    @Override
    public void setReceiver(ByteReceiver receiver) {
        this.receiver = receiver;
        roomAvailable();
    }

    @Override
    public void roomAvailable() {
        gate.signal();
    }

    /** The connection thread: takes a peer, reads from it until it goes, and again while the device lives. */
    private void serve() {
        while (true) {
            SocketChannel channel;
            synchronized (this) {
                channel = connection;
                if (closed) {
                    return;
                }
            }
            if (channel == null) {
                channel = nextConnection();
                if (channel == null) {
                    return;
                }
                connected(channel);
            }
            readUntilGone(channel);
            disconnected(channel);
        }
    }

    /** @return the next peer, or null when the device is closed or a client gives up for good */
    private SocketChannel nextConnection() {
        while (true) {
            try {
                if (listener != null) {
                    return listener.accept();
                }
                synchronized (this) {
                    if (reconnectNanos == 0) {
                        return null;
                    }
                    long deadline = System.nanoTime() + reconnectNanos;
                    for (long left = reconnectNanos; !closed && left > 0; left = deadline - System.nanoTime()) {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                    if (closed) {
                        return null;
                    }
                }
                return open(address);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (IOException e) {
                if (isClosed()) {
                    return null;
                }
                if (listener != null) {
                    // accept() fails only on a closed or broken listener: nothing more can come.
                    LOG.log(System.Logger.Level.WARNING, "chardev " + id + ": listening on " + endpoint() + " failed: " + e.getMessage());
                    return null;
                }
                LOG.log(System.Logger.Level.DEBUG, () -> "chardev " + id + ": reconnecting to " + endpoint + " failed: " + e.getMessage());
            }
        }
    }

    private void connected(SocketChannel channel) {
        try {
            if (noDelay && !(address instanceof UnixDomainSocketAddress)) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "chardev " + id + ": TCP_NODELAY not set: " + e.getMessage());
        }
        boolean refused;
        synchronized (this) {
            refused = closed;
            if (!refused) {
                connection = channel;
                connections++;
                pendingLength = 0;
                notifyAll();
            }
        }
        if (refused) {
            closeQuietly(channel);
        } else {
            LOG.log(System.Logger.Level.DEBUG, () -> "chardev " + id + ": connected on " + endpoint());
        }
    }

    private void readUntilGone(SocketChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocate(READ_CHUNK);
        try {
            for (int room; (room = gate.awaitRoom(() -> receiver, this::isClosed, READ_CHUNK)) > 0 && channel.read(buffer.clear().limit(room)) >= 0;) {
                ByteReceiver r = receiver;
                if (r != null && buffer.position() > 0 && !isClosed()) {
                    r.receive(buffer.array(), 0, buffer.position());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedChannelException e) {
            // Closed by the writer after a failed write, or by close(): the peer is gone either way.
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "chardev " + id + ": connection lost: " + e.getMessage());
        } catch (RuntimeException e) {
            // A receiver must not end the device's input for good.
            LOG.log(System.Logger.Level.WARNING, "chardev " + id + ": the receiver failed; connection dropped", e);
        }
    }

    /** Forgets {@code channel} if it is still the connection, with the output queued for it (QEMU drops it too). */
    private void disconnected(SocketChannel channel) {
        synchronized (this) {
            if (connection == channel) {
                connection = null;
                dropped += pendingLength;
                pendingLength = 0;
                notifyAll();
            }
        }
        closeQuietly(channel);
        LOG.log(System.Logger.Level.DEBUG, () -> "chardev " + id + ": disconnected from " + endpoint());
    }

    /** The writer thread: sends queued output to the connection, outside the lock so that writers never wait for the peer. */
    private void drainOutput() {
        byte[] spare = new byte[1024];
        while (true) {
            SocketChannel channel;
            ByteBuffer chunk;
            synchronized (this) {
                while (!closed && (connection == null || pendingLength == 0)) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                channel = connection;
                chunk = ByteBuffer.wrap(pending, 0, pendingLength);
                // Swap buffers: writers fill the spare while this one goes out.
                pending = spare.length >= pending.length ? spare : new byte[pending.length];
                pendingLength = 0;
            }
            try {
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            } catch (IOException e) {
                // The reader sees the closed channel and moves on to the next peer.
                LOG.log(System.Logger.Level.DEBUG, () -> "chardev " + id + ": write failed: " + e.getMessage());
                closeQuietly(channel);
            }
            spare = chunk.array();
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        SocketChannel channel;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            channel = connection;
            connection = null;
            notifyAll();
        }
        roomAvailable();
        receiver = null;
        if (channel != null) {
            closeQuietly(channel);
        }
        if (listener != null) {
            closeQuietly(listener);
        }
        for (Thread thread : new Thread[] {connectionThread, writerThread}) {
            if (thread.isAlive() && thread != Thread.currentThread()) {
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (unixPathToRemove != null) {
            try {
                Files.deleteIfExists(unixPathToRemove);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "chardev " + id + ": cannot remove " + unixPathToRemove + ": " + e.getMessage());
            }
        }
    }

    private void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "chardev " + id + ": closing " + closeable + " failed: " + e.getMessage());
        }
    }

    @Override
    public synchronized String toString() {
        return "SocketCharDevice[" + id + ", " + endpoint() + (listener != null ? ", server" : "")
                + (connection != null ? ", connected" : ", disconnected") + "]";
    }
}
