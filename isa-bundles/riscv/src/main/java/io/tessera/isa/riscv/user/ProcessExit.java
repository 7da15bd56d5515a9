package io.tessera.isa.riscv.user;

/** Thrown by {@code exit}/{@code exit_group} and fatal signals to end the emulated process. */
final class ProcessExit extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;

    ProcessExit(int status) {
        super(null, null, false, false);
        this.status = status;
    }
}
