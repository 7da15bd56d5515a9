package io.tessera.device.virtio;

/**
 * A guest broke the virtio protocol (a bad descriptor, a ring outside RAM, an impossible
 * index). The transport catches it, logs it and marks the device {@code DEVICE_NEEDS_RESET};
 * it never leaves the device. Carries no stack trace: it is a guest event.
 */
final class VirtioException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    VirtioException(String message) {
        super(message, null, false, false);
    }
}
