package io.tessera.monitor.shell;

import io.tessera.core.accel.Accelerator;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.device.DeviceInfo;
import io.tessera.core.device.DeviceManager;
import io.tessera.core.device.DeviceType;
import io.tessera.core.isa.Cpu;
import io.tessera.core.isa.Isa;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineManager;
import io.tessera.core.machine.MachineOption;
import io.tessera.core.machine.MachineType;
import io.tessera.core.memory.FlatRange;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Gogo commands of scope {@code tessera}: assemble, inspect and tear down machines.
 * Each command is a noun with verbs ({@code machine create ...}); {@code help NOUN} and
 * {@code NOUN help} print its usage.
 */
@Component(service = TesseraCommands.class, property = {
    "osgi.command.scope=tessera",
    "osgi.command.function=types",
    "osgi.command.function=machine",
    "osgi.command.function=device"
})
public final class TesseraCommands {

    static final String TYPES_USAGE = "types [machine|device|isa|accel|block]";
    static final String MACHINE_USAGE = """
            machine types                          list machine types and their options
            machine create NAME [TYPE] [opt=value...]  create a machine (TYPE defaults to 'none')
            machine list                           list machines
            machine describe NAME                  show a machine: state, options, CPUs, memory map, devices
            machine start|pause|resume NAME        change a machine's run state
            machine reset NAME                     reset a machine as a power cycle would; it goes on running (or paused)
            machine destroy NAME                   remove a machine and its devices""";
    static final String DEVICE_USAGE = """
            device types                           list device types with their bundles
            device type TYPE                       show a device type's properties
            device add MACHINE TYPE [id=ID] [prop=value...]  add a device to a machine
            device list [MACHINE]                  list devices
            device describe MACHINE ID             show a device: status, properties, regions
            device remove MACHINE ID               remove a device""";

    private final BundleContext context;
    private final MachineManager machines;
    private final DeviceManager devices;

    @Activate
    public TesseraCommands(BundleContext context, @Reference MachineManager machines, @Reference DeviceManager devices) {
        this.context = context;
        this.machines = machines;
        this.devices = devices;
    }

    @Descriptor("list what is installed: machine types, device types, ISAs, accelerators and block formats, each with its bundle")
    public String types(@Descriptor("machine | device | isa | accel | block; all when omitted") String... kind) {
        Arguments args = Arguments.parse(kind).atMost(1, TYPES_USAGE).noSettings(TYPES_USAGE);
        String which = args.positional().isEmpty() ? "all" : args.positional().get(0);
        StringBuilder out = new StringBuilder();
        switch (which) {
            case "all" -> {
                for (String k : List.of("machine", "device", "isa", "accel", "block")) {
                    out.append(k).append(" types:\n").append(indent(types(k))).append('\n');
                }
                return out.toString().stripTrailing();
            }
            case "machine" -> {
                Table t = new Table("NAME", "DESCRIPTION", "BUNDLE");
                for (MachineType type : machines.types()) {
                    t.row(type.name(), type.description(), bundleOf(type));
                }
                return orNone(t);
            }
            case "device" -> {
                return deviceTypes();
            }
            case "isa" -> {
                return services(Isa.class, Isa::name, Isa::description);
            }
            case "accel" -> {
                return services(Accelerator.class, Accelerator::name,
                        a -> "ranking " + a.ranking() + (a.availability().available() ? "" : ", unavailable: " + a.availability().reason()));
            }
            case "block" -> {
                return services(BlockDriver.class, BlockDriver::format, d -> d.isProtocol() ? "protocol" : "format");
            }
            default -> throw new IllegalArgumentException("unknown kind '" + which + "'; usage: " + TYPES_USAGE);
        }
    }

