package io.tessera.core.runtime.device;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.DeviceInfo;
import io.tessera.core.device.DeviceManager;
import io.tessera.core.device.DeviceType;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineManager;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Device instances as factory configurations: the type and its properties come from the
 * metatype of the providing bundle; realization is Declarative Services' work, watched here
 * through the registry and the runtime's DTOs so that a failure is reported and undone.
 */
@Component(service = DeviceManager.class)
public final class DeviceManagerImpl implements DeviceManager {

    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    private static final long REALIZE_TIMEOUT_MS = 10_000;
    private static final String TARGET_SUFFIX = ".target";

    private final BundleContext context;
    private final ConfigurationAdmin configurationAdmin;
    private final MetaTypeService metaType;
    private final ServiceComponentRuntime scr;
    private final MachineManager machines;

    @Activate
    public DeviceManagerImpl(BundleContext context, @Reference ConfigurationAdmin configurationAdmin,
            @Reference MetaTypeService metaType, @Reference ServiceComponentRuntime scr,
            @Reference MachineManager machines) {
        this.context = context;
        this.configurationAdmin = configurationAdmin;
        this.metaType = metaType;
        this.scr = scr;
        this.machines = machines;
    }

    @Override
    public List<DeviceType> types() {
        Map<String, DeviceType> types = new TreeMap<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getState() != Bundle.ACTIVE) {
                continue;
            }
            MetaTypeInformation info = metaType.getMetaTypeInformation(bundle);
            if (info == null) {
                continue;
            }
            for (String pid : info.getFactoryPids()) {
                String name = DeviceConstants.typeOf(pid);
                if (name != null) {
                    types.putIfAbsent(name, describe(name, bundle, info.getObjectClassDefinition(pid, null)));
                }
            }
        }
        return List.copyOf(types.values());
    }

    private static DeviceType describe(String name, Bundle bundle, ObjectClassDefinition ocd) {
        List<DeviceType.PropertyInfo> properties = new ArrayList<>();
        AttributeDefinition[] ads = ocd.getAttributeDefinitions(ObjectClassDefinition.ALL);
        for (AttributeDefinition ad : ads == null ? new AttributeDefinition[0] : ads) {
            String[] defaults = ad.getDefaultValue();
            String[] options = ad.getOptionValues();
            properties.add(new DeviceType.PropertyInfo(ad.getID(), PropertyValues.typeName(ad.getType()),
                    ad.getDescription() == null ? "" : ad.getDescription(),
                    defaults == null || defaults.length == 0 ? null : defaults[0],
                    options == null ? List.of() : List.of(options)));
        }
        return new DeviceType(name, ocd.getDescription() == null ? ocd.getName() : ocd.getDescription(),
                bundle.getSymbolicName() + " " + bundle.getVersion(), List.copyOf(properties));
    }

    @Override
    public Optional<DeviceType> type(String name) {
        return types().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    @Override
    public DeviceInfo add(String machineName, String typeName, String id, Map<String, String> properties) {
        Machine machine = machines.find(machineName).orElseThrow(() -> new IllegalArgumentException(
                "no machine named '" + machineName + "'; machines: " + names(machines.machines().stream().map(Machine::name).toList())));
        List<DeviceType> installed = types();
        DeviceType type = installed.stream().filter(t -> t.name().equals(typeName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown device type '" + typeName + "'; installed types: "
                        + names(installed.stream().map(DeviceType::name).toList())));
        Map<String, String> targets = new LinkedHashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        properties.forEach((key, value) -> (key.endsWith(TARGET_SUFFIX) ? targets : values).put(key, value));
        Hashtable<String, Object> config = PropertyValues.convert(type, values);
        config.putAll(referenceTargets(type.name(), machine.name(), targets));
        synchronized (this) {
            String instanceId = id == null ? freeId(machine.name(), type.name()) : id;
            if (!ID.matcher(instanceId).matches()) {
                throw new IllegalArgumentException("device id '" + instanceId
                        + "' is not valid; start with a letter, then letters, digits, '_', '.', '-'");
            }
            if (configuration(machine.name(), instanceId).isPresent()) {
                throw new IllegalArgumentException("machine '" + machine.name() + "' has a device '" + instanceId + "' already");
            }
            config.put(DeviceConstants.ID, instanceId);
            config.put(DeviceConstants.MACHINE, machine.name());
            config.put(DeviceConstants.TYPE, type.name());
            config.put(DeviceConstants.MACHINE_TARGET, DeviceConstants.machineFilter(machine.name()));
            Configuration configuration;
            try {
                configuration = configurationAdmin.createFactoryConfiguration(DeviceConstants.factoryPid(type.name()), "?");
                configuration.update(config);
            } catch (IOException e) {
                throw new IllegalStateException("could not write the configuration of '" + instanceId + "': " + e.getMessage(), e);
            }
            awaitRealized(configuration, machine.name(), instanceId);
            return find(machine.name(), instanceId).orElseThrow();
        }
    }

    /**
     * The reference targets of an instance. A device finds its interrupt controller, character
     * device or other peers by {@code tessera.id}; those ids are unique only within a machine,
     * so every such target, the component's own or one the user gave as {@code NAME.target}
     * (an id or a filter), is narrowed to the device's machine.
     */
    private Map<String, String> referenceTargets(String type, String machine, Map<String, String> given) {
        Map<String, String> declared = new LinkedHashMap<>();
        String pid = DeviceConstants.factoryPid(type);
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (Arrays.asList(description.configurationPid).contains(pid)) {
                for (ReferenceDTO reference : description.references) {
                    if (!reference.name.equals("machine")) {
                        declared.put(reference.name, reference.target);
                    }
                }
            }
        }
        Map<String, String> targets = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String reference = e.getKey().substring(0, e.getKey().length() - TARGET_SUFFIX.length());
            if (!declared.containsKey(reference)) {
                throw new IllegalArgumentException("device type '" + type + "' has no reference '" + reference + "' for "
                        + e.getKey() + "; its references: " + (declared.isEmpty() ? "(none)" : String.join(", ", declared.keySet())));
            }
            String value = e.getValue().trim();
            declared.put(reference, value.startsWith("(") ? value : "(" + DeviceConstants.ID + "=" + value + ")");
        }
        declared.forEach((reference, target) -> {
            if (target != null && target.contains(DeviceConstants.ID + "=")) {
                targets.put(reference + TARGET_SUFFIX, "(&" + DeviceConstants.machineFilter(machine) + target + ")");
            } else if (target != null && given.containsKey(reference + TARGET_SUFFIX)) {
                targets.put(reference + TARGET_SUFFIX, target);
            }
        });
        return targets;
    }

    private void awaitRealized(Configuration configuration, String machine, String id) {
        String pid = configuration.getFactoryPid();
        long deadline = System.nanoTime() + REALIZE_TIMEOUT_MS * 1_000_000;
        while (true) {
            // SCR registers a component's service before it activates the component: only
            // the ACTIVE state of its configuration says the realization has finished.
            ComponentConfigurationDTO component = component(pid, machine, id);
            if (component != null && component.state == ComponentConfigurationDTO.ACTIVE && deviceService(machine, id) != null) {
                return;
            }
            String problem = problem(pid, machine, id);
            boolean failed = problem != null && problem.startsWith("failed");
            if (failed || System.nanoTime() > deadline) {
                deleteQuietly(configuration);
                throw new IllegalStateException("device '" + id + "' was not added: "
                        + (problem != null ? problem : "it was not realized within " + REALIZE_TIMEOUT_MS / 1000 + " s"));
            }
            sleep();
        }
    }

    private static String typeOf(Configuration configuration) {
        return DeviceConstants.typeOf(configuration.getFactoryPid());
    }

    @Override
    public List<DeviceInfo> list(String machine) {
        String filter = machine == null ? "(" + DeviceConstants.MACHINE + "=*)" : DeviceConstants.machineFilter(machine);
        List<DeviceInfo> devices = new ArrayList<>();
        for (Configuration configuration : configurations(filter)) {
            if (DeviceConstants.typeOf(configuration.getFactoryPid()) != null) {
                devices.add(info(configuration));
            }
        }
        devices.sort(Comparator.comparing(DeviceInfo::machine).thenComparing(DeviceInfo::id));
        return devices;
    }

    @Override
    public Optional<DeviceInfo> find(String machine, String id) {
        return configuration(machine, id).map(this::info);
    }

    @Override
    public void remove(String machine, String id) {
        Configuration configuration = configuration(machine, id).orElseThrow(() -> new IllegalArgumentException(
                "machine '" + machine + "' has no device '" + id + "'; its devices: "
                        + names(list(machine).stream().map(DeviceInfo::id).toList())));
        try {
            configuration.delete();
        } catch (IOException e) {
            throw new IllegalStateException("could not delete the configuration of '" + id + "': " + e.getMessage(), e);
        }
        // SCR unregisters the service before the device's deactivate unmaps it: the device is
        // gone when both are.
        long deadline = System.nanoTime() + REALIZE_TIMEOUT_MS * 1_000_000;
        while (deviceService(machine, id) != null
                || !machines.find(machine).map(m -> regionsOf(m.systemBus(), id)).orElse(List.of()).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("device '" + id + "' is still realized " + REALIZE_TIMEOUT_MS / 1000
                        + " s after its configuration was deleted");
            }
            sleep();
        }
    }

    private DeviceInfo info(Configuration configuration) {
        Dictionary<String, Object> props = configuration.getProperties();
        String machine = (String) props.get(DeviceConstants.MACHINE);
        String id = (String) props.get(DeviceConstants.ID);
        String type = DeviceConstants.typeOf(configuration.getFactoryPid());
        Map<String, Object> shown = new LinkedHashMap<>();
        for (Enumeration<String> keys = props.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            if (!key.startsWith("tessera.") && !key.startsWith("service.") && !key.endsWith(".target")) {
                Object value = props.get(key);
                shown.put(key, value.getClass().isArray() ? Arrays.toString((Object[]) value) : value);
            }
        }
        ServiceReference<Device> service = deviceService(machine, id);
        String bundle;
        DeviceInfo.Status status;
        String problem = null;
        if (service != null) {
            status = DeviceInfo.Status.ACTIVE;
            bundle = service.getBundle().getSymbolicName() + " " + service.getBundle().getVersion();
        } else {
            problem = problem(configuration.getFactoryPid(), machine, id);
            status = problem != null && problem.startsWith("failed") ? DeviceInfo.Status.FAILED : DeviceInfo.Status.INACTIVE;
            bundle = type(type).map(DeviceType::bundle).orElse(null);
            if (problem == null) {
                problem = bundle == null ? "no installed bundle provides type '" + type + "'" : "not realized";
            }
        }
        List<String> regions = machines.find(machine).map(m -> regionsOf(m.systemBus(), id)).orElse(List.of());
        return new DeviceInfo(machine, id, type, status, shown, bundle, regions, problem);
    }

    private static List<String> regionsOf(SystemBus bus, String owner) {
        return bus.mappings().stream().filter(m -> m.owner().equals(owner)).map(Object::toString).toList();
    }

    /** @return the SCR component configuration of this instance, or {@code null} when SCR has none (yet) */
    private ComponentConfigurationDTO component(String factoryPid, String machine, String id) {
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (!Arrays.asList(description.configurationPid).contains(factoryPid)) {
                continue;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(description)) {
                if (id.equals(c.properties.get(DeviceConstants.ID)) && machine.equals(c.properties.get(DeviceConstants.MACHINE))) {
                    return c;
                }
            }
        }
        return null;
    }

    /** @return why the component configuration of this instance is not active, from SCR's DTOs, or {@code null} */
    private String problem(String factoryPid, String machine, String id) {
        ComponentConfigurationDTO c = component(factoryPid, machine, id);
        if (c == null) {
            return null;
        }
        if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
            return "failed to realize: " + firstLine(c.failure);
        }
        if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE && c.unsatisfiedReferences.length > 0) {
            return "waiting for " + Arrays.stream(c.unsatisfiedReferences)
                    .map(r -> r.name + " " + r.target).collect(Collectors.joining(", "));
        }
        return null;
    }

    private static String firstLine(String failure) {
        if (failure == null) {
            return "unknown reason";
        }
        // SCR reports the stack trace; the message of the innermost cause is what the user needs.
        String reason = null;
        for (String line : failure.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("Caused by: ") || reason == null) {
                reason = trimmed.startsWith("Caused by: ") ? trimmed.substring("Caused by: ".length()) : trimmed;
            }
        }
        int colon = reason.indexOf(": ");
        return colon > 0 && reason.substring(0, colon).matches("[\\w.$]+") ? reason.substring(colon + 2) : reason;
    }

    private ServiceReference<Device> deviceService(String machine, String id) {
        try {
            Collection<ServiceReference<Device>> refs = context.getServiceReferences(Device.class,
                    "(&" + DeviceConstants.machineFilter(machine) + "(" + DeviceConstants.ID + "=" + id + "))");
            return refs.isEmpty() ? null : refs.iterator().next();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("device id '" + id + "' cannot be looked up: " + e.getMessage(), e);
        }
    }

    private Optional<Configuration> configuration(String machine, String id) {
        return configurations("(&" + DeviceConstants.machineFilter(machine) + "(" + DeviceConstants.ID + "=" + id + "))")
                .stream().findFirst();
    }

    private List<Configuration> configurations(String filter) {
        try {
            Configuration[] found = configurationAdmin.listConfigurations(filter);
            return found == null ? List.of() : List.of(found);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("could not list device configurations: " + e.getMessage(), e);
        }
    }

    private String freeId(String machine, String type) {
        String stem = type.replaceAll("[^A-Za-z0-9_.-]", "-");
        for (int n = 0;; n++) {
            String candidate = stem + n;
            if (configuration(machine, candidate).isEmpty()) {
                return candidate;
            }
        }
    }

    private static void deleteQuietly(Configuration configuration) {
        try {
            configuration.delete();
        } catch (IOException | IllegalStateException e) {
            System.getLogger(DeviceManagerImpl.class.getName()).log(System.Logger.Level.WARNING,
                    "could not delete configuration " + configuration.getPid(), e);
        }
    }

    private static String names(List<String> names) {
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a device", e);
        }
    }
}
