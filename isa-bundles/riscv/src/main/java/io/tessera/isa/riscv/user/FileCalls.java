package io.tessera.isa.riscv.user;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Map;

/** The system calls on descriptors and paths of one thread: open, read, write, pipes, dup, fcntl, stat. */
final class FileCalls {

    static final int AT_FDCWD = -100;
    static final int O_CLOEXEC = 02000000;
    private static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
    private static final int MAX_TRANSFER = 1 << 20;

    private final LinuxThread thread;

    FileCalls(LinuxThread thread) {
        this.thread = thread;
    }

    private ProcessMemory memory() {
        return thread.memory;
    }

    private FileDescriptorTable files() {
        return thread.process.files;
    }

    OpenFile file(int fd) {
        OpenFile file = files().get(fd);
        if (file == null) {
            throw new Errno(LinuxSyscalls.EBADF);
        }
        return file;
    }

    /** @return the host path of a guest path, relative to {@code dirfd} or the working directory */
    Path hostPath(int dirfd, String path) {
        if (path.equals("/proc/self/exe")) {
            return thread.process.program;
        }
        if (path.startsWith("/")) {
            return thread.process.table.resolve(path);
        }
        Path base = dirfd == AT_FDCWD ? thread.process.cwd : file(dirfd).path;
        if (base == null) {
            throw new Errno(LinuxSyscalls.ENOTDIR);
        }
        return base.resolve(path);
    }

    /** Reads up to {@code max} bytes from {@code file}, as read(2) does; empty at end of file. */
    byte[] readBytes(OpenFile file, int max) throws IOException {
        boolean nonBlocking = (file.statusFlags & OpenFile.O_NONBLOCK) != 0;
        if (file.channel instanceof Pipe.ReadEnd end) {
            byte[] data = end.pipe().read(thread, max, nonBlocking);
            if (data == null) {
                throw new Errno(nonBlocking ? LinuxSyscalls.EAGAIN : LinuxSyscalls.ERESTARTSYS);
            }
            return data;
        }
        if (file.channel instanceof OpenDirectory) {
            throw new Errno(LinuxSyscalls.EISDIR);
        }
        if (!(file.channel instanceof ReadableByteChannel channel) || (file.statusFlags & OpenFile.O_ACCMODE) == 1) {
            throw new Errno(LinuxSyscalls.EBADF);
        }
        ByteBuffer bytes = ByteBuffer.allocate(max);
        int n = channel.read(bytes);
        if (n <= 0) {
            return new byte[0];
        }
        byte[] out = new byte[n];
        System.arraycopy(bytes.array(), 0, out, 0, n);
        return out;
    }

    /** Writes all of {@code data} to {@code file}, as write(2) does to a blocking descriptor. */
    long writeBytes(OpenFile file, byte[] data) throws IOException {
        if (file.channel instanceof Pipe.WriteEnd end) {
            int n = end.pipe().write(thread, data, (file.statusFlags & OpenFile.O_NONBLOCK) != 0);
            if (n == Pipe.BROKEN) {
                thread.post(new SignalFrame.Info(SignalActions.SIGPIPE, SignalFrame.SI_USER, thread.process.pid, 0));
                throw new Errno(LinuxSyscalls.EPIPE);
            }
            if (n == Pipe.INTERRUPTED) {
                throw new Errno(LinuxSyscalls.ERESTARTSYS);
            }
            if (n == Pipe.WOULD_BLOCK) {
                throw new Errno(LinuxSyscalls.EAGAIN);
            }
            return n;
        }
        if (!(file.channel instanceof WritableByteChannel channel) || (file.statusFlags & OpenFile.O_ACCMODE) == 0) {
            throw new Errno(LinuxSyscalls.EBADF);
        }
        ByteBuffer bytes = ByteBuffer.wrap(data);
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        return data.length;
    }

    long read(int fd, long buffer, long count) throws IOException {
        byte[] data = readBytes(file(fd), (int) Math.min(count, MAX_TRANSFER));
        memory().poke(buffer, data, 0, data.length);
        return data.length;
    }

