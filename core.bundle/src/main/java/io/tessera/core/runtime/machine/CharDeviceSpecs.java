package io.tessera.core.runtime.machine;

import io.tessera.core.chardev.CharDevice;
import io.tessera.core.chardev.CharDeviceBackend;
import java.io.IOException;
import org.osgi.annotation.bundle.Capability;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads QEMU-style character device specs, {@code KIND[:PATH][,KEY=VALUE...]}
 * ({@code stdio}, {@code file:/tmp/log}, {@code ringbuf,size=4096},
 * {@code socket,port=4444,server=on}), and opens them with the installed backend of that kind.
 * QEMU's short forms become {@code socket}: {@code tcp:HOST:PORT} and {@code unix:PATH}; a bare
 * {@code KEY} is {@code KEY=on} and {@code noKEY} is {@code KEY=off} ({@code server,nowait}).
 * The machine manager registers what they open as services, in code, so the bundle declares
 * those services for the resolver here.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=io.tessera.core.chardev.CharDevice",
        uses = CharDevice.class)
final class CharDeviceSpecs {

    /** The spec prefix that names a device the machine was created with instead of opening one. */
    static final String ALIAS_PREFIX = "chardev:";

    private CharDeviceSpecs() {
    }

    /** A spec taken apart: the backend kind and its options. */
    record Spec(String kind, Map<String, String> options) {
    }

    /** @throws IllegalArgumentException for a malformed spec, naming the part that is wrong */
    static Spec parse(String id, String spec) {
        String[] parts = spec.split(",", -1);
        String head = parts[0].trim();
        Map<String, String> options = new LinkedHashMap<>();
        int colon = head.indexOf(':');
        String kind = colon < 0 ? head : head.substring(0, colon);
        String path = colon < 0 ? null : head.substring(colon + 1);
        switch (kind) {
            case "tcp" -> {
                int last = path == null ? -1 : path.lastIndexOf(':');
                if (last < 0) {
                    throw new IllegalArgumentException("character device '" + id + "': '" + head + "' needs a port: tcp:HOST:PORT (tcp::PORT listens on every interface)");
                }
                kind = "socket";
                String host = path.substring(0, last);
                // QEMU writes an IPv6 host in brackets: tcp:[::1]:4444.
                options.put("host", host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
                options.put("port", path.substring(last + 1));
            }
            case "unix" -> {
                kind = "socket";
                if (path != null) {
                    options.put("path", path);
                }
            }
            default -> {
                if (path != null) {
                    options.put("path", path);
                }
            }
        }
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            int eq = part.indexOf('=');
            if (eq < 0 && !part.isEmpty()) {
                // QEMU's old spelling of yes/no options: server, nowait, nodelay.
                boolean negated = part.startsWith("no") && part.length() > 2;
                options.put(negated ? part.substring(2) : part, negated ? "off" : "on");
            } else if (eq <= 0) {
                throw new IllegalArgumentException("character device '" + id + "': '" + parts[i]
                        + "' in '" + spec + "' is not KEY=VALUE");
            } else {
                options.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        return new Spec(kind, options);
    }

    /**
     * @throws IllegalArgumentException for a malformed spec or an unknown kind (the installed kinds listed)
     * @throws IllegalStateException when the backend cannot open its host resource
     */
    static CharDevice open(Collection<CharDeviceBackend> backends, String id, String spec) {
        Spec parsed = parse(id, spec);
        CharDeviceBackend backend = backends.stream().filter(b -> b.kind().equals(parsed.kind())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("character device '" + id + "': unknown kind '" + parsed.kind()
                        + "'; installed: " + backends.stream().map(CharDeviceBackend::kind).sorted().collect(Collectors.joining(", "))
                        + " (and tcp:HOST:PORT, unix:PATH for socket)"));
        try {
            return backend.open(id, parsed.options());
        } catch (IOException e) {
            throw new IllegalStateException("character device '" + id + "' (" + spec + "): " + e.getMessage(), e);
        }
    }
}
