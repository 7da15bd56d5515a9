package io.tessera.monitor.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The QEMU command-line options Tessera accepts (DESIGN.md §5), turned into a machine type
 * and its options: {@code qemu-system-riscv64 -machine spike -nographic -bios none -kernel
 * test.elf} works with {@code run/tessera} in its place.
 *
 * @param machineType the board ({@code -machine}/{@code -M})
 * @param options the machine's options, by the names its type gives them
 * @param startPaused whether {@code -S} asked to wait for the monitor before running
 * @param serial the console's host side from {@code -serial} ({@code stdio}, {@code null},
 *     {@code file:PATH}, {@code tcp:HOST:PORT[,...]}, {@code unix:PATH[,...]}, {@code chardev:ID}),
 *     or {@code null} for the board's default
 * @param charDevices the {@code -chardev} options: id to spec ({@code KIND[,KEY=VALUE...]}), in order
 * @param drives the {@code -drive} options, each as its keys and values
 * @param devices the {@code -device} options: the device type, then its properties
 */
record CommandLine(String machineType, Map<String, String> options, boolean startPaused, String serial,
        Map<String, String> charDevices, List<Map<String, String>> drives, List<Device> devices) {

    /** A {@code -device TYPE,prop=value,...}. */
    record Device(String type, Map<String, String> properties) {
    }

    /** Options that take a value, and the machine option each becomes. */
    private static final Map<String, String> VALUE_OPTIONS = Map.of(
            "-m", "memory", "-smp", "smp", "-kernel", "kernel", "-bios", "bios", "-append", "append",
            "-initrd", "initrd", "-accel", "accel", "-dtb", "dtb");
    /** Options accepted for compatibility that change nothing here (the console is always on stdio). */
    private static final List<String> IGNORED_FLAGS = List.of("-nographic", "-nodefaults");
    private static final Map<String, List<String>> IGNORED_WITH_VALUE = Map.of(
            "-display", List.of("none"), "-monitor", List.of("none"), "-cpu", List.of("rv64"));
    private static final List<String> OWN_VALUE_OPTIONS = List.of("-machine", "-M", "-serial", "-chardev", "-drive", "-device");
    /** {@code -serial} forms whose rest the character device layer checks. */
    private static final List<String> SERIAL_PREFIXES = List.of("file:", "tcp:", "unix:", "chardev:");
    private static final String SERIAL_FORMS = "stdio, mon:stdio, null, none, file:PATH, tcp:HOST:PORT[,server=on][,wait=off], "
            + "unix:PATH[,server=on], chardev:ID";

    /** A command line that cannot be run, with what is wrong and what would be valid. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static CommandLine parse(List<String> args, String defaultMachine) throws UsageException {
        String machine = null;
        Map<String, String> options = new LinkedHashMap<>();
        boolean paused = false;
        String serial = null;
        Map<String, String> charDevices = new LinkedHashMap<>();
        List<Map<String, String>> drives = new ArrayList<>();
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.startsWith("--") ? arg.substring(1) : arg;
            if (IGNORED_FLAGS.contains(name)) {
                continue;
            }
            if (name.equals("-S")) {
                paused = true;
                continue;
            }
            if (name.equals("-no-reboot")) {
                // The guest's reboot ends the emulator instead.
                options.put("reboot", "off");
                continue;
            }
            boolean takesValue = VALUE_OPTIONS.containsKey(name) || IGNORED_WITH_VALUE.containsKey(name)
                    || OWN_VALUE_OPTIONS.contains(name);
            if (!takesValue) {
                throw new UsageException("unknown option '" + arg + "'; valid: " + validOptions());
            }
            if (i + 1 >= args.size()) {
                throw new UsageException("option '" + arg + "' needs a value");
            }
            String value = args.get(++i);
            if (name.equals("-machine") || name.equals("-M")) {
                String[] parts = value.split(",");
                for (String part : parts) {
                    int eq = part.indexOf('=');
                    if (eq < 0) {
                        if (machine != null && !machine.equals(part)) {
                            throw new UsageException("-machine names two boards: '" + machine + "' and '" + part + "'");
                        }
                        machine = part;
                    } else if (part.startsWith("type=")) {
                        machine = part.substring(5);
                    } else {
                        options.put(part.substring(0, eq), part.substring(eq + 1));
                    }
                }
            } else if (name.equals("-serial")) {
                serial = switch (value) {
                    case "stdio", "mon:stdio" -> "stdio";
                    case "null", "none" -> "null";
                    default -> {
                        String prefix = SERIAL_PREFIXES.stream().filter(value::startsWith).findFirst().orElse(null);
                        if (prefix != null && value.length() > prefix.length()) {
                            yield value;
                        }
                        throw new UsageException("'-serial " + value + "' is not supported; valid: " + SERIAL_FORMS);
                    }
                };
            } else if (name.equals("-chardev")) {
                charDevice(value, charDevices);
            } else if (name.equals("-drive")) {
                Map<String, String> drive = keyValues(arg, value, "file");
                if (!drive.containsKey("file")) {
                    throw new UsageException("'-drive " + value + "' names no file; use -drive file=PATH[,format=raw|qcow2][,if=none|virtio][,id=ID][,readonly=on]");
                }
                drives.add(drive);
            } else if (name.equals("-device")) {
                Map<String, String> properties = keyValues(arg, value, "driver");
                String type = properties.remove("driver");
                if (type == null || type.isEmpty()) {
                    throw new UsageException("'-device " + value + "' names no device type; use -device TYPE[,prop=value...]");
                }
                devices.add(new Device(type, properties));
            } else if (IGNORED_WITH_VALUE.containsKey(name)) {
                if (!IGNORED_WITH_VALUE.get(name).contains(value)) {
                    throw new UsageException("'" + arg + " " + value + "' is not supported; valid: "
                            + String.join(", ", IGNORED_WITH_VALUE.get(name)));
                }
            } else if (name.equals("-m")) {
                // QEMU's -m takes a bare number as MiB, and also size=N.
                String size = value.startsWith("size=") ? value.substring(5) : value;
                options.put("memory", size.matches("\\d+") ? size + "M" : size);
            } else if (name.equals("-accel")) {
                // The accelerator's options go with its name (tcg,threshold=0): the machine checks them.
                options.put("accel", value.startsWith("accel=") ? value.substring(6) : value);
            } else {
                options.put(VALUE_OPTIONS.get(name), value);
            }
        }
        if (serial != null && serial.startsWith("chardev:") && !charDevices.containsKey(serial.substring(8))) {
            throw new UsageException("'-serial " + serial + "': no -chardev has id=" + serial.substring(8) + "; -chardev ids: "
                    + (charDevices.isEmpty() ? "(none)" : String.join(", ", charDevices.keySet())));
        }
        return new CommandLine(machine == null ? defaultMachine : machine, options, paused, serial,
                java.util.Collections.unmodifiableMap(charDevices), List.copyOf(drives), List.copyOf(devices));
    }

    /**
     * {@code -chardev BACKEND,id=ID[,KEY=VALUE...]}: the backend and its options become a spec
     * the character device layer opens (and checks: an unknown backend or option is refused
     * there, with the installed ones listed).
     */
    private static void charDevice(String value, Map<String, String> charDevices) throws UsageException {
        String[] parts = value.split(",", -1);
        String backend = parts[0].trim();
        if (backend.isEmpty() || backend.contains("=")) {
            throw new UsageException("'-chardev " + value + "' names no backend; use -chardev BACKEND,id=ID[,options] with "
                    + "BACKEND one of " + CHARDEV_BACKENDS);
        }
        StringBuilder spec = new StringBuilder(backend);
        String id = null;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith("id=")) {
                id = parts[i].substring(3);
            } else {
                spec.append(',').append(parts[i]);
            }
        }
        if (id == null || id.isEmpty()) {
            throw new UsageException("'-chardev " + value + "' has no id; use -chardev " + backend
                    + ",id=ID[,options] (-serial chardev:ID and -device ...,chardev=ID refer to it)");
        }
        if (charDevices.containsKey(id)) {
            throw new UsageException("'-chardev " + value + "': id=" + id + " is taken by '-chardev " + charDevices.get(id)
                    + "'; every -chardev needs an id of its own");
        }
        charDevices.put(id, spec.toString());
    }

    /** The {@code -chardev} backends, as the help names them (the installed ones are checked when the machine is made). */
    private static final String CHARDEV_BACKENDS = "null, file (path=PATH[,append=on]), ringbuf ([size=N]), stdio, "
            + "socket (host=HOST,port=PORT or path=PATH; [server=on][,wait=off][,reconnect=SECONDS])";

    /** QEMU's {@code key=value,key=value} lists; a first item without '=' is the value of {@code implicitKey}. */
    private static Map<String, String> keyValues(String option, String text, String implicitKey) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        String[] parts = text.split(",");
        for (int i = 0; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0 && i == 0) {
                values.put(implicitKey, parts[i]);
            } else if (eq <= 0) {
                throw new UsageException("'" + option + " " + text + "': '" + parts[i] + "' is not KEY=VALUE");
            } else {
                values.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
        }
        return values;
    }

    private static String validOptions() {
        return "-machine/-M TYPE[,opt=value...], -m SIZE, -smp N, -bios FILE|none, -kernel FILE, -initrd FILE, "
                + "-append TEXT, -dtb FILE, -drive file=PATH[,...], -device TYPE[,prop=value...], -accel NAME[,option=value...], -cpu rv64, "
                + "-nographic, -no-reboot, -serial " + SERIAL_FORMS.replace(", ", "|") + ", -chardev BACKEND,id=ID[,options], -display none, -S";
    }
}
