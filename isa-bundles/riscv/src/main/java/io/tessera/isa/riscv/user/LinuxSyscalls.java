package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.Environment;
import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.RiscvHart;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The Linux system calls of a riscv64 process (numbers of the asm-generic table), served by
 * this host. A call not implemented returns ENOSYS and is reported once.
 */
final class LinuxSyscalls implements Environment {

    static final int ENOENT = 2, EBADF = 9, ENOMEM = 12, EFAULT = 14, EEXIST = 17, EINVAL = 22, ENOTTY = 25,
            ESPIPE = 29, ENOSYS = 38, EACCES = 13, EISDIR = 21, ENOTDIR = 20;
    private static final int AT_FDCWD = -100;

    private final LinuxProcess process;
    private final Map<Integer, Object> files = new HashMap<>();
    private final Map<Integer, Path> paths = new HashMap<>();
    private final Set<Long> reported = new HashSet<>();
    private final long startNanos = System.nanoTime();
    private long mmapHint = LinuxProcess.MMAP_BASE;

    LinuxSyscalls(LinuxProcess process, StandardStreams streams) {
        this.process = process;
        files.put(0, streams.in());
        files.put(1, streams.out());
        files.put(2, streams.err());
    }

    @Override
    public void ecall(RiscvHart hart) {
        long[] x = hart.x;
        long number = x[17];
        long result;
        try {
            result = call(number, x[10], x[11], x[12], x[13], x[14], x[15]);
        } catch (GuestFault fault) {
            result = -EFAULT;
        } catch (NoSuchFileException e) {
            result = -ENOENT;
        } catch (java.nio.file.AccessDeniedException e) {
            result = -EACCES;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            result = -EEXIST;
        } catch (IOException e) {
            result = -EINVAL;
        }
        x[10] = result;
    }

