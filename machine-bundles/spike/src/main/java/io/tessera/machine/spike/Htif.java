package io.tessera.machine.spike;

import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.MmioHandler;
import java.io.OutputStream;
import java.io.IOException;
import java.util.function.IntConsumer;

/**
 * The host-target interface of spike, as QEMU models it: the guest writes a command to
 * {@code tohost} (device in bits 63:56, command in 55:48, payload below) and finds the answer
 * in {@code fromhost}. Device 0 command 0 ends the test with payload >> 1 as exit status when
 * bit 0 is set, or proxies a console write syscall; device 1 command 1 writes a character.
 * riscv-tests and the standard test environments report through it.
 */
final class Htif implements MmioHandler {

    /** tohost and fromhost, side by side. */
    static final long SIZE = 16;
    private static final long PK_SYS_WRITE = 64;

    private final AddressSpace memory;
    private final OutputStream console;
    private final IntConsumer exit;
    private long tohost;
    private long fromhost;

    Htif(AddressSpace memory, OutputStream console, IntConsumer exit) {
        this.memory = memory;
        this.console = console;
        this.exit = exit;
    }

    @Override
    public synchronized long read(long offset, int size) {
        long value = offset < 8 ? tohost : fromhost;
        int shift = (int) (offset & 7) * 8;
        return size == 8 ? value : (value >>> shift) & ((1L << (8 * size)) - 1);
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        int shift = (int) (offset & 7) * 8;
        long mask = size == 8 ? -1L : ((1L << (8 * size)) - 1) << shift;
        if (offset >= 8) {
            fromhost = (fromhost & ~mask) | ((value << shift) & mask);
            return;
        }
        tohost = (tohost & ~mask) | ((value << shift) & mask);
        // A 32-bit guest writes the low half first; the command is complete with the high half.
        if (size == 8 || (size == 4 && shift == 32)) {
            command(tohost);
        }
    }

    private void command(long command) {
        int device = (int) (command >>> 56);
        int cmd = (int) (command >>> 48) & 0xff;
        long payload = command & 0xffff_ffff_ffffL;
        long response = 0;
        if (device == 0 && cmd == 0) {
            if ((payload & 1) != 0) {
                flush();
                exit.accept((int) (payload >>> 1));
                return;
            }
            long[] syscall = new long[4];
            for (int i = 0; i < 4; i++) {
                syscall[i] = memory.read(payload + 8L * i, 8);
            }
            if (syscall[0] == PK_SYS_WRITE && syscall[1] == 1) {
                for (long i = 0; i < syscall[3]; i++) {
                    put((int) memory.read(syscall[2] + i, 1));
                }
                response = syscall[3];
            }
        } else if (device == 1 && cmd == 1) {
            put((int) payload & 0xff);
            response = 0x100 | (payload & 0xff);
        }
        fromhost = (command >>> 48 << 48) | (response & 0xffff_ffff_ffffL);
        tohost = 0;
    }

    private void put(int c) {
        try {
            console.write(c);
            if (c == '\n') {
                console.flush();
            }
        } catch (IOException e) {
            // The console went away (a closed pipe); the guest goes on, as with a serial line.
        }
    }

    void flush() {
        try {
            console.flush();
        } catch (IOException e) {
            // as above
        }
    }
}
