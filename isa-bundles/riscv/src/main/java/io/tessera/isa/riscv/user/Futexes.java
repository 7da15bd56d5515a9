package io.tessera.isa.riscv.user;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The futex wait queues of one address space. One lock for all of them: checking the futex
 * word and queueing happen under it, and so does waking, so no wake-up falls between the two.
 */
final class Futexes {

    static final int EAGAIN = 11, ETIMEDOUT = 110;

    private static final class Waiter {
        final int bitset;
        long address;
        boolean woken;

        Waiter(int bitset, long address) {
            this.bitset = bitset;
            this.address = address;
        }
    }

    private final Map<Long, List<Waiter>> queues = new HashMap<>();

    /**
     * Waits while the word at {@code address} holds {@code expected}, until woken, a signal or
     * {@code deadline} (System.nanoTime(), or Long.MAX_VALUE for none).
     *
     * @return 0 when woken, or -EAGAIN, -ETIMEDOUT, or {@code interrupted} when a signal came first
     */
    synchronized long await(LinuxThread thread, long address, int expected, int bitset, long deadline, long interrupted) {
        if ((int) thread.memory.load(address, 4) != expected) {
            return -EAGAIN;
        }
        Waiter waiter = new Waiter(bitset, address);
        queues.computeIfAbsent(address, a -> new ArrayList<>()).add(waiter);
        while (!waiter.woken) {
            long left = deadline == Long.MAX_VALUE ? 0 : deadline - System.nanoTime();
            boolean timedOut = deadline != Long.MAX_VALUE && left <= 0;
            if (timedOut || thread.signalPending()) {
                remove(waiter);
                return timedOut ? -ETIMEDOUT : interrupted;
            }
            thread.block(this, deadline == Long.MAX_VALUE ? 0 : Math.max(1, left / 1_000_000));
        }
        return 0;
    }

    private void remove(Waiter waiter) {
        long address = waiter.address;
        List<Waiter> queue = queues.get(address);
        if (queue != null) {
            queue.remove(waiter);
            if (queue.isEmpty()) {
                queues.remove(address);
            }
        }
    }

    /** @return how many waiters on {@code address} (with a bit of {@code bitset}) it woke, at most {@code count} */
    synchronized int wake(long address, int count, int bitset) {
        return requeue(address, count, bitset, 0, 0);
    }

    /** Wakes up to {@code count} waiters, moves up to {@code moved} of the others to {@code target}. */
    synchronized int requeue(long address, int count, int bitset, long target, int moved) {
        List<Waiter> queue = queues.get(address);
        int woken = 0;
        if (queue == null) {
            return 0;
        }
        List<Waiter> move = new ArrayList<>();
        for (Iterator<Waiter> it = queue.iterator(); it.hasNext();) {
            Waiter w = it.next();
            if ((w.bitset & bitset) == 0) {
                continue;
            }
            if (woken < count) {
                w.woken = true;
                it.remove();
                woken++;
            } else if (move.size() < moved) {
                it.remove();
                w.address = target;
                move.add(w);
            }
        }
        if (queue.isEmpty()) {
            queues.remove(address);
        }
        if (!move.isEmpty()) {
            queues.computeIfAbsent(target, a -> new ArrayList<>()).addAll(move);
        }
        if (woken > 0) {
            notifyAll();
        }
        return woken + move.size();
    }
}
