package io.tessera.core.chardev;

import java.io.IOException;
import java.util.Map;

/**
 * One kind of {@link CharDevice}, published as a service, like a QEMU {@code -chardev} backend
 * type. Machine configuration names the kind and passes its options.
 */
public interface CharDeviceBackend {

    /**
     * The name configurations select this backend by.
     *
     * @return the kind, for example {@code "stdio"}, {@code "file"}, {@code "socket"} or
     *         {@code "ringbuf"}
     */
    String kind();

    /**
     * Opens a new character device of this kind.
     *
     * @param id the identifier front ends will refer to the device by
     * @param options kind-specific options, for example {@code path} for a file or
     *        {@code host}/{@code port}/{@code server} for a socket
     * @return the open device; the caller closes it
     * @throws IOException if the host resource cannot be opened
     * @throws IllegalArgumentException if an option is missing, unknown or malformed; the message
     *         says which
     */
    CharDevice open(String id, Map<String, String> options) throws IOException;
}
