package io.tessera.isa.riscv.user;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;

/**
 * Random bytes for guests (the auxiliary vector's AT_RANDOM, getrandom): the host kernel's own,
 * read from /dev/urandom, which is what Linux's getrandom returns. SecureRandom gives the same
 * where there is no such device, but setting it up (its providers and their seeding) takes 30 to
 * 90 ms of a JVM's start, a large part of a short program's whole run, and glibc asks at every
 * start.
 */
final class HostRandom {

    private HostRandom() {
    }

    static void fill(byte[] bytes) {
        try (InputStream in = new FileInputStream("/dev/urandom")) {
            if (in.readNBytes(bytes, 0, bytes.length) == bytes.length) {
                return;
            }
        } catch (IOException e) {
            // No such device on this host: SecureRandom below.
        }
        new SecureRandom().nextBytes(bytes);
    }
}