    long write(int fd, long buffer, long count) throws IOException {
        OpenFile file = file(fd);
        return writeBytes(file, memory().peek(buffer, (int) Math.min(count, MAX_TRANSFER)));
    }

    long readv(int fd, long iov, long count) throws IOException {
        long total = 0;
        for (int i = 0; i < count; i++) {
            long base = memory().load(iov + 16L * i, 8);
            long len = memory().load(iov + 16L * i + 8, 8);
            if (len == 0) {
                continue;
            }
            long done = read(fd, base, len);
            total += done;
            if (done < len) {
                break;
            }
        }
        return total;
    }

    long writev(int fd, long iov, long count) throws IOException {
        long total = 0;
        for (int i = 0; i < count; i++) {
            long base = memory().load(iov + 16L * i, 8);
            long len = memory().load(iov + 16L * i + 8, 8);
            try {
                total += write(fd, base, len);
            } catch (Errno e) {
                if (total > 0) {
                    return total;
                }
                throw e;
            }
        }
        return total;
    }

    long pread(int fd, long buffer, long count, long offset) throws IOException {
        if (!(file(fd).channel instanceof FileChannel channel)) {
            return -LinuxSyscalls.ESPIPE;
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(count, MAX_TRANSFER));
        int n = Math.max(0, channel.read(bytes, offset));
        memory().poke(buffer, bytes.array(), 0, n);
        return n;
    }

    /** sendfile: copies between descriptors through a buffer here, as the kernel does between files. */
    long sendfile(int out, int in, long offsetAddress, long count) throws IOException {
        OpenFile source = file(in);
        OpenFile sink = file(out);
        int max = (int) Math.min(count, MAX_TRANSFER);
        byte[] data;
        if (offsetAddress != 0) {
            if (!(source.channel instanceof FileChannel channel)) {
                return -LinuxSyscalls.ESPIPE;
            }
            long offset = memory().load(offsetAddress, 8);
            ByteBuffer buffer = ByteBuffer.allocate(max);
            int n = Math.max(0, channel.read(buffer, offset));
            data = java.util.Arrays.copyOf(buffer.array(), n);
            memory().store(offsetAddress, 8, offset + n);
        } else {
            data = readBytes(source, max);
        }
        return data.length == 0 ? 0 : writeBytes(sink, data);
    }

    /**
     * ppoll: which descriptors are ready. Pipes are watched; files, directories and the host's
     * streams are always ready (a read of them does not wait on another emulated process).
     */
    long ppoll(long fds, int count, long deadline, SignalCalls signals, long mask) {
        long old = thread.blocked;
        if (mask != 0) {
            thread.blocked = memory().load(mask, 8) & ~SignalActions.UNBLOCKABLE;
        }
        try {
            while (true) {
                int ready = 0;
                for (int i = 0; i < count; i++) {
                    long at = fds + 8L * i;
                    int fd = (int) memory().load(at, 4);
                    int events = (int) memory().load(at + 4, 2) | Pipe.POLLERR | Pipe.POLLHUP | Pipe.POLLNVAL;
                    int revents = fd < 0 ? 0 : readiness(files().get(fd)) & events;
                    memory().store(at + 6, 2, revents);
                    if (revents != 0) {
                        ready++;
                    }
                }
                if (ready > 0 || deadline <= System.nanoTime()) {
                    thread.blocked = old;
                    return ready;
                }
                if (thread.signalPending()) {
                    // As sigsuspend: the handler runs with the poll's mask, then this one is back.
                    thread.maskAfterHandler = old;
                    return -LinuxSyscalls.EINTR;
                }
                // Pipes do not tell pollers; looking again every few milliseconds is enough for shells.
                signals.sleepUntil(Math.min(deadline, System.nanoTime() + 5_000_000));
            }
        } catch (RuntimeException e) {
            thread.blocked = old;
            throw e;
        }
    }

