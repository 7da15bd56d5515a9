package io.tessera.isa.riscv.user;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A directory opened by the guest, read with getdents64: its entries and how far it was read. */
final class OpenDirectory implements Closeable {

    static final int DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8, DT_LNK = 10;

    /** One entry as getdents64 reports it. */
    record Entry(String name, long inode, int type) {
    }

    final Path path;
    private final List<Entry> entries = new ArrayList<>();
    private int position;

    OpenDirectory(Path path) throws IOException {
        this.path = path;
        entries.add(entry(".", path));
        entries.add(entry("..", path.toAbsolutePath().getParent() == null ? path : path.toAbsolutePath().getParent()));
        try (Stream<Path> list = Files.list(path)) {
            for (Path p : list.toList()) {
                entries.add(entry(p.getFileName().toString(), p));
            }
        }
    }

    private static Entry entry(String name, Path p) {
        long inode;
        try {
            inode = ((Number) Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            inode = 1;
        }
        int type = Files.isSymbolicLink(p) ? DT_LNK
                : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? DT_DIR
                : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? DT_REG : DT_UNKNOWN;
        return new Entry(name, inode, type);
    }

    /**
     * Writes as many linux_dirent64 records as fit in {@code size} bytes at {@code buffer}.
     *
     * @return the bytes written; 0 at the end of the directory; -EINVAL when not even one fits
     */
    long read(ProcessMemory memory, long buffer, long size) {
        long used = 0;
        while (position < entries.size()) {
            Entry e = entries.get(position);
            byte[] name = e.name().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int length = (19 + name.length + 1 + 7) & ~7;
            if (used + length > size) {
                return used == 0 ? -LinuxSyscalls.EINVAL : used;
            }
            long at = buffer + used;
            memory.store(at, 8, e.inode());
            memory.store(at + 8, 8, position + 1);
            memory.store(at + 16, 2, length);
            memory.store(at + 18, 1, e.type());
            byte[] padded = new byte[length - 19];
            System.arraycopy(name, 0, padded, 0, name.length);
            memory.poke(at + 19, padded, 0, padded.length);
            used += length;
            position++;
        }
        return used;
    }

    @Override
    public void close() {
        // Nothing is held open on the host: the entries were read when the guest opened it.
    }
}
