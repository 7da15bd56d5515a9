package io.tessera.core.accel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.isa.InterpretedCpu;
import io.tessera.core.isa.Isa;
import io.tessera.core.isa.RegisterInfo;
import io.tessera.core.machine.Machine;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A pause that never completes must fail the test, not hang the build. */
@Timeout(30)
class VcpuThreadsTest {

    /** A CPU that counts the slices it is given; it can be told to fail. */
    private static class CountingCpu implements InterpretedCpu {
        final AtomicLong slices = new AtomicLong();
        final AtomicLong kicks = new AtomicLong();
        volatile boolean fail;

        @Override
        public long interpret(long budget) {
            if (fail) {
                throw new IllegalStateException("emulator bug");
            }
            slices.incrementAndGet();
            Thread.onSpinWait();
            return budget;
        }

        @Override
        public void kick() {
            kicks.incrementAndGet();
        }

        @Override
        public int index() {
            return 0;
        }

        @Override
        public Isa isa() {
            return null;
        }

        @Override
        public List<RegisterInfo> registers() {
            return List.of();
        }

        @Override
        public long readRegister(String name) {
            return 0;
        }

        @Override
        public void writeRegister(String name, long value) {
        }

        @Override
        public long pc() {
            return 0;
        }

        @Override
        public void setPc(long pc) {
        }

        @Override
        public void reset() {
        }
    }

    private static Machine machine(AtomicBoolean shutDown) {
        return (Machine) Proxy.newProxyInstance(Machine.class.getClassLoader(), new Class<?>[] {Machine.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> "m";
                    case "shutdown" -> {
                        shutDown.set(true);
                        yield null;
                    }
                    default -> null;
                });
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), "condition not reached within 5 s");
    }

    @Test
    void pauseStopsEveryVcpuUntilResumeAndStopEndsTheThreads() throws Exception {
        CountingCpu a = new CountingCpu();
        CountingCpu b = new CountingCpu();
        var threads = VcpuThreads.interpreting(machine(new AtomicBoolean()), List.of(a, b));
        threads.start();
        await(() -> a.slices.get() > 10 && b.slices.get() > 10);

        threads.pause();
        assertFalse(threads.isRunning());
        assertTrue(a.kicks.get() > 0 && b.kicks.get() > 0, "pausing kicks the vCPUs out of their slices");
        long pausedA = a.slices.get();
        long pausedB = b.slices.get();
        Thread.sleep(100);
        assertEquals(pausedA, a.slices.get(), "a paused vCPU runs no slice");
        assertEquals(pausedB, b.slices.get());

        threads.resume();
        assertTrue(threads.isRunning());
        await(() -> a.slices.get() > pausedA + 10 && b.slices.get() > pausedB + 10);

        threads.stop();
        long stoppedA = a.slices.get();
        Thread.sleep(100);
        assertEquals(stoppedA, a.slices.get(), "a stopped vCPU runs no slice");
        assertFalse(threads.isRunning());
    }

    @Test
    void aFailingVcpuShutsTheMachineDown() throws Exception {
        AtomicBoolean shutDown = new AtomicBoolean();
        CountingCpu cpu = new CountingCpu();
        cpu.fail = true;
        var threads = VcpuThreads.interpreting(machine(shutDown), List.of(cpu));
        threads.start();
        await(shutDown::get);
        assertFalse(threads.isRunning());
    }

    @Test
    void stopWaitsForAVcpuThatIsSlowToLeaveItsSlice() throws Exception {
        // Guest memory is unmapped after stop; a slice still running then would touch freed memory.
        AtomicBoolean inSlice = new AtomicBoolean();
        AtomicBoolean sliceEnded = new AtomicBoolean();
        CountingCpu cpu = new CountingCpu() {
            @Override
            public long interpret(long budget) {
                inSlice.set(true);
                long end = System.nanoTime() + 2_500_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                sliceEnded.set(true);
                return budget;
            }
        };
        var threads = VcpuThreads.interpreting(machine(new AtomicBoolean()), List.of(cpu));
        threads.start();
        await(inSlice::get);

        threads.stop();

        assertTrue(sliceEnded.get(), "stop returned while a vCPU was still in its slice");
    }
}