    private long call(long n, long a0, long a1, long a2, long a3, long a4, long a5) throws IOException {
        ProcessMemory memory = process.memory;
        return switch ((int) n) {
            case 63 -> read((int) a0, a1, a2);
            case 64 -> write((int) a0, a1, a2);
            case 66 -> {
                long total = 0;
                for (int i = 0; i < a2; i++) {
                    long base = memory.load(a1 + 16L * i, 8);
                    long len = memory.load(a1 + 16L * i + 8, 8);
                    long done = write((int) a0, base, len);
                    if (done < 0) {
                        yield total > 0 ? total : done;
                    }
                    total += done;
                }
                yield total;
            }
            case 56 -> openat((int) a0, a1, (int) a2);
            case 57 -> {
                paths.remove((int) a0);
                Object file = files.remove((int) a0);
                // A descriptor duplicated with dup shares the channel: it closes with its last descriptor.
                yield !(file instanceof java.io.Closeable c) ? -EBADF : files.containsValue(file) ? 0 : close(c);
            }
            case 23 -> dup((int) a0, lowestFreeDescriptor());
            case 71 -> sendfile((int) a0, (int) a1, a2, a3);
            case 24 -> a0 == a1 ? -EINVAL : dup((int) a0, (int) a1);
            case 62 -> files.get((int) a0) instanceof FileChannel ch ? seek(ch, a1, (int) a2) : -ESPIPE;
            case 80 -> fstat((int) a0, a1);
            case 79 -> {
                String path = memory.peekString(a1, 4096);
                if (path.isEmpty() && (a3 & 0x1000) != 0) {
                    yield fstat((int) a0, a2);
                }
                boolean follow = (a3 & 0x100) == 0;
                yield stat(hostPath((int) a0, path), a2, follow);
            }
            case 61 -> files.get((int) a0) instanceof OpenDirectory dir ? dir.read(memory, a1, a2) : -ENOTDIR;
            case 48 -> Files.exists(hostPath((int) a0, memory.peekString(a1, 4096))) ? 0 : -ENOENT;
            case 78 -> readlink(memory.peekString(a1, 4096), a2, a3);
            case 29 -> -ENOTTY;
            case 25 -> 0;
            case 93, 94 -> throw new ProcessExit((int) a0 & 0xff);
            case 96, 178, 172 -> 1000;
            case 173 -> 1;
            case 174, 175, 176, 177 -> 0;
            case 99, 134, 135, 98 -> 0;
            case 160 -> uname(a0);
            case 113 -> clockGettime((int) a0, a1);
            case 169 -> {
                long now = System.currentTimeMillis();
                if (a0 != 0) {
                    memory.store(a0, 8, now / 1000);
                    memory.store(a0 + 8, 8, (now % 1000) * 1000);
                }
                yield 0;
            }
            case 214 -> brk(a0);
            case 222 -> mmap(a0, a1, (int) a2, (int) a3, (int) a4, a5);
            case 215 -> {
                memory.unmap(a0, a1);
                yield 0;
            }
            case 226 -> memory.protect(a0, a1, (int) a2 & 7) ? 0 : -ENOMEM;
            case 233 -> 0;
            // Answered as a kernel without them answers; the C libraries fall back.
            case 258, 293 -> -ENOSYS;
            // riscv_flush_icache: the interpreter sees every store to code already.
            case 259 -> 0;
            case 179 -> sysinfo(a0);
            case 167 -> a0 == 15 || a0 == 16 ? 0 : -EINVAL;
            case 261 -> {
                if (a3 != 0) {
                    memory.store(a3, 8, -1);
                    memory.store(a3 + 8, 8, -1);
                }
                yield 0;
            }
            case 278 -> {
                byte[] random = new byte[(int) Math.min(a1, 256)];
                new SecureRandom().nextBytes(random);
                memory.poke(a0, random, 0, random.length);
                yield random.length;
            }
            case 17 -> {
                byte[] cwd = (System.getProperty("user.dir") + "\0").getBytes(StandardCharsets.UTF_8);
                if (cwd.length > a1) {
                    yield -34;
                }
                memory.poke(a0, cwd, 0, cwd.length);
                yield a0;
            }
            default -> {
                if (reported.add(n)) {
                    process.diagnostics.println("tessera user: unsupported system call " + n + " (ENOSYS)");
                }
                yield -ENOSYS;
            }
        };
    }

    private long readlink(String path, long buffer, long size) throws IOException {
        Path target = path.equals("/proc/self/exe") ? process.program.toAbsolutePath()
                : Files.readSymbolicLink(hostPath(AT_FDCWD, path));
        byte[] bytes = target.toString().getBytes(StandardCharsets.UTF_8);
        int n = (int) Math.min(bytes.length, size);
        process.memory.poke(buffer, bytes, 0, n);
        return n;
    }

