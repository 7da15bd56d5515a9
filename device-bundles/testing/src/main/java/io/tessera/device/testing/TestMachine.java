package io.tessera.device.testing;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.clock.VirtualClock;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.ContainerRegion;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A machine for a device under test: a real address space whose root container the system bus
 * maps into, an optional clock, and recorded exits and shutdowns. {@link #machine()} is a
 * proxy so that methods the core adds to {@code Machine} later do not break device tests; the
 * ones a device has no business calling throw {@link UnsupportedOperationException}.
 */
public final class TestMachine {

    /** The machine's name and type, and the {@code tessera.machine} of {@link Configs#properties}. */
    public static final String NAME = "test";

    /** The system address space; a test may add RAM or other regions to its {@code root()}. */
    public final AddressSpace memory = AddressSpace.create("test.system", new ContainerRegion("system", Long.MAX_VALUE));
    /** The exit statuses passed to {@code Machine.exit}, in order. */
    public final List<Integer> exits = new CopyOnWriteArrayList<>();
    /** For each {@code Machine.shutdown}, the name of the thread that called it. */
    public final List<String> shutdowns = new CopyOnWriteArrayList<>();
    /** For each {@code Machine.requestReset}, the name of the thread that called it. */
    public final List<String> resetRequests = new CopyOnWriteArrayList<>();

    private final VirtualClock clock;
    private final List<Runnable> endHooks = new CopyOnWriteArrayList<>();
    private final SystemBus bus = SystemBus.create(memory);
    private final Machine machine;

    /** A machine without a clock, for devices that keep no time: {@code clock()} throws. */
    public TestMachine() {
        this.clock = null;
        this.machine = newMachine();
    }

    /**
     * A machine with a clock, for devices that keep time.
     *
     * @param clock what {@code Machine.clock()} returns
     */
    public TestMachine(VirtualClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.machine = newMachine();
    }

    private Machine newMachine() {
        return (Machine) Proxy.newProxyInstance(Machine.class.getClassLoader(), new Class<?>[] {Machine.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name", "type" -> NAME;
                    case "memory" -> memory;
                    case "systemBus" -> bus;
                    case "clock" -> {
                        if (clock == null) {
                            throw new UnsupportedOperationException("this device test machine has no clock");
                        }
                        yield clock;
                    }
                    case "exit" -> {
                        endHooks.forEach(Runnable::run);
                        exits.add((Integer) args[0]);
                        yield null;
                    }
                    case "shutdown" -> {
                        endHooks.forEach(Runnable::run);
                        shutdowns.add(Thread.currentThread().getName());
                        yield null;
                    }
                    case "requestReset" -> {
                        resetRequests.add(Thread.currentThread().getName());
                        yield null;
                    }
                    case "toString" -> "TestMachine";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("a device test machine has no " + method.getName());
                });
    }

    /** @return the machine as a device sees it */
    public Machine machine() {
        return machine;
    }

    /** @return the mappings on the system bus now */
    public List<SystemBus.Mapping> mappings() {
        return bus.mappings();
    }

    /**
     * Runs {@code hook} at each exit or shutdown, on the thread that ends the machine and before
     * it is recorded: for a test that checks the circumstances (such as the locks it holds).
     *
     * @param hook what to run
     */
    public void whenEnded(Runnable hook) {
        endHooks.add(hook);
    }
}