    private static int readiness(OpenFile file) {
        if (file == null) {
            return Pipe.POLLNVAL;
        }
        if (file.channel instanceof Pipe.ReadEnd end) {
            return end.pipe().readiness(true);
        }
        if (file.channel instanceof Pipe.WriteEnd end) {
            return end.pipe().readiness(false);
        }
        return Pipe.POLLIN | Pipe.POLLOUT;
    }

    long close(int fd) throws IOException {
        return files().close(fd) ? 0 : -LinuxSyscalls.EBADF;
    }

    long dup3(int from, int to, int flags) throws IOException {
        if (from == to || (flags & ~O_CLOEXEC) != 0) {
            return -LinuxSyscalls.EINVAL;
        }
        if (to < 0 || to >= FileDescriptorTable.LIMIT) {
            return -LinuxSyscalls.EBADF;
        }
        files().installAt(to, file(from).retain(), (flags & O_CLOEXEC) != 0);
        return to;
    }

    long dup(int fd, int minimum, boolean closeOnExec) {
        OpenFile file = file(fd).retain();
        int at = files().install(file, closeOnExec, minimum);
        if (at < 0) {
            try {
                file.release();
            } catch (IOException ignored) {
                // It is still open under fd.
            }
        }
        return at;
    }

    long pipe2(long fds, int flags) {
        Pipe pipe = new Pipe();
        int status = flags & OpenFile.O_NONBLOCK;
        boolean closeOnExec = (flags & O_CLOEXEC) != 0;
        int r = files().install(new OpenFile(pipe.readEnd, null, status), closeOnExec, 0);
        int w = files().install(new OpenFile(pipe.writeEnd, null, status | 1), closeOnExec, 0);
        memory().store(fds, 4, r);
        memory().store(fds + 4, 4, w);
        return 0;
    }

    long fcntl(int fd, int command, long argument) {
        OpenFile file = file(fd);
        return switch (command) {
            case F_DUPFD -> dup(fd, (int) argument, false);
            case F_DUPFD_CLOEXEC -> dup(fd, (int) argument, true);
            case F_GETFD -> files().isCloseOnExec(fd) ? 1 : 0;
            case F_SETFD -> files().setCloseOnExec(fd, (argument & 1) != 0) ? 0 : -LinuxSyscalls.EBADF;
            case F_GETFL -> file.statusFlags;
            case F_SETFL -> {
                file.statusFlags = (file.statusFlags & OpenFile.O_ACCMODE) | ((int) argument & (OpenFile.O_APPEND | OpenFile.O_NONBLOCK));
                yield 0;
            }
            // Locks and the rest: granted, as for a process alone with its files.
            default -> 0;
        };
    }

    long lseek(int fd, long offset, int whence) throws IOException {
        if (!(file(fd).channel instanceof FileChannel ch)) {
            return -LinuxSyscalls.ESPIPE;
        }
        long target = switch (whence) {
            case 0 -> offset;
            case 1 -> ch.position() + offset;
            case 2 -> ch.size() + offset;
            default -> -1;
        };
        if (target < 0) {
            return -LinuxSyscalls.EINVAL;
        }
        ch.position(target);
        return target;
    }

    long getdents(int fd, long buffer, long size) {
        return file(fd).channel instanceof OpenDirectory dir ? dir.read(memory(), buffer, size) : -LinuxSyscalls.ENOTDIR;
    }

