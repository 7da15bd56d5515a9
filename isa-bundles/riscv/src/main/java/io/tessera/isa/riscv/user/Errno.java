package io.tessera.isa.riscv.user;

/** Thrown inside a system call to return {@code -errno} from it. Cheap: no stack trace. */
final class Errno extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int errno;

    Errno(int errno) {
        super(null, null, false, false);
        this.errno = errno;
    }
}
