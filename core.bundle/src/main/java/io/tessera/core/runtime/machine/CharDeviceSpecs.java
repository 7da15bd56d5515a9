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
 * ({@code stdio}, {@code file:/tmp/log}, {@code ringbuf,size=4096}), and opens them with the
 * installed backend of that kind. The machine manager registers what they open as services,
 * in code, so the bundle declares those services for the resolver here.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=io.tessera.core.chardev.CharDevice",
        uses = CharDevice.class)
final class CharDeviceSpecs {

    private CharDeviceSpecs() {
    }

    /**
     * @throws IllegalArgumentException for a malformed spec or an unknown kind (the installed kinds listed)
     * @throws IllegalStateException when the backend cannot open its host resource
     */
    static CharDevice open(Collection<CharDeviceBackend> backends, String id, String spec) {
        String[] parts = spec.split(",", -1);
        String head = parts[0].trim();
        Map<String, String> options = new LinkedHashMap<>();
        int colon = head.indexOf(':');
        String kind = colon < 0 ? head : head.substring(0, colon);
        if (colon >= 0) {
            options.put("path", head.substring(colon + 1));
        }
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("character device '" + id + "': '" + parts[i]
                        + "' in '" + spec + "' is not KEY=VALUE");
            }
            options.put(parts[i].substring(0, eq).trim(), parts[i].substring(eq + 1).trim());
        }
        CharDeviceBackend backend = backends.stream().filter(b -> b.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("character device '" + id + "': unknown kind '" + kind
                        + "'; installed: " + backends.stream().map(CharDeviceBackend::kind).sorted().collect(Collectors.joining(", "))));
        try {
            return backend.open(id, options);
        } catch (IOException e) {
            throw new IllegalStateException("character device '" + id + "' (" + spec + "): " + e.getMessage(), e);
        }
    }
}
