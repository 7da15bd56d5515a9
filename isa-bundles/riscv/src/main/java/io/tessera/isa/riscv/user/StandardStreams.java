package io.tessera.isa.riscv.user;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * What a process's standard input, output and error are.
 *
 * @param in descriptor 0
 * @param out descriptor 1
 * @param err descriptor 2
 */
public record StandardStreams(ReadableByteChannel in, WritableByteChannel out, WritableByteChannel err) {

    /** @return this host process's own standard streams */
    public static StandardStreams host() {
        return new StandardStreams(Channels.newChannel(new FileInputStream(FileDescriptor.in)),
                Channels.newChannel(new FileOutputStream(FileDescriptor.out)),
                Channels.newChannel(new FileOutputStream(FileDescriptor.err)));
    }
}
