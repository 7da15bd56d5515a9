package io.tessera.isa.riscv.user;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A riscv64 Linux process run on this host, as qemu-riscv64 runs one: a process image (the
 * ELF program and its dynamic loader from the sysroot), its descriptors, signal dispositions,
 * working directory and threads ({@link LinuxThread}). Processes it forks are emulated in this
 * JVM too, each thread on a Java thread of its own, and share a {@link ProcessTable}.
 */
public final class LinuxProcess {

    final ProcessTable table;
    final int pid;
    volatile AddressSpace space;
    volatile FileDescriptorTable files;
    volatile SignalActions actions;
    volatile Path cwd;
    /** What /proc/self/exe names. */
    volatile Path program;
    volatile int umask = 022;
    volatile int pgid;
    volatile int sid;

    // Guarded by the table's lock.
    LinuxProcess parent;
    final List<LinuxProcess> children = new ArrayList<>();
    final List<LinuxThread> threads = new ArrayList<>();
    /** The signal the parent gets when this process ends (SIGCHLD, or what clone asked for). */
    int exitSignal = SignalActions.SIGCHLD;
    /** How it ended, in wait4's encoding, once decided; -1 before. */
    int waitStatus = -1;
    boolean zombie;

    /** Released when a vfork child execs or ends, which lets its parent go on. */
    volatile CountDownLatch vforkDone;

    LinuxProcess(ProcessTable table, int pid, LinuxProcess parent) {
        this.table = table;
        this.pid = pid;
        this.parent = parent;
    }

    /**
     * Loads {@code program} with its arguments and environment, ready to run.
     *
     * @param sysroot where absolute paths of the guest (its dynamic loader, its libraries) are looked up, or null
     * @throws IOException when the program cannot be read or is not a riscv64 executable
     */
    public static LinuxProcess load(Path program, List<String> args, Map<String, String> env, Path sysroot,
            PrintStream diagnostics) throws IOException {
        return load(program, args, env, sysroot, diagnostics, Execution.fromProperties());
    }

    /** {@link #load(Path, List, Map, Path, PrintStream)}, run as {@code execution} says. */
    static LinuxProcess load(Path program, List<String> args, Map<String, String> env, Path sysroot,
            PrintStream diagnostics, Execution execution) throws IOException {
        ProcessTable table = new ProcessTable(sysroot, diagnostics, execution);
        LinuxProcess process = new LinuxProcess(table, table.newId(), null);
        process.pgid = process.pid;
        process.sid = process.pid;
        process.files = new FileDescriptorTable();
        process.actions = new SignalActions();
        process.cwd = Path.of(System.getProperty("user.dir"));
        process.program = program.toAbsolutePath();
        process.space = new AddressSpace(new PageTable());
        List<String> environment = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
        ProgramLoader.Start start = ProgramLoader.load(process.space, ElfImage.read(program), args, environment, table::resolve);
        LinuxThread main = new LinuxThread(process, process.pid, new ProcessMemory(process.space.pages));
        main.hart.pc = start.pc();
        main.hart.x[2] = start.sp();
        table.add(process);
        process.threads.add(main);
        table.add(main);
        return process;
    }

    /** Sets the working directory the process starts in (the JVM's by default). */
    void workingDirectory(Path directory) {
        cwd = directory.toAbsolutePath().normalize();
    }

    /**
     * Runs the process to its end (and the processes it starts as long as it runs).
     *
     * @param streams what the process's descriptors 0, 1 and 2 are
     * @return its exit status, or 128 + the signal number when a signal killed it (as a shell reports it)
     */
    public int run(StandardStreams streams) {
        files.installStandardStreams(streams);
        LinuxThread main;
        synchronized (table) {
            main = threads.get(0);
        }
        main.start();
        int status;
        synchronized (table) {
            while (!zombie) {
                try {
                    table.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            status = waitStatus;
        }
        // Whatever it left running (in the background) ends with it.
        for (LinuxProcess p : table.processes()) {
            p.kill(SignalActions.SIGKILL);
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
    }

    /** Ends every thread: exit_group, or a signal's default action. */
    void exitGroup(int status) {
        List<LinuxThread> all;
        synchronized (table) {
            if (waitStatus < 0) {
                waitStatus = status;
            }
            all = new ArrayList<>(threads);
        }
        for (LinuxThread t : all) {
            t.post(new SignalFrame.Info(SignalActions.SIGKILL, SignalFrame.SI_USER, pid, 0));
        }
    }

    /** Sends a signal to the process: to its first thread that does not block it. */
    void kill(int signal) {
        kill(new SignalFrame.Info(signal, SignalFrame.SI_USER, 0, 0));
    }

    void kill(SignalFrame.Info info) {
        LinuxThread target = null;
        synchronized (table) {
            for (LinuxThread t : threads) {
                if (target == null || (t.blocked & SignalActions.bit(info.signal())) == 0 && (target.blocked & SignalActions.bit(info.signal())) != 0) {
                    target = t;
                }
            }
        }
        if (target != null) {
            target.post(info);
        }
    }

    /** A thread of this process ended; the last one ends the process. */
    void threadEnded(LinuxThread thread, int exitCode) {
        LinuxProcess notify;
        synchronized (table) {
            threads.remove(thread);
            table.remove(thread);
            if (!threads.isEmpty()) {
                return;
            }
            if (waitStatus < 0) {
                waitStatus = (exitCode & 0xff) << 8;
            }
        }
        table.execution.statistics().report("process " + pid, space.pages.translationsIfAny(), table.diagnostics);
        files.closeAll();
        releaseVforkParent();
        synchronized (table) {
            for (LinuxProcess child : children) {
                child.parent = null;
                if (child.zombie) {
                    table.remove(child);
                }
            }
            children.clear();
            notify = parent;
            boolean reapNow = notify != null && notify.actions.get(SignalActions.SIGCHLD).handler() == SignalActions.SIG_IGN
                    || notify != null && (notify.actions.get(SignalActions.SIGCHLD).flags() & SignalActions.SA_NOCLDWAIT) != 0;
            zombie = true;
            if (notify == null || reapNow) {
                // Nobody will wait for it.
                if (notify != null) {
                    notify.children.remove(this);
                }
                table.remove(this);
            }
            table.notifyAll();
        }
        if (notify != null && exitSignal != 0) {
            boolean killed = (waitStatus & 0x7f) != 0;
            notify.kill(new SignalFrame.Info(exitSignal, killed ? SignalFrame.CLD_KILLED : SignalFrame.CLD_EXITED, pid,
                    killed ? waitStatus & 0x7f : (waitStatus >> 8) & 0xff));
        }
    }

    void releaseVforkParent() {
        CountDownLatch latch = vforkDone;
        if (latch != null) {
            vforkDone = null;
            latch.countDown();
        }
    }
}
