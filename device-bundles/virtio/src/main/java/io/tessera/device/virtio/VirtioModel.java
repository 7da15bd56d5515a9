package io.tessera.device.virtio;

import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The device half of a virtio device (block, entropy, console) behind a {@link VirtioMmio}
 * transport: its id, features, configuration space and queue handling. Every method is called
 * with the transport's lock held, except {@link #afterUnlock()}.
 */
abstract class VirtioModel {

    private VirtioMmio transport;

    final void attach(VirtioMmio transport) {
        if (this.transport != null) {
            throw new IllegalStateException("model already attached to a transport");
        }
        this.transport = transport;
    }

    /** @return the transport this model sits behind */
    final VirtioMmio transport() {
        return transport;
    }

    /** @return the virtio device id (2 block, 3 console, 4 entropy) */
    abstract int deviceId();

    /** @return the device-specific feature bits offered; the transport adds its own */
    abstract long deviceFeatures();

    /** @return how many virtqueues the device has */
    abstract int queueCount();

    /** @return the largest size the driver may give queue {@code queue} */
    abstract int queueMaxSize(int queue);

    /** @return the configuration space now, little-endian, as the driver reads it at 0x100 */
    abstract byte[] config();

    /** The driver wrote the configuration space; by default a guest error (read-only fields). */
    void writeConfig(int offset, int size, long value) {
        transport().log().guestError(String.format("write of 0x%x to read-only configuration at 0x%x", value, offset));
    }

    /** The driver notified {@code queue}, or DRIVER_OK was set while it was ready. */
    abstract void queueNotify(Virtqueue queue);

    /** The driver set DRIVER_OK; the transport then notifies every ready queue. */
    void driverOk() {
    }

    /** The device was reset: drop device-specific state. The queues are already reset. */
    void reset() {
    }

    /** Adds the model's saved fields as name/value pairs (declared by the device's schema). */
    void saveState(List<Object> namesAndValues) {
    }

    /** Checks the model's fields of an accepted state before anything is restored. */
    void checkState(DeviceState state) throws InvalidStateException {
    }

    /** Takes over the model's fields of a checked state. */
    void restoreState(DeviceState state) {
    }

    /** Frees what the model holds on the host (a drive): once, when its device is unplugged or fails to realize. */
    void release() {
    }

    /** Runs after the transport's lock is released, for work that must not hold it (output to a host stream). */
    void afterUnlock() {
    }

    /**
     * Serves every available chain of {@code queue} with {@code handler}, which returns how many
     * bytes it wrote into the chain, then interrupts the driver if it asked for it.
     */
    final void serve(Virtqueue queue, ToLongFunction<DescriptorChain> handler) {
        boolean pushed = false;
        do {
            DescriptorChain chain;
            while ((chain = queue.pop()) != null) {
                queue.push(chain, handler.applyAsLong(chain));
                pushed = true;
            }
        } while (queue.rearm());
        if (pushed) {
            transport().notifyUsed(queue);
        }
    }
}
