package io.tessera.isa.riscv.user;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The descriptors of a process (or of the threads sharing them with CLONE_FILES): each refers
 * to an {@link OpenFile} and carries its own close-on-exec flag.
 */
final class FileDescriptorTable {

    /** RLIMIT_NOFILE as the guest sees it. */
    static final int LIMIT = 1024;

    private record Descriptor(OpenFile file, boolean closeOnExec) {
    }

    private final Map<Integer, Descriptor> descriptors = new TreeMap<>();

    synchronized void installStandardStreams(StandardStreams streams) {
        descriptors.put(0, new Descriptor(OpenFile.hostStream(streams.in(), 0, 0), false));
        descriptors.put(1, new Descriptor(OpenFile.hostStream(streams.out(), 1, 1), false));
        descriptors.put(2, new Descriptor(OpenFile.hostStream(streams.err(), 1, 2), false));
    }

    synchronized OpenFile get(int fd) {
        Descriptor d = descriptors.get(fd);
        return d == null ? null : d.file();
    }

    /** Installs {@code file} (whose reference the table takes) at the lowest free descriptor from {@code minimum}. */
    synchronized int install(OpenFile file, boolean closeOnExec, int minimum) {
        int fd = Math.max(0, minimum);
        while (descriptors.containsKey(fd)) {
            fd++;
        }
        if (fd >= LIMIT) {
            return -24;
        }
        descriptors.put(fd, new Descriptor(file, closeOnExec));
        return fd;
    }

    /** Installs {@code file} (whose reference the table takes) at {@code fd}, closing what was there. */
    void installAt(int fd, OpenFile file, boolean closeOnExec) throws IOException {
        Descriptor old;
        synchronized (this) {
            old = descriptors.put(fd, new Descriptor(file, closeOnExec));
        }
        if (old != null) {
            old.file().release();
        }
    }

    /** @return whether there was such a descriptor */
    boolean close(int fd) throws IOException {
        Descriptor old;
        synchronized (this) {
            old = descriptors.remove(fd);
        }
        if (old == null) {
            return false;
        }
        old.file().release();
        return true;
    }

    synchronized boolean isCloseOnExec(int fd) {
        Descriptor d = descriptors.get(fd);
        return d != null && d.closeOnExec();
    }

    synchronized boolean setCloseOnExec(int fd, boolean closeOnExec) {
        Descriptor d = descriptors.get(fd);
        if (d == null) {
            return false;
        }
        descriptors.put(fd, new Descriptor(d.file(), closeOnExec));
        return true;
    }

    /** @return a copy for a forked child, referring to the same open files */
    synchronized FileDescriptorTable fork() {
        FileDescriptorTable copy = new FileDescriptorTable();
        for (Map.Entry<Integer, Descriptor> e : descriptors.entrySet()) {
            e.getValue().file().retain();
            copy.descriptors.put(e.getKey(), e.getValue());
        }
        return copy;
    }

    void closeOnExec() throws IOException {
        List<Integer> marked = new ArrayList<>();
        synchronized (this) {
            descriptors.forEach((fd, d) -> {
                if (d.closeOnExec()) {
                    marked.add(fd);
                }
            });
        }
        for (int fd : marked) {
            close(fd);
        }
    }

    void closeAll() {
        List<Integer> all;
        synchronized (this) {
            all = new ArrayList<>(descriptors.keySet());
        }
        for (int fd : all) {
            try {
                close(fd);
            } catch (IOException e) {
                // The process is gone; nobody is left to tell.
            }
        }
    }
}
