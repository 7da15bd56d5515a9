package io.tessera.core.runtime.chardev;

import io.tessera.core.chardev.CharDevice;
import io.tessera.core.chardev.CharDeviceBackend;
import io.tessera.core.machine.OptionValues;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/** {@code ringbuf[,size=N]}: keeps the latest output in memory (default 64 KiB), as QEMU's ringbuf. */
@Component(service = CharDeviceBackend.class)
public final class RingBufferCharDeviceBackend implements CharDeviceBackend {

    @Override
    public String kind() {
        return "ringbuf";
    }

    @Override
    public CharDevice open(String id, Map<String, String> options) {
        Options.allowOnly("ringbuf", options, Set.of("size"));
        long size = OptionValues.size("size", options.getOrDefault("size", "64K"));
        if (size < 1 || size > (1 << 30)) {
            throw new IllegalArgumentException("ringbuf size=" + size + " is not valid; use 1 byte to 1G");
        }
        return new RingBufferCharDevice(id, (int) size);
    }
}
