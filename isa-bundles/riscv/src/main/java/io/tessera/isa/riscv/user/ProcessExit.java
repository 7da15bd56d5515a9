package io.tessera.isa.riscv.user;

/**
 * Thrown to end the calling emulated thread: by exit, exit_group and fatal signals. The
 * process ends with its last thread, with the status exit_group or the signal decided, else
 * with this one's.
 */
final class ProcessExit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;

    ProcessExit(int status) {
        super(null, null, false, false);
        this.status = status;
    }
}
