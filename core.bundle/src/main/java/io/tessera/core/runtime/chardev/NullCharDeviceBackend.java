package io.tessera.core.runtime.chardev;

import io.tessera.core.chardev.ByteReceiver;
import io.tessera.core.chardev.CharDevice;
import io.tessera.core.chardev.CharDeviceBackend;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/** {@code null}: output is discarded and no input ever arrives, as QEMU's {@code -serial null}. */
@Component(service = CharDeviceBackend.class)
public final class NullCharDeviceBackend implements CharDeviceBackend {

    @Override
    public String kind() {
        return "null";
    }

    @Override
    public CharDevice open(String id, Map<String, String> options) {
        Options.refuseAll("null", options);
        return new CharDevice() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public void write(byte[] data, int offset, int length) {
                java.util.Objects.checkFromIndexSize(offset, length, data.length);
            }

            @Override
            public void setReceiver(ByteReceiver receiver) {
            }

            @Override
            public void close() {
            }
        };
    }
}
