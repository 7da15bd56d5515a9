package io.tessera.isa.riscv.user;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The emulated processes and threads of one run of the user mode, in this JVM: their ids (as
 * the guest sees them, from 1000 on) and what they share with all. Changes of a process's life
 * (a child ending, being reaped) are made and awaited under this table's lock.
 */
final class ProcessTable {

    static final int FIRST_PID = 1000;

    final Path sysroot;
    final PrintStream diagnostics;
    /** When the run began: CLOCK_MONOTONIC counts from here. */
    final long startNanos = System.nanoTime();
    /** The unsupported system calls reported so far (once each per run). */
    final java.util.Set<Long> reported = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextId = new AtomicInteger(FIRST_PID);
    private final Map<Integer, LinuxThread> threads = new ConcurrentHashMap<>();
    private final Map<Integer, LinuxProcess> processes = new ConcurrentHashMap<>();

    /** How threads run guest code. */
    final Execution execution;

    ProcessTable(Path sysroot, PrintStream diagnostics, Execution execution) {
        this.sysroot = sysroot;
        this.diagnostics = diagnostics;
        this.execution = execution;
    }

    int newId() {
        return nextId.getAndIncrement();
    }

    void add(LinuxProcess process) {
        processes.put(process.pid, process);
    }

    void add(LinuxThread thread) {
        threads.put(thread.tid, thread);
    }

    void remove(LinuxThread thread) {
        threads.remove(thread.tid);
    }

    void remove(LinuxProcess process) {
        processes.remove(process.pid);
    }

    LinuxThread thread(int tid) {
        return threads.get(tid);
    }

    LinuxProcess process(int pid) {
        return processes.get(pid);
    }

    List<LinuxProcess> processes() {
        return new ArrayList<>(processes.values());
    }

    /** @return the host path of a guest path, under the sysroot when one is given */
    Path resolve(String guestPath) {
        if (sysroot != null && guestPath.startsWith("/")) {
            Path inRoot = sysroot.resolve(guestPath.substring(1));
            if (java.nio.file.Files.exists(inRoot)) {
                return inRoot;
            }
        }
        return Path.of(guestPath);
    }
}
