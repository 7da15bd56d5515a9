package io.tessera.device.virtio;

import java.security.SecureRandom;

/**
 * The virtio entropy device (virtio 1.x, section 5.4): one request queue whose device-writable
 * buffers are filled from a {@link SecureRandom}, at most {@value #MAX_REQUEST} bytes per
 * request (the used length says how many). No features, no configuration space.
 */
final class RngModel extends VirtioModel {

    static final int DEVICE_ID = 4;
    static final int QUEUE_SIZE = 64;
    static final int MAX_REQUEST = 64 * 1024;

    private final SecureRandom random;

    RngModel(SecureRandom random) {
        this.random = random;
    }

    @Override
    int deviceId() {
        return DEVICE_ID;
    }

    @Override
    long deviceFeatures() {
        return 0;
    }

    @Override
    int queueCount() {
        return 1;
    }

    @Override
    int queueMaxSize(int queue) {
        return QUEUE_SIZE;
    }

    @Override
    byte[] config() {
        return new byte[0];
    }

    @Override
    void queueNotify(Virtqueue queue) {
        serve(queue, chain -> {
            byte[] bytes = new byte[(int) Math.min(chain.writableLength(), MAX_REQUEST)];
            random.nextBytes(bytes);
            chain.write(0, bytes, 0, bytes.length);
            return bytes.length;
        });
    }
}
