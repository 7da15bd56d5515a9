package io.tessera.core.accel;

import io.tessera.core.isa.InterpretedCpu;
import io.tessera.core.machine.Machine;
import java.util.ArrayList;
import java.util.List;

/**
 * One thread per vCPU, each running its CPU in slices (the interpreter's, or a translator's:
 * what a slice is belongs to the accelerator). Pausing kicks every vCPU out of its slice and
 * waits until all of them stand still, so that device and CPU state can be saved; a vCPU
 * that fails stops the machine rather than dying silently.
 *
 * @param <C> the kind of CPU the slices run
 */
public final class VcpuThreads<C extends InterpretedCpu> implements VcpuSet {

    /** What a vCPU thread does with its CPU, again and again while the machine runs. */
    @FunctionalInterface
    public interface Slice<C> {
        /** Runs {@code cpu} for about {@code budget} instructions; returns early when kicked. */
        void run(C cpu, long budget);
    }

    /** Instructions per slice: long enough to cost nothing, short enough to pause promptly. */
    private static final long SLICE = 1 << 16;

    /** How long stop waits for a vCPU thread before it says so (and kicks again). */
    private static final long STOP_WARNING_MILLIS = 2000;

    private final Machine machine;
    private final List<C> cpus;
    private final Slice<? super C> slice;
    private final List<Thread> threads = new ArrayList<>();
    private boolean paused;
    private boolean stopped;
    private int standingStill;

    /**
     * @param machine the machine whose vCPUs these are (shut down when one fails)
     * @param cpus its CPUs, one thread each
     * @param slice what a thread does with its CPU
     */
    public VcpuThreads(Machine machine, List<C> cpus, Slice<? super C> slice) {
        this.machine = machine;
        this.cpus = List.copyOf(cpus);
        this.slice = slice;
    }

    /** Threads that interpret: {@link InterpretedCpu#interpret(long)} in slices. */
    public static <C extends InterpretedCpu> VcpuThreads<C> interpreting(Machine machine, List<C> cpus) {
        return new VcpuThreads<>(machine, cpus, InterpretedCpu::interpret);
    }

    /** Starts one thread per CPU. */
    public void start() {
        for (C cpu : cpus) {
            Thread thread = new Thread(() -> run(cpu), "vcpu-" + machine.name() + "-" + cpu.index());
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    private void run(C cpu) {
        try {
            while (awaitRunnable()) {
                slice.run(cpu, SLICE);
            }
        } catch (RuntimeException | Error e) {
            System.err.println("tessera: vCPU " + cpu.index() + " of machine '" + machine.name() + "' failed: " + e);
            e.printStackTrace();
            synchronized (this) {
                stopped = true;
                notifyAll();
            }
            machine.shutdown();
        }
    }

    /** Blocks while paused; @return false once stopped. */
    private synchronized boolean awaitRunnable() {
        if (paused && !stopped) {
            standingStill++;
            notifyAll();
            while (paused && !stopped) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            standingStill--;
        }
        return !stopped;
    }

    @Override
    public void pause() {
        synchronized (this) {
            if (paused || stopped) {
                return;
            }
            paused = true;
        }
        cpus.forEach(InterpretedCpu::kick);
        synchronized (this) {
            while (standingStill < liveThreads() && !stopped && !threads.contains(Thread.currentThread())) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                cpus.forEach(InterpretedCpu::kick);
            }
        }
    }

    private int liveThreads() {
        return (int) threads.stream().filter(Thread::isAlive).count();
    }

    @Override
    public synchronized void resume() {
        paused = false;
        notifyAll();
    }

    @Override
    public void stop() {
        synchronized (this) {
            stopped = true;
            notifyAll();
        }
        cpus.forEach(InterpretedCpu::kick);
        boolean interrupted = false;
        for (Thread thread : threads) {
            if (thread != Thread.currentThread()) {
                interrupted |= awaitEnd(thread);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for a vCPU thread to end, however long it takes: guest memory is unmapped after
     * stop, and translated code reads it at host addresses, so a thread still running then
     * would crash the process rather than fail an access.
     *
     * @return whether the waiting thread was interrupted meanwhile
     */
    private boolean awaitEnd(Thread thread) {
        boolean interrupted = false;
        long waitedMillis = 0;
        while (thread.isAlive()) {
            try {
                thread.join(STOP_WARNING_MILLIS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (thread.isAlive()) {
                waitedMillis += STOP_WARNING_MILLIS;
                System.err.println("tessera: " + thread.getName() + " has not stopped after " + waitedMillis / 1000
                        + " s; still waiting (at " + topFrame(thread) + ")");
                cpus.forEach(InterpretedCpu::kick);
            }
        }
        return interrupted;
    }

    private static String topFrame(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        return stack.length == 0 ? "an unknown place" : stack[0].toString();
    }

    @Override
    public void kick() {
        cpus.forEach(InterpretedCpu::kick);
    }

    @Override
    public synchronized boolean isRunning() {
        return !paused && !stopped;
    }
}
