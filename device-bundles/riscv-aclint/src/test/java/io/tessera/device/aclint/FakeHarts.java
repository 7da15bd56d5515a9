package io.tessera.device.aclint;

import io.tessera.core.clock.Timer;
import io.tessera.core.clock.VirtualClock;
import io.tessera.isa.riscv.platform.RiscvCpu;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Harts that only record their interrupt inputs, and a clock the test moves by hand. */
final class FakeHarts {

    /** The levels of each fake hart's inputs, by cause. */
    final List<Map<Integer, Boolean>> levels = new ArrayList<>();
    final List<RiscvCpu> harts = new ArrayList<>();

    FakeHarts(int count) {
        for (int i = 0; i < count; i++) {
            Map<Integer, Boolean> inputs = new HashMap<>();
            levels.add(inputs);
            harts.add((RiscvCpu) Proxy.newProxyInstance(RiscvCpu.class.getClassLoader(), new Class<?>[] {RiscvCpu.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("setInterruptPending")) {
                            synchronized (inputs) {
                                inputs.put((Integer) args[0], (Boolean) args[1]);
                            }
                            return null;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    }));
        }
    }

    boolean level(int hart, int cause) {
        synchronized (levels.get(hart)) {
            return levels.get(hart).getOrDefault(cause, false);
        }
    }

    /** A virtual clock whose time only moves when the test says; due timers fire then. */
    static final class ManualClock implements VirtualClock {
        private long now;
        private final List<ManualTimer> timers = new ArrayList<>();

        @Override
        public synchronized long nanos() {
            return now;
        }

        @Override
        public boolean isRunning() {
            return true;
        }

        @Override
        public synchronized Timer newTimer(Runnable callback) {
            ManualTimer timer = new ManualTimer(callback);
            timers.add(timer);
            return timer;
        }

        int armedTimers() {
            return (int) timers.stream().filter(ManualTimer::isArmed).count();
        }

        void advanceTo(long nanos) {
            synchronized (this) {
                now = nanos;
            }
            for (ManualTimer timer : List.copyOf(timers)) {
                timer.fireIfDue(nanos);
            }
        }

        final class ManualTimer implements Timer {
            private final Runnable callback;
            private long deadline = -1;

            ManualTimer(Runnable callback) {
                this.callback = callback;
            }

            @Override
            public synchronized void armAt(long virtualNanos) {
                deadline = Math.max(0, virtualNanos);
            }

            @Override
            public void armAfter(long delayNanos) {
                armAt(nanos() + delayNanos);
            }

            @Override
            public synchronized void cancel() {
                deadline = -1;
            }

            @Override
            public synchronized boolean isArmed() {
                return deadline >= 0;
            }

            @Override
            public synchronized long deadline() {
                return deadline;
            }

            void fireIfDue(long now) {
                synchronized (this) {
                    if (deadline < 0 || deadline > now) {
                        return;
                    }
                    deadline = -1;
                }
                callback.run();
            }
        }
    }
}
