package io.tessera.core.runtime.machine;

import io.tessera.core.accel.Accelerator;
import io.tessera.core.accel.AcceleratorSpec;
import io.tessera.core.accel.Accelerators;
import io.tessera.core.accel.Availability;
import io.tessera.core.isa.Isa;
import io.tessera.core.chardev.CharDevice;
import io.tessera.core.chardev.CharDeviceBackend;
import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.Resettable;
import io.tessera.core.device.DeviceManager;
import io.tessera.core.device.DeviceType;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineManager;
import io.tessera.core.machine.MachineOption;
import io.tessera.core.machine.MachineType;
import java.io.IOException;
import java.util.Collection;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Keeps the machines of the platform and registers each as a {@link Machine} service, with
 * the character devices their boards open as {@link CharDevice} services. Those services are
 * registered in code, so the bundle declares them for the resolver (devices require them).
 */
@Component(service = MachineManager.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=io.tessera.core.machine.Machine",
        uses = Machine.class)
public final class MachineManagerImpl implements MachineManager {

    /** The option every machine has: the accelerator to run its vCPUs with (empty: the best available). */
    static final String ACCEL_OPTION = "accel";
    /** The other option every machine has: what a guest's reset request does (on: reset; off: shut down, QEMU's -no-reboot). */
    static final String REBOOT_OPTION = "reboot";