    @Descriptor("create, list, describe, start, pause, resume, reset and destroy machines; 'machine help' for usage")
    public String machine(@Descriptor("verb (types, create, list, describe, start, pause, resume, reset, destroy, help) and its arguments") String... words) {
        Arguments args = Arguments.parse(words);
        String verb = args.positional().isEmpty() ? "help" : args.positional().get(0);
        switch (verb) {
            case "help" -> {
                return MACHINE_USAGE;
            }
            case "types" -> {
                args.atMost(1, "machine types").noSettings("machine types");
                Table t = new Table("TYPE", "OPTION", "DEFAULT", "DESCRIPTION");
                for (MachineType type : machines.types()) {
                    t.row(type.name(), "", "", type.description());
                    for (MachineOption o : type.options()) {
                        t.row("", o.name(), o.defaultValue(), o.description());
                    }
                }
                return orNone(t);
            }
            case "create" -> {
                String usage = "machine create NAME [TYPE] [opt=value...]";
                args.atMost(3, usage);
                String name = args.required(1, "machine name", usage);
                String type = args.positional().size() > 2 ? args.positional().get(2) : "none";
                Machine m = machines.create(name, type, args.settings());
                return "created " + m;
            }
            case "list" -> {
                args.atMost(1, "machine list").noSettings("machine list");
                Table t = new Table("NAME", "TYPE", "STATE", "CPUS", "DEVICES");
                for (Machine m : machines.machines()) {
                    t.row(m.name(), m.type(), m.state().name().toLowerCase(), m.cpus().size(), devices.list(m.name()).size());
                }
                return orNone(t);
            }
            case "describe" -> {
                args.atMost(2, "machine describe NAME").noSettings("machine describe NAME");
                return describe(machine(args.required(1, "machine name", "machine describe NAME")));
            }
            case "start", "pause", "resume", "reset" -> {
                String usage = "machine " + verb + " NAME";
                args.atMost(2, usage).noSettings(usage);
                Machine m = machine(args.required(1, "machine name", usage));
                switch (verb) {
                    case "start" -> m.start();
                    case "pause" -> m.pause();
                    case "reset" -> m.reset();
                    default -> m.resume();
                }
                return verb.equals("reset") ? "reset " + m : m.toString();
            }
            case "destroy" -> {
                args.atMost(2, "machine destroy NAME").noSettings("machine destroy NAME");
                String name = args.required(1, "machine name", "machine destroy NAME");
                machines.destroy(name);
                return "destroyed machine '" + name + "'";
            }
            default -> throw new IllegalArgumentException("unknown verb '" + verb + "'; usage:\n" + MACHINE_USAGE);
        }
    }

    @Descriptor("list device types; add, list, describe and remove devices; 'device help' for usage")
    public String device(@Descriptor("verb (types, type, add, list, describe, remove, help) and its arguments") String... words) {
        Arguments args = Arguments.parse(words);
        String verb = args.positional().isEmpty() ? "help" : args.positional().get(0);
        switch (verb) {
            case "help" -> {
                return DEVICE_USAGE;
            }
            case "types" -> {
                args.atMost(1, "device types").noSettings("device types");
                return deviceTypes();
            }
            case "type" -> {
                args.atMost(2, "device type TYPE").noSettings("device type TYPE");
                String name = args.required(1, "device type", "device type TYPE");
                DeviceType type = devices.type(name).orElseThrow(() -> new IllegalArgumentException(
                        "unknown device type '" + name + "'; installed types: " + String.join(", ",
                                devices.types().stream().map(DeviceType::name).toList())));
                Table t = new Table("PROPERTY", "TYPE", "DEFAULT", "DESCRIPTION");
                for (DeviceType.PropertyInfo p : type.properties()) {
                    t.row(p.name(), p.type(), p.required() ? "(required)" : p.defaultValue(),
                            p.description() + (p.options().isEmpty() ? "" : " [" + String.join("|", p.options()) + "]"));
                }
                return type.name() + ": " + type.description() + " (" + type.bundle() + ")\n" + orNone(t);
            }
            case "add" -> {
                String usage = "device add MACHINE TYPE [id=ID] [prop=value...]";
                args.atMost(3, usage);
                String machine = args.required(1, "machine name", usage);
                String type = args.required(2, "device type", usage);
                Map<String, String> props = new java.util.LinkedHashMap<>(args.settings());
                String id = props.remove("id");
                DeviceInfo added = devices.add(machine, type, id, props);
                return "added " + added.type() + " '" + added.id() + "' to machine '" + added.machine() + "'";
            }
            case "list" -> {
                args.atMost(2, "device list [MACHINE]").noSettings("device list [MACHINE]");
                String machine = args.positional().size() > 1 ? machine(args.positional().get(1)).name() : null;
                Table t = new Table("MACHINE", "ID", "TYPE", "STATUS", "BUNDLE");
                for (DeviceInfo d : devices.list(machine)) {
                    t.row(d.machine(), d.id(), d.type(), d.status().name().toLowerCase(), d.bundle());
                }
                return orNone(t);
            }
            case "describe" -> {
                String usage = "device describe MACHINE ID";
                args.atMost(3, usage).noSettings(usage);
                String machine = args.required(1, "machine name", usage);
                String id = args.required(2, "device id", usage);
                DeviceInfo d = devices.find(machine, id).orElseThrow(() -> noDevice(machine, id));
                StringBuilder out = new StringBuilder();
                out.append(d.type()).append(" '").append(d.id()).append("' on machine '").append(d.machine()).append("'\n");
                out.append("  status:   ").append(d.status().name().toLowerCase())
                        .append(d.problem() == null ? "" : " (" + d.problem() + ")").append('\n');
                out.append("  bundle:   ").append(d.bundle() == null ? "(none)" : d.bundle()).append('\n');
                d.properties().forEach((k, v) -> out.append("  ").append(k).append(" = ").append(format(v)).append('\n'));
                for (String region : d.regions()) {
                    out.append("  region   ").append(region).append('\n');
                }
                return out.toString().stripTrailing();
            }
            case "remove" -> {
                String usage = "device remove MACHINE ID";
                args.atMost(3, usage).noSettings(usage);
                String machine = args.required(1, "machine name", usage);
                String id = args.required(2, "device id", usage);
                machine(machine);
                devices.remove(machine, id);
                return "removed device '" + id + "' from machine '" + machine + "'";
            }
            default -> throw new IllegalArgumentException("unknown verb '" + verb + "'; usage:\n" + DEVICE_USAGE);
        }
    }

