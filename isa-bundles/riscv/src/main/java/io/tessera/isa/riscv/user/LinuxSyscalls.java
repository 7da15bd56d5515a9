package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.Environment;
import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.RiscvHart;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The Linux system calls of a riscv64 thread (numbers of the asm-generic table), served by
 * this host: dispatched here, served here or by {@link FileCalls}, {@link ProcessCalls} and
 * {@link SignalCalls}. A call not implemented returns ENOSYS and is reported once per run.
 */
final class LinuxSyscalls implements Environment {

    static final int EPERM = 1, ENOENT = 2, EINTR = 4, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14,
            EEXIST = 17, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOTTY = 25, ESPIPE = 29, EPIPE = 32, ERANGE = 34,
            ENOSYS = 38;
    /** Internal: interrupted by a signal, to be restarted unless a handler without SA_RESTART runs. */
    static final int ERESTARTSYS = 512;

    private static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4,
            FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_CLOCK_REALTIME = 256;

    private final LinuxThread thread;
    private final FileCalls files;
    private final ProcessCalls processes;
    private final SignalCalls signals;

    LinuxSyscalls(LinuxThread thread) {
        this.thread = thread;
        this.files = new FileCalls(thread);
        this.processes = new ProcessCalls(thread);
        this.signals = new SignalCalls(thread);
    }

    @Override
    public void ecall(RiscvHart hart) {
        long[] x = hart.x;
        long ecallPc = hart.pc;
        long firstArgument = x[10];
        long result;
        try {
            result = call(x[17], x[10], x[11], x[12], x[13], x[14], x[15]);
        } catch (Errno e) {
            result = -e.errno;
        } catch (GuestFault fault) {
            result = -EFAULT;
        } catch (NoSuchFileException e) {
            result = -ENOENT;
        } catch (java.nio.file.AccessDeniedException e) {
            result = -EACCES;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            result = -EEXIST;
        } catch (java.nio.file.NotDirectoryException e) {
            result = -ENOTDIR;
        } catch (java.nio.channels.NonReadableChannelException | java.nio.channels.NonWritableChannelException e) {
            result = -EBADF;
        } catch (IOException e) {
            result = -EINVAL;
        }
        boolean restartable = result == -ERESTARTSYS;
        x[10] = restartable ? -EINTR : result;
        if (thread.signalPending() || thread.maskAfterHandler >= 0) {
            hart.pc = ecallPc + 4;
            thread.afterInterruptedCall(restartable, ecallPc, firstArgument);
            throw LinuxThread.REDIRECT;
        }
    }