    private static final System.Logger LOG = System.getLogger(MachineManagerImpl.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern CHARDEV_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

    private record Entry(DefaultMachine machine, ServiceRegistration<Machine> registration) {
    }

    private final BundleContext context;
    private final ConfigurationAdmin configurationAdmin;
    private final List<MachineType> types = new CopyOnWriteArrayList<>();
    private final List<Accelerator> accelerators = new CopyOnWriteArrayList<>();
    private final List<CharDeviceBackend> charDeviceBackends = new CopyOnWriteArrayList<>();
    private final Map<String, Entry> machines = new ConcurrentHashMap<>();

    @Activate
    public MachineManagerImpl(BundleContext context, @Reference ConfigurationAdmin configurationAdmin) {
        this.context = context;
        this.configurationAdmin = configurationAdmin;
        // Machines do not outlive the platform; device configurations left by an earlier run would name none.
        deleteDeviceConfigurations("*");
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addType(MachineType type) {
        types.add(type);
    }

    void removeType(MachineType type) {
        types.remove(type);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCharDeviceBackend(CharDeviceBackend backend) {
        charDeviceBackends.add(backend);
    }

    void removeCharDeviceBackend(CharDeviceBackend backend) {
        charDeviceBackends.remove(backend);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addAccelerator(Accelerator accelerator) {
        accelerators.add(accelerator);
    }

    void removeAccelerator(Accelerator accelerator) {
        accelerators.remove(accelerator);
    }

    /**
     * Starts the vCPUs of a machine with the accelerator its {@value #ACCEL_OPTION} option
     * names, or with the best one available for its ISA.
     */
    private DefaultMachine.AcceleratorChoice startVcpus(Machine machine) {
        Isa isa = machine.cpus().get(0).isa();
        AcceleratorSpec spec = acceleratorSpec(machine.options());
        String wanted = spec.name();
        Accelerator accelerator;
        if (wanted.isEmpty()) {
            accelerator = Accelerators.best(accelerators, isa).orElseThrow(() -> new IllegalStateException(
                    "no accelerator can run " + isa.name() + " CPUs here; installed: " + describeAccelerators(isa)));
        } else {
            accelerator = named(wanted).orElseThrow(() -> new IllegalArgumentException("unknown accelerator '" + wanted
                    + "'; installed: " + describeAccelerators(isa)));
            if (!accelerator.supports(isa)) {
                throw new IllegalArgumentException("accelerator '" + wanted + "' cannot run " + isa.name() + " CPUs");
            }
            Availability availability = accelerator.availability();
            if (!availability.available()) {
                throw new IllegalStateException("accelerator '" + wanted + "' is not available here: " + availability.reason());
            }
        }
        return new DefaultMachine.AcceleratorChoice(accelerator.name(), accelerator.start(machine, spec.options()));
    }

    /**
     * The accelerator a machine's options name, with its settings: {@code accel=tcg,threshold=0};
     * -Dtessera.accel=... chooses for machines that name none (as it does for user mode).
     */
    private static AcceleratorSpec acceleratorSpec(Map<String, String> options) {
        return AcceleratorSpec.parse(options.getOrDefault(ACCEL_OPTION, System.getProperty("tessera.accel", "")));
    }

    private Optional<Accelerator> named(String name) {
        return accelerators.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /**
     * Refuses, when the machine is created, an accelerator spec that cannot be parsed or whose
     * options the named accelerator refuses (an accelerator not installed yet is looked at
     * when the machine starts).
     */
    private void checkAccelerator(Map<String, String> options) {
        AcceleratorSpec spec = acceleratorSpec(options);
        if (!spec.name().isEmpty()) {
            named(spec.name()).ifPresent(a -> a.checkOptions(spec.options()));
        }
    }

    /** Resets every device of the machine that can be, in the order they were registered (controllers first). */
    private void resetDevices(Machine machine) {
        Collection<ServiceReference<Device>> references;
        try {
            references = context.getServiceReferences(Device.class, DeviceConstants.machineFilter(machine.name()));
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("machine name '" + machine.name() + "' makes a bad filter", e);
        }
        List<ServiceReference<Device>> ordered = new java.util.ArrayList<>(references);
        ordered.sort(Comparator.comparingLong(r -> (Long) r.getProperty(org.osgi.framework.Constants.SERVICE_ID)));
        for (ServiceReference<Device> reference : ordered) {
            Device device = context.getService(reference);
            if (device == null) {
                continue;
            }
            try {
                if (device instanceof Resettable resettable) {
                    resettable.reset();
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "machine '" + machine.name() + "': resetting device " + device.id() + " failed", e);
            } finally {
                context.ungetService(reference);
            }
        }
    }

    private String describeAccelerators(Isa isa) {
        if (accelerators.isEmpty()) {
            return "none";
        }
        return accelerators.stream().map(a -> a.name() + (!a.supports(isa) ? " (not for " + isa.name() + ")"
                : a.availability().available() ? "" : " (" + a.availability().reason() + ")")).sorted()
                .collect(Collectors.joining(", "));
    }

    @Override
    public Machine create(String name, String typeName, Map<String, String> options) {
        return create(name, typeName, options, Map.of());
    }

    @Override
    public Machine create(String name, String typeName, Map<String, String> options, Map<String, String> charDevices) {
        for (String id : charDevices.keySet()) {
            if (id == null || !CHARDEV_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("character device id '" + id
                        + "' is not valid; start with a letter, then letters, digits, '_', '.', '-'");
            }
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("machine name '" + name + "' is not valid; use letters, digits, '_', '.', '-'");
        }
        MachineType type = types.stream().filter(t -> t.name().equals(typeName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown machine type '" + typeName + "'; available: "
                        + types().stream().map(MachineType::name).collect(Collectors.joining(", "))));
        Map<String, String> merged = mergeOptions(type, options);
        checkAccelerator(merged);
        synchronized (machines) {
            if (machines.containsKey(name)) {
                throw new IllegalArgumentException("a machine named '" + name + "' exists already");
            }
            DefaultMachine machine = new DefaultMachine(name, type.name(), merged, this::startVcpus, this::resetDevices);
            try {
                type.assemble(machine.assembly());
            } catch (RuntimeException e) {
                machine.dispose();
                throw e;
            }
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(DeviceConstants.MACHINE, name);
            props.put(Machine.TYPE_PROPERTY, type.name());
            ServiceRegistration<Machine> registration = context.registerService(Machine.class, machine, props);
            Entry entry = new Entry(machine, registration);
            machines.put(name, entry);
            try {
                plugBoard(machine, charDevices);
            } catch (RuntimeException e) {
                machines.remove(name);
                teardown(entry);
                throw e;
            }
            return machine;
        }
    }

    /**
     * Opens the user's character devices, then the board's (a board spec {@code chardev:ID}
     * gives the user's device {@code ID} the board's id as a second name), then adds the
     * board's built-in devices, in order.
     */
    private void plugBoard(DefaultMachine machine, Map<String, String> userCharDevices) {
        Map<String, CharDeviceRegistration> opened = new LinkedHashMap<>();
        userCharDevices.forEach((id, spec) -> opened.put(id, openCharDevice(machine, id, spec)));
        for (Map.Entry<String, String> e : machine.charDevices().entrySet()) {
            String id = e.getKey();
            String spec = e.getValue();
            if (opened.containsKey(id)) {
                throw new IllegalArgumentException("character device id '" + id + "' is taken: machine type '" + machine.type()
                        + "' names its own character device so; choose another id");
            }
            if (spec.startsWith(CharDeviceSpecs.ALIAS_PREFIX)) {
                String target = spec.substring(CharDeviceSpecs.ALIAS_PREFIX.length());
                CharDeviceRegistration existing = opened.get(target);
                if (existing == null) {
                    throw new IllegalArgumentException("'" + spec + "' (for " + id + ") names no character device of machine '"
                            + machine.name() + "'; its character devices: "
                            + (userCharDevices.isEmpty() ? "(none)" : String.join(", ", userCharDevices.keySet())));
                }
                existing.addName(id);
            } else {
                opened.put(id, openCharDevice(machine, id, spec));
            }
        }
        List<DefaultMachine.BuiltInDevice> devices = machine.builtInDevices();
        if (devices.isEmpty()) {
            return;
        }
        // Looked up, not referenced: the device manager itself depends on this component.
        ServiceReference<DeviceManager> reference = context.getServiceReference(DeviceManager.class);
        DeviceManager manager = reference == null ? null : context.getService(reference);
        if (manager == null) {
            throw new IllegalStateException("machine '" + machine.name() + "' needs devices but the device manager is not running");
        }
        try {
            addDevices(machine, manager, devices);
        } finally {
            context.ungetService(reference);
        }
    }

    /** A character device's service, registered under one id or more. */
    private static final class CharDeviceRegistration {
        private final ServiceRegistration<CharDevice> registration;
        private final Hashtable<String, Object> properties;
        private final List<String> names = new java.util.ArrayList<>();

        CharDeviceRegistration(ServiceRegistration<CharDevice> registration, Hashtable<String, Object> properties, String id) {
            this.registration = registration;
            this.properties = properties;
            names.add(id);
        }

        /** Another id devices can select it by; a service property with several values matches a filter on any one. */
        void addName(String id) {
            names.add(id);
            properties.put(DeviceConstants.ID, names.toArray(String[]::new));
            registration.setProperties(properties);
        }
    }

    private CharDeviceRegistration openCharDevice(DefaultMachine machine, String id, String spec) {
        CharDevice device = CharDeviceSpecs.open(charDeviceBackends, id, spec);
        machine.closeOnDispose(device);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(DeviceConstants.MACHINE, machine.name());
        props.put(DeviceConstants.ID, id);
        ServiceRegistration<CharDevice> registration = context.registerService(CharDevice.class, device, props);
        machine.closeOnDispose(registration::unregister);
        return new CharDeviceRegistration(registration, props, id);
    }

    private static void addDevices(DefaultMachine machine, DeviceManager manager, List<DefaultMachine.BuiltInDevice> devices) {
        for (DefaultMachine.BuiltInDevice device : devices) {
            if (manager.type(device.type()).isEmpty()) {
                throw new IllegalStateException("machine type '" + machine.type() + "' needs device type '" + device.type()
                        + "', which no installed bundle provides; installed: "
                        + manager.types().stream().map(DeviceType::name).collect(Collectors.joining(", ")));
            }
            try {
                manager.add(machine.name(), device.type(), device.id(), device.properties());
            } catch (RuntimeException e) {
                throw new IllegalStateException("built-in device '" + device.id() + "' of machine '" + machine.name() + "': "
                        + e.getMessage(), e);
            }
        }
    }

    private static Map<String, String> mergeOptions(MachineType type, Map<String, String> given) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (MachineOption option : type.options()) {
            merged.put(option.name(), option.defaultValue());
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!merged.containsKey(e.getKey()) && !e.getKey().equals(ACCEL_OPTION) && !e.getKey().equals(REBOOT_OPTION)) {
                throw new IllegalArgumentException("machine type '" + type.name() + "' has no option '" + e.getKey()
                        + "'; options: " + type.options().stream().map(o -> o.name() + " (" + o.description() + ")")
                                .collect(Collectors.joining(", ", "", ", ")) + ACCEL_OPTION + " (the accelerator), "
                        + REBOOT_OPTION + " (on: a guest's reset request resets the machine; off: shuts it down)");
            }
            merged.put(e.getKey(), e.getValue());
        }
        String reboot = merged.getOrDefault(REBOOT_OPTION, "on");
        if (!reboot.equals("on") && !reboot.equals("off")) {
            throw new IllegalArgumentException(REBOOT_OPTION + "=" + reboot + " is not valid; use on or off");
        }
        return merged;
    }

    @Override
    public Optional<Machine> find(String name) {
        return Optional.ofNullable(machines.get(name)).map(Entry::machine);
    }

    @Override
    public List<Machine> machines() {
        return machines.values().stream().map(e -> (Machine) e.machine()).sorted(Comparator.comparing(Machine::name)).toList();
    }

    @Override
    public List<MachineType> types() {
        return types.stream().sorted(Comparator.comparing(MachineType::name)).toList();
    }

    @Override
    public void destroy(String name) {
        Entry entry;
        synchronized (machines) {
            entry = machines.remove(name);
        }
        if (entry == null) {
            throw new IllegalArgumentException("no machine named '" + name + "'; machines: "
                    + machines().stream().map(Machine::name).collect(Collectors.joining(", ")));
        }
        teardown(entry);
    }

    /** Devices go first (their components deactivate as the machine service goes), then the memory. */
    private void teardown(Entry entry) {
        entry.machine().shutdown();
        entry.registration().unregister();
        deleteDeviceConfigurations(entry.machine().name());
        entry.machine().dispose();
    }

    /** @param machine a machine's name, or {@code *} for those of every machine */
    private void deleteDeviceConfigurations(String machine) {
        try {
            String filter = machine.equals("*") ? "(" + DeviceConstants.MACHINE + "=*)" : DeviceConstants.machineFilter(machine);
            Configuration[] configurations = configurationAdmin.listConfigurations(filter);
            if (configurations != null) {
                for (Configuration configuration : configurations) {
                    configuration.delete();
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("could not remove the device configurations of machine '" + machine + "': " + e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        for (String name : List.copyOf(machines.keySet())) {
            Entry entry = machines.remove(name);
            if (entry != null) {
                entry.machine().shutdown();
                entry.registration().unregister();
                entry.machine().dispose();
            }
        }
    }
}
