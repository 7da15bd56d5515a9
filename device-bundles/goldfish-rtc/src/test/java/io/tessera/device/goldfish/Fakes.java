package io.tessera.device.goldfish;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.clock.Timer;
import io.tessera.core.clock.VirtualClock;
import io.tessera.core.irq.InterruptController;
import io.tessera.core.irq.IrqLine;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.memory.MemoryRegion;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** The parts a device test gives a device instead of a running platform: no CPU, no OSGi. */
final class Fakes {

    private Fakes() {
    }

    /**
     * An instance of a metatype {@code Config} annotation: the declared defaults, except the
     * attributes named in {@code overrides} (by method name).
     */
    static <T> T config(Class<T> type, Map<String, Object> overrides) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            String name = method.getName();
            if (overrides.containsKey(name)) {
                return overrides.get(name);
            }
            return switch (name) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + overrides;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> {
                    Object value = method.getDefaultValue();
                    if (value == null) {
                        throw new IllegalStateException(name + " has no default and no override");
                    }
                    yield value;
                }
            };
        }));
    }

    /** The service properties DS passes a device: its id and machine. */
    static Map<String, Object> properties(String id) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("tessera.id", id);
        properties.put("tessera.machine", "test");
        return properties;
    }

    /** A virtual clock that moves only when told, firing due timers on the caller's thread. */
    static final class ManualClock implements VirtualClock {
        private final List<ManualTimer> timers = new ArrayList<>();
        private long now;
        private long armings;

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

        /** Advances virtual time by {@code nanos}, running every timer that falls due, earliest first. */
        void advance(long nanos) {
            long target;
            synchronized (this) {
                target = now + nanos;
            }
            while (true) {
                ManualTimer due = null;
                synchronized (this) {
                    for (ManualTimer t : timers) {
                        if (t.armed && t.deadline <= target && (due == null || t.deadline < due.deadline
                                || t.deadline == due.deadline && t.order < due.order)) {
                            due = t;
                        }
                    }
                    if (due == null) {
                        now = target;
                        return;
                    }
                    now = Math.max(now, due.deadline);
                    due.armed = false;
                }
                due.callback.run();
            }
        }

        final class ManualTimer implements Timer {
            private final Runnable callback;
            private boolean armed;
            private long deadline;
            private long order;

            ManualTimer(Runnable callback) {
                this.callback = callback;
            }

            @Override
            public void armAt(long virtualNanos) {
                synchronized (ManualClock.this) {
                    armed = true;
                    deadline = Math.max(0, virtualNanos);
                    order = armings++;
                }
            }

            @Override
            public void armAfter(long delayNanos) {
                if (delayNanos < 0) {
                    throw new IllegalArgumentException("negative delay " + delayNanos);
                }
                synchronized (ManualClock.this) {
                    long at = now + delayNanos;
                    armAt(at < now ? Long.MAX_VALUE : at);
                }
            }

            @Override
            public void cancel() {
                synchronized (ManualClock.this) {
                    armed = false;
                }
            }

            @Override
            public boolean isArmed() {
                synchronized (ManualClock.this) {
                    return armed;
                }
            }

            @Override
            public long deadline() {
                synchronized (ManualClock.this) {
                    return armed ? deadline : -1;
                }
            }
        }
    }

    /** An interrupt controller whose lines remember their level and how often it changed. */
    static final class RecordingController implements InterruptController {
        private final Line[] lines;

        RecordingController(int count) {
            lines = new Line[count];
            for (int i = 0; i < count; i++) {
                lines[i] = new Line();
            }
        }

        @Override
        public String id() {
            return "plic0";
        }

        @Override
        public int lineCount() {
            return lines.length;
        }

        @Override
        public Line line(int number) {
            if (number < 0 || number >= lines.length) {
                throw new IllegalArgumentException("no input " + number + "; inputs are 0.." + (lines.length - 1));
            }
            return lines[number];
        }

        static final class Line implements IrqLine {
            private volatile boolean level;
            private volatile int raises;

            @Override
            public synchronized void set(boolean level) {
                if (level && !this.level) {
                    raises++;
                }
                this.level = level;
            }

            @Override
            public boolean level() {
                return level;
            }

            /** @return how many times the line went from low to high */
            int raises() {
                return raises;
            }
        }
    }

    /**
     * A machine with a real address space and system bus, a given clock, and recorded exits and
     * shutdowns. {@link #machine()} is a proxy so that methods the core adds to {@code Machine}
     * later do not break these tests; the ones a device has no business calling throw.
     */
    static final class TestMachine {
        final AddressSpace memory = AddressSpace.create("test.system", new ContainerRegion("system", Long.MAX_VALUE));
        final VirtualClock clock;
        final List<Integer> exits = new CopyOnWriteArrayList<>();
        final List<String> shutdowns = new CopyOnWriteArrayList<>();
        private final List<SystemBus.Mapping> mappings = new CopyOnWriteArrayList<>();
        private final SystemBus bus = new SystemBus() {
            @Override
            public AddressSpace memory() {
                return memory;
            }

            @Override
            public Mapping map(String owner, long base, MemoryRegion region) {
                memory.root().addSubregion(base, region);
                return record(owner, base, region);
            }

            @Override
            public Mapping mapOverlap(String owner, long base, MemoryRegion region, int priority) {
                memory.root().addSubregionOverlap(base, region, priority);
                return record(owner, base, region);
            }

            @Override
            public List<Mapping> mappings() {
                return List.copyOf(mappings);
            }
        };
        private final Machine machine;

        TestMachine(VirtualClock clock) {
            this.clock = clock;
            this.machine = (Machine) Proxy.newProxyInstance(Machine.class.getClassLoader(), new Class<?>[] {Machine.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "name", "type" -> "test";
                        case "memory" -> memory;
                        case "systemBus" -> bus;
                        case "clock" -> clock;
                        case "exit" -> {
                            exits.add((Integer) args[0]);
                            yield null;
                        }
                        case "shutdown" -> {
                            shutdowns.add(Thread.currentThread().getName());
                            yield null;
                        }
                        case "toString" -> "TestMachine";
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException("a device test machine has no " + method.getName());
                    });
        }

        /** @return the machine as a device sees it */
        Machine machine() {
            return machine;
        }

        /** @return the mappings on the bus now */
        List<SystemBus.Mapping> mappings() {
            return List.copyOf(mappings);
        }

        private SystemBus.Mapping record(String owner, long base, MemoryRegion region) {
            SystemBus.Mapping mapping = new SystemBus.Mapping() {
                @Override
                public String owner() {
                    return owner;
                }

                @Override
                public long base() {
                    return base;
                }

                @Override
                public MemoryRegion region() {
                    return region;
                }

                @Override
                public void unmap() {
                    if (mappings.remove(this)) {
                        memory.root().removeSubregion(region);
                    }
                }
            };
            mappings.add(mapping);
            return mapping;
        }
    }
}
