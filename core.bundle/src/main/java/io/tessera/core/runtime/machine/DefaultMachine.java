package io.tessera.core.runtime.machine;

import io.tessera.core.accel.VcpuSet;
import io.tessera.core.bus.SystemBus;
import io.tessera.core.clock.VirtualClock;
import io.tessera.core.isa.Cpu;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineAssembly;
import io.tessera.core.machine.MachineListener;
import io.tessera.core.machine.MachineState;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.ContainerRegion;
import io.tessera.core.runtime.clock.HostVirtualClock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A machine as the runtime keeps it. Its life-cycle transitions are checked here; running
 * the vCPUs is the business of the accelerator the manager picks when the machine starts.
 */
final class DefaultMachine implements Machine {

    private static final System.Logger LOG = System.getLogger(DefaultMachine.class.getName());

    private final String name;
    private final String type;
    private final Map<String, String> options;
    private final AddressSpace memory;
    private final SystemBus systemBus;
    private final HostVirtualClock clock;
    private final List<Cpu> cpus = new CopyOnWriteArrayList<>();
    private final List<MachineListener> listeners = new CopyOnWriteArrayList<>();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Function<Machine, AcceleratorChoice> accelerators;
    private final java.util.function.Consumer<Machine> deviceReset;
    /** The board's reset steps, boot images first where it loaded them first. */
    private final List<Runnable> resetSteps = new CopyOnWriteArrayList<>();
    /** Held for a whole reset, so that resets do not interleave. */
    private final Object resetLock = new Object();
    // Guarded by this.
    private boolean resetRequested;
    private MachineState state = MachineState.CREATED;
    private VcpuSet vcpus;
    private String acceleratorName;
    private Integer exitStatus;

    /** A device the board asked for, added once the machine is registered. */
    record BuiltInDevice(String type, String id, Map<String, String> properties) {
    }

    private final List<BuiltInDevice> builtInDevices = new ArrayList<>();
    private final Map<String, String> charDevices = new LinkedHashMap<>();

    /** @return the board's devices, in the order they must be added */
    List<BuiltInDevice> builtInDevices() {
        return List.copyOf(builtInDevices);
    }