    private long call(long n, long a0, long a1, long a2, long a3, long a4, long a5) throws IOException {
        ProcessMemory memory = thread.memory;
        LinuxProcess process = thread.process;
        return switch ((int) n) {
            case 63 -> files.read((int) a0, a1, a2);
            case 64 -> files.write((int) a0, a1, a2);
            case 65 -> files.readv((int) a0, a1, a2);
            case 66 -> files.writev((int) a0, a1, a2);
            case 67 -> files.pread((int) a0, a1, a2, a3);
            case 56 -> files.openat((int) a0, a1, (int) a2);
            case 57 -> files.close((int) a0);
            case 23 -> files.dup((int) a0, 0, false);
            case 24 -> files.dup3((int) a0, (int) a1, (int) a2);
            case 25 -> files.fcntl((int) a0, (int) a1, a2);
            case 59 -> files.pipe2(a0, (int) a1);
            case 71 -> files.sendfile((int) a0, (int) a1, a2, a3);
            case 62 -> files.lseek((int) a0, a1, (int) a2);
            case 80 -> files.fstat((int) a0, a1);
            case 79 -> {
                String path = memory.peekString(a1, 4096);
                if (path.isEmpty() && (a3 & 0x1000) != 0) {
                    yield files.fstat((int) a0, a2);
                }
                boolean follow = (a3 & 0x100) == 0;
                yield files.stat(files.hostPath((int) a0, path), a2, follow);
            }
            case 61 -> files.getdents((int) a0, a1, a2);
            case 48, 439 -> Files.exists(files.hostPath((int) a0, memory.peekString(a1, 4096))) ? 0 : -ENOENT;
            case 78 -> files.readlink(memory.peekString(a1, 4096), a2, a3);
            case 17 -> files.getcwd(a0, a1);
            case 49 -> files.chdir(files.hostPath(FileCalls.AT_FDCWD, memory.peekString(a0, 4096)));
            case 50 -> {
                Path dir = files.file((int) a0).path;
                yield dir == null ? -ENOTDIR : files.chdir(dir);
            }
            case 73 -> files.ppoll(a0, (int) a1, a2 == 0 ? Long.MAX_VALUE : System.nanoTime() + timespec(a2), signals, a3);
            case 29 -> {
                files.file((int) a0);
                yield -ENOTTY;
            }
            case 166 -> {
                int old = process.umask;
                process.umask = (int) a0 & 0777;
                yield old;
            }
            case 93 -> throw new ProcessExit((int) a0 & 0xff);
            case 94 -> {
                process.exitGroup(((int) a0 & 0xff) << 8);
                throw new ProcessExit((int) a0 & 0xff);
            }
            case 220 -> processes.clone(a0, a1, a2, a3, a4);
            case 221 -> processes.execve(files.hostPath(FileCalls.AT_FDCWD, memory.peekString(a0, 4096)), a1, a2);
            case 260 -> processes.wait4((int) a0, a1, (int) a2, a3);
            case 129 -> processes.kill((int) a0, (int) a1);
            case 130 -> processes.tgkill(0, (int) a0, (int) a1);
            case 131 -> processes.tgkill((int) a0, (int) a1, (int) a2);
            case 154 -> processes.setpgid((int) a0, (int) a1);
            case 155 -> processes.getpgid((int) a0, false);
            case 156 -> processes.getpgid((int) a0, true);
            case 157 -> processes.setsid();
            case 172 -> process.pid;
            case 173 -> processes.getppid();
            case 178 -> thread.tid;
            case 96 -> {
                thread.clearChildTid = a0;
                yield thread.tid;
            }
            case 174, 175, 176, 177 -> 0;
            case 99 -> 0;
            case 98 -> futex(a0, (int) a1, (int) a2, a3, a4, (int) a5);
            case 132 -> signals.sigaltstack(a1);
            case 133 -> signals.sigsuspend(a0);
            case 134 -> signals.sigaction((int) a0, a1, a2);
            case 135 -> signals.sigprocmask((int) a0, a1, a2);
            case 136 -> signals.sigpending(a0);
            case 139 -> signals.sigreturn();
            case 101 -> signals.sleepUntil(System.nanoTime() + timespec(a0));
            case 115 -> {
                long request = timespec(a2);
                yield signals.sleepUntil((a1 & 1) != 0 ? System.nanoTime() + request - clockNanos((int) a0) : System.nanoTime() + request);
            }
            case 124 -> {
                Thread.yield();
                yield 0;
            }
            case 160 -> uname(a0);
            case 113 -> {
                long nanos = clockNanos((int) a0);
                memory.store(a1, 8, nanos / 1_000_000_000L);
                memory.store(a1 + 8, 8, nanos % 1_000_000_000L);
                yield 0;
            }
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
            case 258, 293, 435 -> -ENOSYS;
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
                HostRandom.fill(random);
                memory.poke(a0, random, 0, random.length);
                yield random.length;
            }
            default -> {
                if (process.table.reported.add(n)) {
                    process.table.diagnostics.println("tessera user: unsupported system call " + n + " (ENOSYS)");
                }
                yield -ENOSYS;
            }
        };
    }

    private long timespec(long address) {
        return thread.memory.load(address, 8) * 1_000_000_000L + thread.memory.load(address + 8, 8);
    }

    private long clockNanos(int clock) {
        return switch (clock) {
            case 0, 5 -> {
                java.time.Instant now = java.time.Instant.now();
                yield now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }
            default -> System.nanoTime() - thread.process.table.startNanos;
        };
    }

    private long futex(long address, int op, int value, long timeout, long address2, int value3) {
        Futexes futexes = thread.process.space.futexes;
        int command = op & ~(128 | FUTEX_CLOCK_REALTIME);
        return switch (command) {
            case FUTEX_WAIT, FUTEX_WAIT_BITSET -> {
                int bitset = command == FUTEX_WAIT ? -1 : value3;
                if (bitset == 0) {
                    yield -EINVAL;
                }
                long deadline = Long.MAX_VALUE;
                if (timeout != 0) {
                    long t = timespec(timeout);
                    // FUTEX_WAIT's timeout is relative; FUTEX_WAIT_BITSET's is absolute on its clock.
                    deadline = System.nanoTime() + (command == FUTEX_WAIT ? t
                            : t - clockNanos((op & FUTEX_CLOCK_REALTIME) != 0 ? 0 : 1));
                }
                yield futexes.await(thread, address, value, bitset, deadline, timeout != 0 ? -EINTR : -ERESTARTSYS);
            }
            case FUTEX_WAKE -> futexes.wake(address, value, -1);
            case FUTEX_WAKE_BITSET -> value3 == 0 ? -EINVAL : futexes.wake(address, value, value3);
            case FUTEX_REQUEUE -> futexes.requeue(address, value, -1, address2, (int) timeout);
            case FUTEX_CMP_REQUEUE -> {
                synchronized (futexes) {
                    if ((int) thread.memory.load(address, 4) != value3) {
                        yield -EAGAIN;
                    }
                    yield futexes.requeue(address, value, -1, address2, (int) timeout);
                }
            }
            default -> {
                if (thread.process.table.reported.add(98L << 32 | command)) {
                    thread.process.table.diagnostics.println("tessera user: unsupported futex operation " + command + " (ENOSYS)");
                }
                yield -ENOSYS;
            }
        };
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
        ProcessMemory m = thread.memory;
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
            thread.memory.poke(address + 65L * i, field, 0, 65);
        }
        return 0;
    }

    private long brk(long requested) {
        AddressSpace space = thread.process.space;
        synchronized (space) {
            return brk(space, requested);
        }
    }

    private long brk(AddressSpace space, long requested) {
        long current = space.brk;
        if (requested < space.brkStart) {
            return current;
        }
        long oldEnd = (current + ProcessMemory.PAGE_MASK) & ~ProcessMemory.PAGE_MASK;
        long newEnd = (requested + ProcessMemory.PAGE_MASK) & ~ProcessMemory.PAGE_MASK;
        if (newEnd > oldEnd) {
            if (!thread.memory.isFree(oldEnd, newEnd - oldEnd)) {
                return current;
            }
            thread.memory.map(oldEnd, newEnd - oldEnd, ProcessMemory.READ | ProcessMemory.WRITE);
        } else if (newEnd < oldEnd) {
            thread.memory.unmap(newEnd, oldEnd - newEnd);
        }
        space.brk = requested;
        return requested;
    }

    private long mmap(long address, long length, int prot, int flags, int fd, long offset) throws IOException {
        AddressSpace space = thread.process.space;
        synchronized (space) {
            return mmap(space, address, length, prot, flags, fd, offset);
        }
    }

    private long mmap(AddressSpace space, long address, long length, int prot, int flags, int fd, long offset) throws IOException {
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
            start = address != 0 && thread.memory.isFree(address & ~ProcessMemory.PAGE_MASK, size)
                    ? address & ~ProcessMemory.PAGE_MASK : space.mmapHint;
            while (!thread.memory.isFree(start, size)) {
                start += ProcessMemory.PAGE_SIZE;
            }
            if (start == space.mmapHint) {
                space.mmapHint = start + size;
            }
        }
        thread.memory.map(start, size, ProcessMemory.READ | ProcessMemory.WRITE);
        if (!anonymous) {
            OpenFile file = thread.process.files.get(fd);
            if (file == null || !(file.channel instanceof FileChannel channel)) {
                thread.memory.unmap(start, size);
                return -EBADF;
            }
            ByteBuffer data = ByteBuffer.allocate((int) Math.min(length, Math.max(0, channel.size() - offset)));
            channel.read(data, offset);
            thread.memory.poke(start, data.array(), 0, data.position());
        }
        thread.memory.protect(start, size, prot & 7);
        return start;
    }

    @Override
    public long readCsr(RiscvHart hart, int csr) {
        return switch (csr) {
            case 0x001 -> hart.fflags.get();
            case 0x002 -> hart.frm;
            case 0x003 -> (hart.frm << 5) | hart.fflags.get();
            case 0xc00, 0xc02 -> hart.instret;
            case 0xc01 -> (System.nanoTime() - thread.process.table.startNanos) / 100;
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
