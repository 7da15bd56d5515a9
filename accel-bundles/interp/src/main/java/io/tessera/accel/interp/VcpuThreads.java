package io.tessera.accel.interp;

import io.tessera.core.accel.VcpuSet;
import io.tessera.core.isa.InterpretedCpu;
import io.tessera.core.machine.Machine;
import java.util.ArrayList;
import java.util.List;

/**
 * One thread per vCPU, each calling its CPU's interpreter in slices. Pausing kicks every
 * vCPU out of its slice and waits until all of them stand still, so that device and CPU
 * state can be saved; a vCPU that fails stops the machine rather than dying silently.
 */
final class VcpuThreads implements VcpuSet {

    /** Instructions per slice: long enough to cost nothing, short enough to pause promptly. */
    private static final long SLICE = 1 << 16;

    private final Machine machine;
    private final List<InterpretedCpu> cpus;
    private final List<Thread> threads = new ArrayList<>();
    private boolean paused;
    private boolean stopped;
    private int standingStill;

    VcpuThreads(Machine machine, List<InterpretedCpu> cpus) {
        this.machine = machine;
        this.cpus = List.copyOf(cpus);
    }

    void start() {
        for (InterpretedCpu cpu : cpus) {
            Thread thread = new Thread(() -> run(cpu), "vcpu-" + machine.name() + "-" + cpu.index());
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    private void run(InterpretedCpu cpu) {
        try {
            while (awaitRunnable()) {
                cpu.interpret(SLICE);
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
        for (Thread thread : threads) {
            if (thread != Thread.currentThread()) {
                try {
                    thread.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
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
