package io.tessera.monitor.cli;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.device.DeviceManager;
import io.tessera.core.machine.Machine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Plugs the {@code -drive} and {@code -device} options into a created machine, as QEMU does:
 * a device's {@code drive=ID} names a {@code -drive}'s file and format, an {@code if=virtio}
 * drive becomes a {@code virtio-blk-device} of its own, and a virtio-mmio device without a
 * {@code base} goes into the board's next free slot, the highest address first (so the first
 * disk is the last slot, as on QEMU's virt).
 *
 * <p>A device's {@code chardev=ID} names a {@code -chardev} (it becomes the device's
 * {@code chardev.target}); QEMU's {@code -device virtio-serial-device -device
 * virtconsole,chardev=ID} becomes one {@code virtio-console-device} ({@link VirtioSerialSpelling}).
 *
 * <p>Boards offer their virtio-mmio slots as bus regions named {@code virtio-slot-irqN}
 * (N: the slot's interrupt input); a device plugged in maps over its slot.
 */
final class CommandLineDevices {

    private static final Pattern SLOT = Pattern.compile("virtio-slot-irq(\\d+)");
    private static final Set<String> DRIVE_KEYS = Set.of("file", "format", "if", "id", "readonly", "cache", "media", "discard");

    private CommandLineDevices() {
    }

    static void plug(Machine machine, DeviceManager devices, CommandLine line) throws CommandLine.UsageException {
        Map<String, Map<String, String>> drivesById = new HashMap<>();
        List<CommandLine.Device> toAdd = new ArrayList<>();
        for (Map<String, String> drive : line.drives()) {
            for (String key : drive.keySet()) {
                if (!DRIVE_KEYS.contains(key)) {
                    throw new CommandLine.UsageException("-drive has no option '" + key + "'; options: "
                            + DRIVE_KEYS.stream().sorted().collect(Collectors.joining(", ")));
                }
            }
            String interfaceType = drive.getOrDefault("if", "none");
            switch (interfaceType) {
                case "none" -> {
                    String id = drive.get("id");
                    if (id == null) {
                        throw new CommandLine.UsageException("-drive file=" + drive.get("file")
                                + ",if=none needs an id=ID for a -device ...,drive=ID to use it");
                    }
                    drivesById.put(id, drive);
                }
                case "virtio" -> toAdd.add(new CommandLine.Device("virtio-blk-device", new LinkedHashMap<>(blockProperties(drive))));
                default -> throw new CommandLine.UsageException("-drive if=" + interfaceType + " is not supported; valid: none, virtio");
            }
        }
        for (CommandLine.Device device : VirtioSerialSpelling.translate(line.devices())) {
            Map<String, String> properties = new LinkedHashMap<>(device.properties());
            String chardev = properties.remove("chardev");
            if (chardev != null) {
                properties.put("chardev.target", chardev);
            }
            String driveId = properties.remove("drive");
            if (driveId != null) {
                Map<String, String> drive = drivesById.get(driveId);
                if (drive == null) {
                    throw new CommandLine.UsageException("-device " + device.type() + ",drive=" + driveId
                            + ": no -drive has id=" + driveId + "; drives: " + String.join(", ", drivesById.keySet()));
                }
                properties.putAll(blockProperties(drive));
            }
            toAdd.add(new CommandLine.Device(device.type(), properties));
        }
        for (CommandLine.Device device : toAdd) {
            Map<String, String> properties = new LinkedHashMap<>(device.properties());
            String id = properties.remove("id");
            if (device.type().startsWith("virtio-") && device.type().endsWith("-device") && !properties.containsKey("base")) {
                long[] slot = freeSlot(machine);
                properties.put("base", "0x" + Long.toHexString(slot[0]));
                properties.putIfAbsent("irq", Long.toString(slot[1]));
            }
            devices.add(machine.name(), device.type(), id, properties);
        }
    }

    /**
     * Checks that every {@code chardev=ID} and {@code -serial chardev:ID} names a {@code -chardev},
     * and that each has one front end (two would take each other's input), before anything is made.
     */
    static void checkCharDeviceUses(CommandLine line) throws CommandLine.UsageException {
        Map<String, String> users = new LinkedHashMap<>();
        if (line.serial() != null && line.serial().startsWith("chardev:")) {
            users.put(line.serial().substring("chardev:".length()), "-serial " + line.serial());
        }
        for (CommandLine.Device device : VirtioSerialSpelling.translate(line.devices())) {
            String id = device.properties().get("chardev");
            if (id == null) {
                if (device.type().equals("virtio-console-device")) {
                    throw new CommandLine.UsageException("-device virtio-console-device needs chardev=ID, the id of a -chardev; "
                            + charDeviceIds(line));
                }
                continue;
            }
            String user = "-device " + device.type() + ",chardev=" + id;
            if (!line.charDevices().containsKey(id)) {
                throw new CommandLine.UsageException(user + ": no -chardev has id=" + id + "; " + charDeviceIds(line));
            }
            String other = users.putIfAbsent(id, user);
            if (other != null) {
                throw new CommandLine.UsageException("-chardev " + id + " is used by both '" + other + "' and '" + user
                        + "'; a character device has one front end: add another -chardev");
            }
        }
    }

    private static String charDeviceIds(CommandLine line) {
        return "-chardev ids: " + (line.charDevices().isEmpty() ? "(none)" : String.join(", ", line.charDevices().keySet()));
    }

    private static Map<String, String> blockProperties(Map<String, String> drive) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("drive", drive.get("file"));
        if (drive.containsKey("format")) {
            properties.put("format", drive.get("format"));
        }
        if (drive.containsKey("readonly")) {
            properties.put("readonly", Boolean.toString(drive.get("readonly").equals("on") || drive.get("readonly").equals("true")));
        }
        if (drive.containsKey("cache")) {
            properties.put("cache", drive.get("cache").equals("writethrough") ? "writethrough" : "writeback");
        }
        return properties;
    }

    /** @return base and interrupt input of the highest free virtio-mmio slot */
    private static long[] freeSlot(Machine machine) throws CommandLine.UsageException {
        List<SystemBus.Mapping> mappings = machine.systemBus().mappings();
        SystemBus.Mapping free = mappings.stream()
                .filter(m -> SLOT.matcher(m.region().name()).matches())
                .filter(slot -> mappings.stream().noneMatch(other -> other != slot && other.base() == slot.base()))
                .max(Comparator.comparingLong(SystemBus.Mapping::base))
                .orElseThrow(() -> new CommandLine.UsageException("machine '" + machine.name() + "' ("
                        + machine.type() + ") has no free virtio-mmio slot"));
        Matcher m = SLOT.matcher(free.region().name());
        m.matches();
        return new long[] {free.base(), Long.parseLong(m.group(1))};
    }
}