    private IllegalArgumentException noDevice(String machine, String id) {
        return new IllegalArgumentException("machine '" + machine + "' has no device '" + id + "'; its devices: "
                + String.join(", ", devices.list(machine).stream().map(DeviceInfo::id).toList()));
    }

    private Machine machine(String name) {
        return machines.find(name).orElseThrow(() -> new IllegalArgumentException("no machine named '" + name
                + "'; machines: " + (machines.machines().isEmpty() ? "(none)"
                        : String.join(", ", machines.machines().stream().map(Machine::name).toList()))));
    }

    private String describe(Machine m) {
        StringBuilder out = new StringBuilder();
        out.append("machine '").append(m.name()).append("'\n");
        out.append("  type:    ").append(m.type()).append('\n');
        out.append("  state:   ").append(m.state().name().toLowerCase()).append('\n');
        m.options().forEach((k, v) -> out.append("  ").append(k).append(" = ").append(v).append('\n'));
        out.append("  cpus:    ").append(m.cpus().size()).append('\n');
        for (Cpu cpu : m.cpus()) {
            out.append("    ").append(cpu.index()).append(": ").append(cpu.isa().name()).append('\n');
        }
        out.append("  memory map:\n");
        for (FlatRange range : m.memory().flatView()) {
            out.append("    ").append(range).append('\n');
        }
        out.append("  devices:\n");
        for (DeviceInfo d : devices.list(m.name())) {
            out.append("    ").append(d.id()).append(" (").append(d.type()).append(", ").append(d.status().name().toLowerCase()).append(")\n");
        }
        return out.toString().stripTrailing();
    }

    private String deviceTypes() {
        Table t = new Table("NAME", "DESCRIPTION", "BUNDLE");
        for (DeviceType type : devices.types()) {
            t.row(type.name(), type.description(), type.bundle());
        }
        return orNone(t);
    }

    private <S> String services(Class<S> kind, Function<S, String> name, Function<S, String> detail) {
        Table t = new Table("NAME", "DETAIL", "BUNDLE");
        try {
            for (ServiceReference<S> ref : context.getServiceReferences(kind, null)) {
                S service = context.getService(ref);
                if (service == null) {
                    continue;
                }
                try {
                    t.row(name.apply(service), detail.apply(service), describe(ref.getBundle()));
                } finally {
                    context.ungetService(ref);
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return orNone(t);
    }

    private static String bundleOf(Object service) {
        Bundle bundle = FrameworkUtil.getBundle(service.getClass());
        return bundle == null ? "" : describe(bundle);
    }

    private static String describe(Bundle bundle) {
        return bundle.getSymbolicName() + " " + bundle.getVersion();
    }

    private static String format(Object value) {
        return value instanceof Long l && Math.abs(l) >= 4096 ? "0x" + Long.toHexString(l) : String.valueOf(value).replace(", ", ",");
    }

    private static String orNone(Table t) {
        return t.isEmpty() ? "(none)" : t.toString().stripTrailing();
    }

    private static String indent(String text) {
        return Arrays.stream(text.split("\n")).map(l -> "  " + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }
}
