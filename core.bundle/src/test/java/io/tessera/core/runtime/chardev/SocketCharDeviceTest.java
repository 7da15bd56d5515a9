package io.tessera.core.runtime.chardev;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.chardev.CharDevice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket backend with real sockets on the loopback interface and in a temporary directory. */
class SocketCharDeviceTest {

    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final SocketCharDeviceBackend backend = new SocketCharDeviceBackend();
    /** What the device's receiver got: the guest's input. */
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private SocketCharDevice device;

    @TempDir
    Path dir;

    @AfterEach
    void closeDevice() {
        if (device != null) {
            device.close();
        }
    }

    private SocketCharDevice open(Map<String, String> options) throws IOException {
        device = (SocketCharDevice) backend.open("serial0", options);
        device.setReceiver((data, offset, length) -> {
            synchronized (received) {
                received.write(data, offset, length);
            }
        });
        return device;
    }

    private String receivedText() {
        synchronized (received) {
            return received.toString(US_ASCII);
        }
    }

    private static void send(CharDevice device, String text) {
        byte[] bytes = text.getBytes(US_ASCII);
        device.write(bytes, 0, bytes.length);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Reads from the peer's side until {@code expected} has come, and returns what came. */
    private static String readUntil(InputStream in, String expected) throws IOException {
        StringBuilder seen = new StringBuilder();
        while (!seen.toString().contains(expected)) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection ended after '" + seen + "', waiting for '" + expected + "'");
            }
            seen.append((char) b);
        }
        return seen.toString();
    }

    private int port() {
        return ((InetSocketAddress) device.address()).getPort();
    }

    private static Socket client(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) TimeUnit.NANOSECONDS.toMillis(PATIENCE_NANOS));
        return socket;
    }

    @Test
    void aTcpServerExchangesBytesWithItsClientAndDropsOutputWhileNobodyIsConnected() throws Exception {
        open(Map.of("host", "127.0.0.1", "port", "0", "server", "on", "wait", "off"));
        send(device, "lost ");
        assertEquals(5, device.droppedBytes());
        try (Socket client = client(port())) {
            await("the client's connection", device::isConnected);
            send(device, "login: ");
            assertEquals("login: ", readUntil(client.getInputStream(), "login: "));
            client.getOutputStream().write("root\n".getBytes(US_ASCII));
            await("the client's input", () -> receivedText().equals("root\n"));
        }
        await("the disconnection", () -> !device.isConnected());
        send(device, "nobody");
        assertEquals(5 + 6, device.droppedBytes());
        assertEquals("tcp:127.0.0.1:" + port(), device.endpoint());
    }

    @Test
    void theServerTakesTheNextClientAfterADisconnectAndOnlyOneAtATime() throws Exception {
        open(Map.of("host", "127.0.0.1", "port", "0", "server", "on", "wait", "off"));
        try (Socket first = client(port())) {
            await("the first client", device::isConnected);
            try (Socket second = client(port())) {
                // The second waits in the backlog: output goes to the first only.
                send(device, "one\n");
                assertEquals("one\n", readUntil(first.getInputStream(), "\n"));
                second.getOutputStream().write("early".getBytes(US_ASCII));
                first.getOutputStream().write("first".getBytes(US_ASCII));
                await("the first client's input", () -> receivedText().equals("first"));
                assertEquals(1, device.connections());
                first.close();
                await("the second client's connection", () -> device.connections() == 2);
                // What the second sent while waiting arrives once it is taken (the kernel kept it).
                await("the second client's early input", () -> receivedText().equals("firstearly"));
                send(device, "two\n");
                assertEquals("two\n", readUntil(second.getInputStream(), "\n"));
            }
        }
    }

    @Test
    void waitOnHoldsTheOpeningUntilTheFirstClientConnects() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        CompletableFuture<SocketCharDevice> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return (SocketCharDevice) backend.open("serial0", Map.of("host", "127.0.0.1", "port", Integer.toString(port), "server", "on"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Socket client = null;
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (client == null) {
            assertFalse(opening.isDone(), "open returned before any client connected");
            try {
                client = client(port);
            } catch (ConnectException notYetListening) {
                if (System.nanoTime() > deadline) {
                    throw notYetListening;
                }
                Thread.sleep(5);
            }
        }
        try (Socket connected = client) {
            device = opening.get(PATIENCE_NANOS, TimeUnit.NANOSECONDS);
            assertTrue(device.isConnected());
            send(device, "banner\n");
            assertEquals("banner\n", readUntil(connected.getInputStream(), "\n"));
        }
    }

    @Test
    void aUnixServerWorksReplacesAStaleSocketAndRemovesItsFileOnClose() throws Exception {
        Path path = dir.resolve("console.sock");
        // A socket file left by an earlier run.
        try (var stale = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path));
        open(Map.of("path", path.toString(), "server", "on", "wait", "off"));
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            await("the client's connection", device::isConnected);
            send(device, "U-Boot> ");
            assertEquals("U-Boot> ", readUntil(Channels.newInputStream(client), "> "));
            client.write(ByteBuffer.wrap("version\n".getBytes(US_ASCII)));
            await("the client's input", () -> receivedText().equals("version\n"));
        }
        device.close();
        assertFalse(Files.exists(path), "the socket file is removed on close");
    }

    @Test
    void aUnixServerRefusesToReplaceAFileThatIsNotASocket() throws Exception {
        Path path = Files.writeString(dir.resolve("notes.txt"), "keep me");
        IOException e = assertThrows(IOException.class,
                () -> backend.open("serial0", Map.of("path", path.toString(), "server", "on", "wait", "off")));
        assertTrue(e.getMessage().contains("is not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(path));
    }

    @Test
    void aClientConnectsOutAndAFailedConnectionIsAnErrorWithoutReconnect() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            server.setSoTimeout((int) TimeUnit.NANOSECONDS.toMillis(PATIENCE_NANOS));
            open(Map.of("host", "127.0.0.1", "port", Integer.toString(server.getLocalPort())));
            try (Socket peer = server.accept()) {
                await("the connection", device::isConnected);
                send(device, "hello\n");
                assertEquals("hello\n", readUntil(peer.getInputStream(), "\n"));
                peer.getOutputStream().write('x');
                await("the peer's input", () -> receivedText().equals("x"));
            }
            await("the disconnection", () -> !device.isConnected());
            device.close();
        }
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        IOException refused = assertThrows(IOException.class,
                () -> backend.open("serial0", Map.of("host", "127.0.0.1", "port", Integer.toString(closedPort))));
        assertTrue(refused.getMessage().startsWith("cannot connect to tcp:127.0.0.1:" + closedPort), refused.getMessage());
    }

    @Test
    void aClientWithReconnectStartsDisconnectedAndConnectsWhenTheServerAppears() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        open(Map.of("host", "127.0.0.1", "port", Integer.toString(port), "reconnect", "1"));
        assertFalse(device.isConnected());
        try (ServerSocket server = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            server.setSoTimeout((int) TimeUnit.NANOSECONDS.toMillis(PATIENCE_NANOS));
            try (Socket peer = server.accept()) {
                await("the connection", device::isConnected);
                send(device, "again\n");
                assertEquals("again\n", readUntil(peer.getInputStream(), "\n"));
            }
            // And once more after the server's side went away.
            try (Socket peer = server.accept()) {
                await("the second connection", () -> device.connections() == 2);
                send(device, "and again\n");
                assertEquals("and again\n", readUntil(peer.getInputStream(), "\n"));
            }
        }
    }

    @Test
    void aPeerThatDoesNotReadNeverBlocksTheWriterItsOutputIsDropped() throws Exception {
        open(Map.of("host", "127.0.0.1", "port", "0", "server", "on", "wait", "off", "delay", "off"));
        try (Socket idle = client(port())) {
            await("the client's connection", device::isConnected);
            byte[] chunk = new byte[64 * 1024];
            // Far more than the queue and both sockets' kernel buffers hold.
            for (int i = 0; i < 1024; i++) {
                device.write(chunk, 0, chunk.length);
            }
            assertTrue(device.droppedBytes() > 0, "dropped " + device.droppedBytes());
            assertTrue(idle.isConnected());
        }
    }

    @Test
    void closingEndsTheListenerAndTheConnection() throws Exception {
        open(Map.of("host", "127.0.0.1", "port", "0", "server", "on", "wait", "off"));
        int port = port();
        try (Socket client = client(port)) {
            await("the client's connection", device::isConnected);
            device.close();
            assertEquals(-1, client.getInputStream().read(), "the client sees the end of the stream");
        }
        assertThrows(ConnectException.class, () -> client(port).close());
        send(device, "after close");
    }

    @Test
    void badOptionsAreRefusedWithWhatIsValid() {
        assertRefused(Map.of(), "needs either port=PORT [host=HOST] (TCP) or path=PATH (unix)");
        assertRefused(Map.of("port", "1", "path", "/x"), "needs either port=PORT");
        assertRefused(Map.of("port", "70000", "server", "on"), "port=70000 is not valid; use 0 to 65535");
        assertRefused(Map.of("port", "1", "telnet", "on"), "has no option 'telnet'; options: delay, host, path, port, reconnect, server, wait");
        assertRefused(Map.of("port", "1", "server", "maybe"), "server=maybe is not valid; use on or off");
        assertRefused(Map.of("port", "1", "server", "on", "reconnect", "2"), "reconnect=2 is for a client");
        assertRefused(Map.of("port", "4444"), "a socket client needs host=HOST");
        assertRefused(Map.of("path", "/tmp/x", "host", "h"), "host= is for TCP");
    }

    private void assertRefused(Map<String, String> options, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.open("serial0", options));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
