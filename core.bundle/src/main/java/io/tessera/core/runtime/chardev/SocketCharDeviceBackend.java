package io.tessera.core.runtime.chardev;

import io.tessera.core.chardev.CharDevice;
import io.tessera.core.chardev.CharDeviceBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * {@code socket}: a TCP or unix stream socket, QEMU's {@code -chardev socket} with its option
 * names: {@code host} and {@code port} (TCP; an empty host listens on every interface) or
 * {@code path} (unix), {@code server=on|off} (default off: connect out), {@code wait=on|off}
 * (a server waits for its first client before the machine starts; default on, as QEMU's),
 * {@code delay=on|off} (off sets TCP_NODELAY) and {@code reconnect=SECONDS} (a client's retry
 * interval). The command line's {@code tcp:HOST:PORT} and {@code unix:PATH} come here too.
 * Behaviour: {@link SocketCharDevice}.
 */
@Component(service = CharDeviceBackend.class)
public final class SocketCharDeviceBackend implements CharDeviceBackend {

    @Override
    public String kind() {
        return "socket";
    }

    @Override
    public CharDevice open(String id, Map<String, String> options) throws IOException {
        Options.allowOnly("socket", options, Set.of("host", "port", "path", "server", "wait", "delay", "reconnect"));
        boolean server = Options.flag("socket", options, "server", false);
        boolean waitForClient = Options.flag("socket", options, "wait", true);
        boolean noDelay = !Options.flag("socket", options, "delay", true);
        long reconnect = reconnectSeconds(options.get("reconnect"));
        String path = options.get("path");
        String port = options.get("port");
        if ((path == null) == (port == null)) {
            throw new IllegalArgumentException("character device kind 'socket' needs either port=PORT [host=HOST] (TCP) or path=PATH (unix)"
                    + "; as -serial: tcp:HOST:PORT or unix:PATH");
        }
        if (path != null && (path.isEmpty() || options.containsKey("host"))) {
            throw new IllegalArgumentException(path.isEmpty() ? "socket path= is empty; give the unix socket's file"
                    : "socket path=" + path + " is a unix socket; host= is for TCP (port=)");
        }
        if (server && reconnect > 0) {
            throw new IllegalArgumentException("socket reconnect=" + reconnect + " is for a client; a server (server=on) takes the next client by itself");
        }
        if (path != null) {
            UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
            String endpoint = "unix:" + path;
            return server ? SocketCharDevice.listen(id, endpoint, address, waitForClient, noDelay)
                    : SocketCharDevice.connect(id, endpoint, address, noDelay, reconnect);
        }
        int portNumber = port(port);
        String host = options.getOrDefault("host", "");
        if (!server && (host.isEmpty() || portNumber == 0)) {
            throw new IllegalArgumentException("a socket client needs host=HOST and a port other than 0 (tcp:HOST:PORT)"
                    + "; add server=on to listen instead");
        }
        InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(portNumber) : new InetSocketAddress(host, portNumber);
        if (address.isUnresolved()) {
            throw new IOException("unknown host '" + host + "'");
        }
        String endpoint = "tcp:" + host + ":" + portNumber;
        return server ? SocketCharDevice.listen(id, endpoint, address, waitForClient, noDelay)
                : SocketCharDevice.connect(id, endpoint, address, noDelay, reconnect);
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("socket port=" + text + " is not valid; use 0 to 65535 (0: any free port, for a server)");
    }

    private static long reconnectSeconds(String text) {
        if (text == null) {
            return 0;
        }
        try {
            long seconds = Long.parseLong(text.trim());
            if (seconds >= 0 && seconds <= 86_400) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("socket reconnect=" + text + " is not valid; use seconds from 0 (never) to 86400");
    }
}
