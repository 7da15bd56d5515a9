package io.tessera.monitor.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * QEMU spells a virtio console as a bus and a port: {@code -device virtio-serial-device
 * -device virtconsole,chardev=ID}. Tessera's {@code virtio-console-device} is the two in one
 * (a single console port), so each {@code virtconsole} is paired with the
 * {@code virtio-serial-device} before it and the pair becomes one {@code virtio-console-device}.
 * What does not map (a second port on one bus, a bus with no console, other port kinds) is
 * refused with what would work.
 */
final class VirtioSerialSpelling {

    static final String BUS = "virtio-serial-device";
    static final String CONSOLE = "virtconsole";
    private static final Set<String> BUS_PROPERTIES = Set.of("id");
    private static final Set<String> CONSOLE_PROPERTIES = Set.of("chardev", "id");
    private static final String USE = "use -device virtio-serial-device -device virtconsole,chardev=ID (one console per "
            + "virtio-serial-device), or -device virtio-console-device,chardev=ID";

    private VirtioSerialSpelling() {
    }

    /** @return the devices with each bus-and-console pair replaced by one {@code virtio-console-device}, where the bus was */
    static List<CommandLine.Device> translate(List<CommandLine.Device> devices) throws CommandLine.UsageException {
        List<CommandLine.Device> result = new ArrayList<>();
        // Index in `result` of a bus that has no console yet.
        int openBus = -1;
        for (CommandLine.Device device : devices) {
            switch (device.type()) {
                case BUS -> {
                    refuseUnknown(device, BUS_PROPERTIES);
                    if (openBus >= 0) {
                        throw new CommandLine.UsageException("a -device " + BUS + " has no virtconsole; " + USE);
                    }
                    openBus = result.size();
                    result.add(device);
                }
                case CONSOLE -> {
                    refuseUnknown(device, CONSOLE_PROPERTIES);
                    if (openBus < 0) {
                        throw new CommandLine.UsageException("-device " + CONSOLE + " needs a -device " + BUS
                                + " of its own before it (Tessera's console has one port); " + USE);
                    }
                    result.set(openBus, new CommandLine.Device("virtio-console-device", new LinkedHashMap<>(device.properties())));
                    openBus = -1;
                }
                case "virtserialport" -> throw new CommandLine.UsageException("-device virtserialport is not supported: "
                        + "Tessera's virtio serial device is a console; " + USE);
                default -> result.add(device);
            }
        }
        if (openBus >= 0) {
            throw new CommandLine.UsageException("a -device " + BUS + " has no virtconsole; " + USE);
        }
        return result;
    }

    private static void refuseUnknown(CommandLine.Device device, Set<String> valid) throws CommandLine.UsageException {
        for (String key : device.properties().keySet()) {
            if (!valid.contains(key)) {
                throw new CommandLine.UsageException("-device " + device.type() + " has no property '" + key
                        + "' here; properties: " + String.join(", ", valid.stream().sorted().toList()));
            }
        }
    }
}