    /** @return the board's character devices: id to spec */
    Map<String, String> charDevices() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(charDevices));
    }

    /** Closes {@code resource} when the machine is disposed, before what was registered earlier. */
    void closeOnDispose(AutoCloseable resource) {
        synchronized (resources) {
            resources.push(resource);
        }
    }

    /** The accelerator picked for a machine and the vCPUs it runs. */
    record AcceleratorChoice(String name, VcpuSet vcpus) {
    }

    /**
     * @param accelerators starts the vCPUs of the machine
     * @param deviceReset resets the machine's devices (they live in the service registry, which the manager sees)
     */
    DefaultMachine(String name, String type, Map<String, String> options, Function<Machine, AcceleratorChoice> accelerators,
            java.util.function.Consumer<Machine> deviceReset) {
        this.name = name;
        this.accelerators = accelerators;
        this.deviceReset = deviceReset;
        this.type = type;
        this.options = Map.copyOf(options);
        this.memory = AddressSpace.create(name + ".system", new ContainerRegion("system", Long.MAX_VALUE));
        this.systemBus = SystemBus.create(memory);
        this.clock = new HostVirtualClock(name, false);
        resources.push(clock);
    }

    /** The view a machine type fills while it assembles the board. */
    MachineAssembly assembly() {
        return new MachineAssembly() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, String> options() {
                return options;
            }

            @Override
            public AddressSpace memory() {
                return memory;
            }

            @Override
            public SystemBus systemBus() {
                return systemBus;
            }

            @Override
            public VirtualClock clock() {
                return clock;
            }

            @Override
            public void addCpu(Cpu cpu) {
                if (cpu.index() != cpus.size()) {
                    throw new IllegalArgumentException("CPU index " + cpu.index() + " added where " + cpus.size() + " was next");
                }
                cpus.add(cpu);
            }

            @Override
            public Machine machine() {
                return DefaultMachine.this;
            }

            @Override
            public void addDevice(String type, String id, Map<String, String> properties) {
                builtInDevices.add(new BuiltInDevice(type, id, Map.copyOf(properties)));
            }

            @Override
            public void addCharDevice(String id, String spec) {
                charDevices.put(id, spec);
            }

            @Override
            public void loadImage(long address, byte[] image) {
                memory.write(address, image, 0, image.length);
                resetSteps.add(() -> memory.write(address, image, 0, image.length));
            }

            @Override
            public void onReset(Runnable step) {
                resetSteps.add(step);
            }

            @Override
            public void closeOnDestroy(AutoCloseable resource) {
                synchronized (resources) {
                    resources.push(resource);
                }
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public synchronized MachineState state() {
        return state;
    }

    @Override
    public AddressSpace memory() {
        return memory;
    }

    @Override
    public SystemBus systemBus() {
        return systemBus;
    }

    @Override
    public VirtualClock clock() {
        return clock;
    }

    @Override
    public List<Cpu> cpus() {
        return List.copyOf(cpus);
    }

    @Override
    public void start() {
        synchronized (this) {
            if (state != MachineState.CREATED) {
                throw new IllegalStateException("machine '" + name + "' is " + state.name().toLowerCase()
                        + "; it must be created to become running");
            }
            clock.resume();
            if (!cpus.isEmpty()) {
                try {
                    AcceleratorChoice choice = accelerators.apply(this);
                    vcpus = choice.vcpus();
                    acceleratorName = choice.name();
                } catch (RuntimeException e) {
                    clock.pause();
                    throw e;
                }
            }
            // A guest may have powered off already, on its first instructions.
            if (state != MachineState.CREATED) {
                return;
            }
            state = MachineState.RUNNING;
        }
        fire(MachineState.CREATED, MachineState.RUNNING);
    }

    @Override
    public void pause() {
        transition(MachineState.RUNNING, MachineState.PAUSED);
        VcpuSet running = vcpus();
        if (running != null) {
            running.pause();
        }
        clock.pause();
    }

    @Override
    public void resume() {
        transition(MachineState.PAUSED, MachineState.RUNNING);
        clock.resume();
        VcpuSet running = vcpus();
        if (running != null) {
            running.resume();
        }
    }

    @Override
    public void reset() {
        synchronized (resetLock) {
            MachineState before = state();
            if (before == MachineState.SHUTDOWN) {
                throw new IllegalStateException("machine '" + name + "' is shut down; it cannot be reset");
            }
            VcpuSet running = before == MachineState.RUNNING ? vcpus() : null;
            try {
                if (running != null) {
                    running.pause();
                }
            } catch (IllegalStateException stopped) {
                // Shut down meanwhile (a guest's power-off on another vCPU): nothing left to reset.
                return;
            }
            for (Cpu cpu : cpus) {
                cpu.reset();
            }
            deviceReset.accept(this);
            for (Runnable step : resetSteps) {
                step.run();
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "machine '" + name + "' reset");
            synchronized (this) {
                if (running != null && state == MachineState.RUNNING) {
                    running.resume();
                }
            }
        }
    }

    @Override
    public void requestReset() {
        if ("off".equals(options.get(MachineManagerImpl.REBOOT_OPTION))) {
            // QEMU's -no-reboot: a guest's reboot ends the machine, as a power-off.
            LOG.log(System.Logger.Level.DEBUG, () -> "machine '" + name + "': reset requested with reboot=off; shutting down");
            shutdown();
            return;
        }
        synchronized (this) {
            if (resetRequested || state == MachineState.SHUTDOWN) {
                return;
            }
            resetRequested = true;
        }
        Thread.ofPlatform().daemon().name("machine-" + name + "-reset").start(() -> {
            synchronized (this) {
                resetRequested = false;
            }
            try {
                reset();
            } catch (IllegalStateException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "machine '" + name + "': requested reset not done: " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "machine '" + name + "': reset failed; shutting it down", e);
                shutdown();
            }
        });
    }

    private synchronized VcpuSet vcpus() {
        return vcpus;
    }

    @Override
    public void exit(int status) {
        synchronized (this) {
            if (exitStatus == null && state != MachineState.SHUTDOWN) {
                exitStatus = status;
            }
        }
        shutdown();
    }

    @Override
    public synchronized OptionalInt exitStatus() {
        return exitStatus == null ? OptionalInt.empty() : OptionalInt.of(exitStatus);
    }

    @Override
    public synchronized Optional<String> accelerator() {
        return Optional.ofNullable(acceleratorName);
    }

    @Override
    public void shutdown() {
        MachineState from;
        synchronized (this) {
            from = state;
            if (from == MachineState.SHUTDOWN) {
                return;
            }
            state = MachineState.SHUTDOWN;
        }
        VcpuSet running = vcpus();
        if (running != null) {
            running.stop();
        }
        clock.pause();
        fire(from, MachineState.SHUTDOWN);
    }

    private void transition(MachineState from, MachineState to) {
        synchronized (this) {
            if (state != from) {
                throw new IllegalStateException("machine '" + name + "' is " + state.name().toLowerCase()
                        + "; it must be " + from.name().toLowerCase() + " to become " + to.name().toLowerCase());
            }
            state = to;
        }
        fire(from, to);
    }

    private void fire(MachineState from, MachineState to) {
        for (MachineListener listener : listeners) {
            try {
                listener.stateChanged(this, from, to);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "machine listener failed on " + from + " -> " + to, e);
            }
        }
    }

    @Override
    public void addListener(MachineListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(MachineListener listener) {
        listeners.remove(listener);
    }

    /** Shuts down and frees memory, clock and whatever the board registered, last first. */
    void dispose() {
        shutdown();
        // A guest that powered off shut the machine down from its own vCPU thread, which stop
        // cannot wait for; memory is freed only once every vCPU thread has ended.
        VcpuSet running = vcpus();
        if (running != null) {
            running.stop();
        }
        synchronized (resources) {
            while (!resources.isEmpty()) {
                AutoCloseable resource = resources.pop();
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "closing " + resource + " of machine '" + name + "' failed", e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "machine '" + name + "' (" + type + ", " + state().name().toLowerCase() + ")";
    }
}
