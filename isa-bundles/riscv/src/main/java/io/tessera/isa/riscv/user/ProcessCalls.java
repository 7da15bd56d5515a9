package io.tessera.isa.riscv.user;

import io.tessera.isa.riscv.RiscvHart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The system calls of one thread that make, replace, end and wait for processes and threads. */
final class ProcessCalls {

    static final long CLONE_VM = 0x100, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_VFORK = 0x4000,
            CLONE_THREAD = 0x10000, CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000,
            CLONE_CHILD_CLEARTID = 0x200000, CLONE_CHILD_SETTID = 0x1000000;
    private static final int WNOHANG = 1;
    private static final int ENOEXEC = 8, ECHILD = 10, ESRCH = 3;

    private final LinuxThread thread;

    ProcessCalls(LinuxThread thread) {
        this.thread = thread;
    }

    long clone(long flags, long stack, long parentTid, long tls, long childTid) {
        LinuxProcess process = thread.process;
        ProcessTable table = process.table;
        if ((flags & CLONE_THREAD) != 0) {
            if ((flags & CLONE_VM) == 0 || (flags & CLONE_SIGHAND) == 0) {
                return -LinuxSyscalls.EINVAL;
            }
            process.space.pages.sharedByThreads();
            LinuxThread child = new LinuxThread(process, table.newId(), new ProcessMemory(process.space.pages));
            setUp(child, flags, stack, parentTid, tls, childTid);
            synchronized (table) {
                process.threads.add(child);
                table.add(child);
            }
            child.start();
            return child.tid;
        }
        LinuxProcess child = new LinuxProcess(table, table.newId(), process);
        child.pgid = process.pgid;
        child.sid = process.sid;
        child.space = (flags & CLONE_VM) != 0 ? process.space : process.space.fork();
        if ((flags & CLONE_VM) != 0 && (flags & CLONE_VFORK) == 0) {
            child.space.pages.sharedByThreads();
        }
        child.files = (flags & CLONE_FILES) != 0 ? process.files : process.files.fork();
        child.actions = (flags & CLONE_SIGHAND) != 0 ? process.actions : process.actions.copy();
        child.cwd = process.cwd;
        child.program = process.program;
        child.umask = process.umask;
        child.exitSignal = (int) (flags & 0xff);
        LinuxThread main = new LinuxThread(child, child.pid, new ProcessMemory(child.space.pages));
        setUp(main, flags, stack, parentTid, tls, childTid);
        CountDownLatch vfork = (flags & CLONE_VFORK) != 0 ? new CountDownLatch(1) : null;
        child.vforkDone = vfork;
        synchronized (table) {
            process.children.add(child);
            child.threads.add(main);
            table.add(child);
            table.add(main);
        }
        main.start();
        if (vfork != null) {
            // The parent sleeps until the child has let go of the memory they share.
            try {
                while (!vfork.await(100, TimeUnit.MILLISECONDS)) {
                    if ((thread.pendingSignals() & SignalActions.bit(SignalActions.SIGKILL)) != 0) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return child.pid;
    }

    private void setUp(LinuxThread child, long flags, long stack, long parentTid, long tls, long childTid) {
        child.copyRegisters(thread.hart);
        if (stack != 0) {
            child.hart.x[2] = stack;
        }
        if ((flags & CLONE_SETTLS) != 0) {
            child.hart.x[4] = tls;
        }
        child.blocked = thread.blocked;
        if ((flags & CLONE_PARENT_SETTID) != 0) {
            thread.memory.store(parentTid, 4, child.tid);
        }
        if ((flags & CLONE_CHILD_SETTID) != 0) {
            child.memory.store(childTid, 4, child.tid);
        }
        if ((flags & CLONE_CHILD_CLEARTID) != 0) {
            child.clearChildTid = childTid;
        }
    }

    private List<String> strings(long array) {
        List<String> list = new ArrayList<>();
        if (array == 0) {
            return list;
        }
        for (long at = array;; at += 8) {
            long p = thread.memory.load(at, 8);
            if (p == 0) {
                return list;
            }
            list.add(thread.memory.peekString(p, 1 << 17));
        }
    }

    long execve(Path program, long argvAddress, long envpAddress) {
        List<String> argv = strings(argvAddress);
        List<String> envp = strings(envpAddress);
        if (!Files.exists(program)) {
            return -LinuxSyscalls.ENOENT;
        }
        if (Files.isDirectory(program) || !Files.isExecutable(program)) {
            return -LinuxSyscalls.EACCES;
        }
        LinuxProcess process = thread.process;
        AddressSpace space = new AddressSpace(new PageTable());
        ProgramLoader.Start start;
        try {
            start = ProgramLoader.load(space, ElfImage.read(program), argv, envp, process.table::resolve);
        } catch (IOException e) {
            return -ENOEXEC;
        }
        // No way back from here: the old image is gone, and so are the other threads.
        List<LinuxThread> others;
        synchronized (process.table) {
            others = new ArrayList<>(process.threads);
        }
        for (LinuxThread other : others) {
            if (other != thread) {
                other.endsAlone = true;
                other.post(new SignalFrame.Info(SignalActions.SIGKILL, SignalFrame.SI_USER, process.pid, 0));
            }
        }
        process.space = space;
        process.program = program.toAbsolutePath();
        thread.memory = new ProcessMemory(space.pages);
        thread.runner = process.table.execution.runner(thread.memory);
        RiscvHart hart = thread.hart;
        java.util.Arrays.fill(hart.x, 0);
        java.util.Arrays.fill(hart.f, 0);
        hart.fflags.set(0);
        hart.frm = 0;
        hart.reservation = -1;
        hart.pc = start.pc();
        hart.x[2] = start.sp();
        try {
            process.files.closeOnExec();
        } catch (IOException e) {
            // As close(2) on exec: errors are not reported.
        }
        SignalActions actions = process.actions.copy();
        actions.resetHandlers();
        process.actions = actions;
        process.releaseVforkParent();
        throw LinuxThread.REDIRECT;
    }

    long wait4(int pid, long statusAddress, int options, long rusage) {
        LinuxProcess process = thread.process;
        ProcessTable table = process.table;
        synchronized (table) {
            while (true) {
                boolean any = false;
                for (LinuxProcess child : process.children) {
                    if (pid > 0 ? child.pid != pid : pid == 0 ? child.pgid != process.pgid : pid < -1 && child.pgid != -pid) {
                        continue;
                    }
                    any = true;
                    if (child.zombie) {
                        process.children.remove(child);
                        table.remove(child);
                        if (statusAddress != 0) {
                            thread.memory.store(statusAddress, 4, child.waitStatus);
                        }
                        if (rusage != 0) {
                            thread.memory.poke(rusage, new byte[144], 0, 144);
                        }
                        return child.pid;
                    }
                }
                if (!any) {
                    return -ECHILD;
                }
                if ((options & WNOHANG) != 0) {
                    return 0;
                }
                if (thread.signalPending()) {
                    return -LinuxSyscalls.ERESTARTSYS;
                }
                thread.block(table, 0);
            }
        }
    }

    long kill(int pid, int signal) {
        if (signal < 0 || signal > SignalActions.NSIG) {
            return -LinuxSyscalls.EINVAL;
        }
        LinuxProcess self = thread.process;
        List<LinuxProcess> targets = new ArrayList<>();
        for (LinuxProcess p : self.table.processes()) {
            boolean alive;
            synchronized (self.table) {
                alive = !p.zombie;
            }
            if (alive && (pid > 0 ? p.pid == pid : pid == 0 ? p.pgid == self.pgid : pid == -1 ? p != self : p.pgid == -pid)) {
                targets.add(p);
            }
        }
        if (targets.isEmpty()) {
            return -ESRCH;
        }
        if (signal != 0) {
            for (LinuxProcess p : targets) {
                p.kill(new SignalFrame.Info(signal, SignalFrame.SI_USER, self.pid, 0));
            }
        }
        return 0;
    }

    long tgkill(int tgid, int tid, int signal) {
        if (signal < 0 || signal > SignalActions.NSIG) {
            return -LinuxSyscalls.EINVAL;
        }
        LinuxThread target = thread.process.table.thread(tid);
        if (target == null || tgid > 0 && target.process.pid != tgid) {
            return -ESRCH;
        }
        if (signal != 0) {
            target.post(new SignalFrame.Info(signal, SignalFrame.SI_TKILL, thread.process.pid, 0));
        }
        return 0;
    }

    long setpgid(int pid, int pgid) {
        LinuxProcess target = pid == 0 ? thread.process : thread.process.table.process(pid);
        if (target == null) {
            return -ESRCH;
        }
        target.pgid = pgid == 0 ? target.pid : pgid;
        return 0;
    }

    long getpgid(int pid, boolean session) {
        LinuxProcess target = pid == 0 ? thread.process : thread.process.table.process(pid);
        if (target == null) {
            return -ESRCH;
        }
        return session ? target.sid : target.pgid;
    }

    long setsid() {
        LinuxProcess p = thread.process;
        p.sid = p.pid;
        p.pgid = p.pid;
        return p.pid;
    }

    long getppid() {
        synchronized (thread.process.table) {
            LinuxProcess parent = thread.process.parent;
            return parent == null ? 1 : parent.pid;
        }
    }
}