    /** sendfile: copies between descriptors through a buffer here, as the kernel does between files. */
    private long sendfile(int out, int in, long offsetAddress, long count) throws IOException {
        if (!(files.get(in) instanceof FileChannel source) || !(files.get(out) instanceof WritableByteChannel sink)) {
            return -EINVAL;
        }
        long offset = offsetAddress != 0 ? process.memory.load(offsetAddress, 8) : source.position();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(count, 1 << 20));
        int n = source.read(buffer, offset);
        if (n <= 0) {
            return 0;
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
            sink.write(buffer);
        }
        if (offsetAddress != 0) {
            process.memory.store(offsetAddress, 8, offset + n);
        } else {
            source.position(offset + n);
        }
        return n;
    }

    private int lowestFreeDescriptor() {
        int fd = 0;
        while (files.containsKey(fd)) {
            fd++;
        }
        return fd;
    }

    private long dup(int from, int to) throws IOException {
        Object file = files.get(from);
        if (file == null || to < 0) {
            return -EBADF;
        }
        Object replaced = files.put(to, file);
        if (replaced instanceof java.io.Closeable c && replaced != file && !files.containsValue(replaced)) {
            c.close();
        }
        Path path = paths.get(from);
        if (path != null) {
            paths.put(to, path);
        } else {
            paths.remove(to);
        }
        return to;
    }

    private static long close(java.io.Closeable c) throws IOException {
        c.close();
        return 0;
    }

    private static long seek(FileChannel ch, long offset, int whence) throws IOException {
        long target = switch (whence) {
            case 0 -> offset;
            case 1 -> ch.position() + offset;
            case 2 -> ch.size() + offset;
            default -> -1;
        };
        if (target < 0) {
            return -EINVAL;
        }
        ch.position(target);
        return target;
    }

    private Path hostPath(int dirfd, String path) {
        if (path.startsWith("/")) {
            return process.resolve(path);
        }
        Path base = dirfd == AT_FDCWD ? null : paths.get(dirfd);
        return base == null ? Path.of(path) : base.resolve(path);
    }

    private long read(int fd, long buffer, long count) throws IOException {
        if (!(files.get(fd) instanceof ReadableByteChannel channel)) {
            return -EBADF;
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(count, 1 << 20));
        int n = channel.read(bytes);
        if (n <= 0) {
            return 0;
        }
        process.memory.poke(buffer, bytes.array(), 0, n);
        return n;
    }

    private long write(int fd, long buffer, long count) throws IOException {
        if (!(files.get(fd) instanceof WritableByteChannel channel)) {
            return -EBADF;
        }
        byte[] data = process.memory.peek(buffer, (int) Math.min(count, 1 << 20));
        ByteBuffer bytes = ByteBuffer.wrap(data);
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        return data.length;
    }

    private long openat(int dirfd, long pathAddress, int flags) throws IOException {
        Path path = hostPath(dirfd, process.memory.peekString(pathAddress, 4096));
        if (Files.isDirectory(path)) {
            if ((flags & 3) != 0) {
                return -EISDIR;
            }
            int fd = lowestFreeDescriptor();
            files.put(fd, new OpenDirectory(path));
            paths.put(fd, path);
            return fd;
        }
        if ((flags & 0200000) != 0) {
            return Files.exists(path) ? -ENOTDIR : -ENOENT;
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
        int fd = lowestFreeDescriptor();
        files.put(fd, channel);
        paths.put(fd, path);
        return fd;
    }

    private long fstat(int fd, long statAddress) throws IOException {
        Object file = files.get(fd);
        if (file == null) {
            return -EBADF;
        }
        // The host's own standard streams are whatever they are (terminal, pipe, file).
        return stat(fd <= 2 ? Path.of("/proc/self/fd/" + fd) : paths.get(fd), statAddress);
    }

    private long stat(Path path, long statAddress) throws IOException {
        return stat(path, statAddress, true);
    }

    private long stat(Path path, long statAddress, boolean followLinks) throws IOException {
        Map<String, Object> a = followLinks ? Files.readAttributes(path, "unix:*")
                : Files.readAttributes(path, "unix:*", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        ProcessMemory m = process.memory;
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

    /** sysinfo: the host's uptime and memory, as the kernel would tell the guest. */
    private long sysinfo(long address) throws IOException {
        long total = 0;
        long free = 0;
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            String[] f = line.split("\\s+");
            if (f[0].equals("MemTotal:")) {
                total = Long.parseLong(f[1]) * 1024;
            } else if (f[0].equals("MemAvailable:")) {
                free = Long.parseLong(f[1]) * 1024;
            }
        }
        long uptime = (long) Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        ProcessMemory m = process.memory;
        m.poke(address, new byte[112], 0, 112);
        m.store(address, 8, uptime);
        m.store(address + 32, 8, total);
        m.store(address + 40, 8, free);
        m.store(address + 80, 2, 1);
        m.store(address + 104, 4, 1);
        return 0;
    }

    private long uname(long address) {
        String[] fields = {"Linux", "tessera", "6.12.0", "#1 SMP Tessera", "riscv64", "(none)"};
        for (int i = 0; i < fields.length; i++) {
            byte[] field = new byte[65];
            byte[] text = fields[i].getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, field, 0, text.length);
            process.memory.poke(address + 65L * i, field, 0, 65);
        }
        return 0;
    }

    private long clockGettime(int clock, long address) {
        long nanos = switch (clock) {
            case 0, 5 -> {
                java.time.Instant now = java.time.Instant.now();
                yield now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }
            default -> System.nanoTime() - startNanos;
        };
        process.memory.store(address, 8, nanos / 1_000_000_000L);
        process.memory.store(address + 8, 8, nanos % 1_000_000_000L);
        return 0;
    }

    private long brk(long requested) {
        long current = process.brk;
        if (requested < process.brkStart) {
            return current;
        }
        long oldEnd = (current + ProcessMemory.PAGE_MASK) & ~ProcessMemory.PAGE_MASK;
        long newEnd = (requested + ProcessMemory.PAGE_MASK) & ~ProcessMemory.PAGE_MASK;
        if (newEnd > oldEnd) {
            if (!process.memory.isFree(oldEnd, newEnd - oldEnd)) {
                return current;
            }
            process.memory.map(oldEnd, newEnd - oldEnd, ProcessMemory.READ | ProcessMemory.WRITE);
        } else if (newEnd < oldEnd) {
            process.memory.unmap(newEnd, oldEnd - newEnd);
        }
        process.brk = requested;
        return requested;
    }

    private long mmap(long address, long length, int prot, int flags, int fd, long offset) throws IOException {
        if (length <= 0 || (offset & ProcessMemory.PAGE_MASK) != 0) {
            return -EINVAL;
        }
        long size = (length + ProcessMemory.PAGE_MASK) & ~ProcessMemory.PAGE_MASK;
        boolean fixed = (flags & 0x10) != 0;
        boolean anonymous = (flags & 0x20) != 0;
        long start;
        if (fixed) {
            if ((address & ProcessMemory.PAGE_MASK) != 0) {
                return -EINVAL;
            }
            start = address;
        } else {
            start = address != 0 && process.memory.isFree(address & ~ProcessMemory.PAGE_MASK, size)
                    ? address & ~ProcessMemory.PAGE_MASK : mmapHint;
            while (!process.memory.isFree(start, size)) {
                start += ProcessMemory.PAGE_SIZE;
            }
            if (start == mmapHint) {
                mmapHint = start + size;
            }
        }
        process.memory.map(start, size, ProcessMemory.READ | ProcessMemory.WRITE);
        if (!anonymous) {
            if (!(files.get(fd) instanceof FileChannel channel)) {
                process.memory.unmap(start, size);
                return -EBADF;
            }
            ByteBuffer data = ByteBuffer.allocate((int) Math.min(length, Math.max(0, channel.size() - offset)));
            channel.read(data, offset);
            process.memory.poke(start, data.array(), 0, data.position());
        }
        process.memory.protect(start, size, prot & 7);
        return start;
    }

    @Override
    public long readCsr(RiscvHart hart, int csr) {
        return switch (csr) {
            case 0x001 -> hart.fflags.get();
            case 0x002 -> hart.frm;
            case 0x003 -> (hart.frm << 5) | hart.fflags.get();
            case 0xc00, 0xc02 -> hart.instret;
            case 0xc01 -> (System.nanoTime() - startNanos) / 100;
            default -> throw new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, 0);
        };
    }

    @Override
    public void writeCsr(RiscvHart hart, int csr, long value) {
        switch (csr) {
            case 0x001 -> hart.fflags.set((int) value & 0x1f);
            case 0x002 -> hart.frm = (int) value & 7;
            case 0x003 -> {
                hart.fflags.set((int) value & 0x1f);
                hart.frm = (int) (value >>> 5) & 7;
            }
            default -> throw new GuestFault(GuestFault.ILLEGAL_INSTRUCTION, 0);
        }
    }
}