    long openat(int dirfd, long pathAddress, int flags) throws IOException {
        Path path = hostPath(dirfd, memory().peekString(pathAddress, 4096));
        boolean closeOnExec = (flags & O_CLOEXEC) != 0;
        if (Files.isDirectory(path)) {
            if ((flags & 3) != 0) {
                return -LinuxSyscalls.EISDIR;
            }
            return files().install(new OpenFile(new OpenDirectory(path), path, 0), closeOnExec, 0);
        }
        if ((flags & 0200000) != 0) {
            return Files.exists(path) ? -LinuxSyscalls.ENOTDIR : -LinuxSyscalls.ENOENT;
        }
        EnumSet<StandardOpenOption> options = EnumSet.noneOf(StandardOpenOption.class);
        switch (flags & 3) {
            case 0 -> options.add(StandardOpenOption.READ);
            case 1 -> options.add(StandardOpenOption.WRITE);
            default -> {
                options.add(StandardOpenOption.READ);
                options.add(StandardOpenOption.WRITE);
            }
        }
        if ((flags & 0100) != 0) {
            options.add((flags & 0200) != 0 ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
        }
        if ((flags & 01000) != 0) {
            options.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        if ((flags & 02000) != 0) {
            options.add(StandardOpenOption.APPEND);
        }
        FileChannel channel = FileChannel.open(path, options);
        int status = flags & (3 | OpenFile.O_APPEND | OpenFile.O_NONBLOCK);
        return files().install(new OpenFile(channel, path, status), closeOnExec, 0);
    }

    long readlink(String path, long buffer, long size) throws IOException {
        Path target = path.equals("/proc/self/exe") ? thread.process.program.toAbsolutePath()
                : Files.readSymbolicLink(hostPath(AT_FDCWD, path));
        byte[] bytes = target.toString().getBytes(StandardCharsets.UTF_8);
        int n = (int) Math.min(bytes.length, size);
        memory().poke(buffer, bytes, 0, n);
        return n;
    }

    long chdir(Path path) {
        if (!Files.isDirectory(path)) {
            return Files.exists(path) ? -LinuxSyscalls.ENOTDIR : -LinuxSyscalls.ENOENT;
        }
        thread.process.cwd = path.toAbsolutePath().normalize();
        return 0;
    }

    long getcwd(long buffer, long size) {
        byte[] cwd = (thread.process.cwd.toString() + "\0").getBytes(StandardCharsets.UTF_8);
        if (cwd.length > size) {
            return -34;
        }
        memory().poke(buffer, cwd, 0, cwd.length);
        return buffer;
    }

    long fstat(int fd, long statAddress) throws IOException {
        OpenFile file = file(fd);
        if (file.channel instanceof Pipe.ReadEnd || file.channel instanceof Pipe.WriteEnd) {
            ProcessMemory m = memory();
            m.poke(statAddress, new byte[128], 0, 128);
            m.store(statAddress + 16, 4, 0010600);
            m.store(statAddress + 20, 4, 1);
            m.store(statAddress + 56, 4, 4096);
            return 0;
        }
        return file.path == null ? -LinuxSyscalls.EBADF : stat(file.path, statAddress, true);
    }

    long stat(Path path, long statAddress, boolean followLinks) throws IOException {
        Map<String, Object> a = followLinks ? Files.readAttributes(path, "unix:*")
                : Files.readAttributes(path, "unix:*", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        ProcessMemory m = memory();
        byte[] zero = new byte[128];
        m.poke(statAddress, zero, 0, 128);
        m.store(statAddress, 8, ((Number) a.get("dev")).longValue());
        m.store(statAddress + 8, 8, ((Number) a.get("ino")).longValue());
        m.store(statAddress + 16, 4, ((Number) a.get("mode")).longValue());
        m.store(statAddress + 20, 4, ((Number) a.get("nlink")).longValue());
        m.store(statAddress + 24, 4, ((Number) a.get("uid")).longValue());
        m.store(statAddress + 28, 4, ((Number) a.get("gid")).longValue());
        m.store(statAddress + 32, 8, ((Number) a.get("rdev")).longValue());
        m.store(statAddress + 48, 8, ((Number) a.get("size")).longValue());
        m.store(statAddress + 56, 4, 4096);
        // Java does not report st_blocks; whole 4 KiB file-system blocks, in 512-byte units, is
        // what the host reports for files that are not sparse.
        m.store(statAddress + 64, 8, (((Number) a.get("size")).longValue() + 4095) / 4096 * 8);
        long mtime = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis();
        for (int field = 72; field <= 104; field += 16) {
            m.store(statAddress + field, 8, mtime / 1000);
            m.store(statAddress + field + 8, 8, (mtime % 1000) * 1_000_000);
        }
        return 0;
    }
}
