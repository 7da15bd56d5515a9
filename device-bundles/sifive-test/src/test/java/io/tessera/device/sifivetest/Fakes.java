package io.tessera.device.sifivetest;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.clock.VirtualClock;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.memory.MemoryRegion;
import java.lang.reflect.Proxy;
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
        /** For each exit or shutdown: whether the caller held the monitor of {@link #watched}. */
        final List<Boolean> endedHoldingWatched = new CopyOnWriteArrayList<>();
        /** An object whose monitor must not be held when the machine is ended. */
        volatile Object watched = new Object();
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
                            endedHoldingWatched.add(Thread.holdsLock(watched));
                            exits.add((Integer) args[0]);
                            yield null;
                        }
                        case "shutdown" -> {
                            endedHoldingWatched.add(Thread.holdsLock(watched));
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
