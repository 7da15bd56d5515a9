package io.tessera.monitor.shell;

import io.tessera.core.device.DeviceInfo;
import io.tessera.core.device.DeviceManager;
import io.tessera.core.device.DeviceType;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineManager;
import io.tessera.core.machine.MachineType;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Tab completion for the tessera commands: the shell profile asks this for the words that
 * may stand at the cursor (verbs, machine names, types, {@code property=}).
 */
@Component(service = CommandCompletion.class, property = {
    "osgi.command.scope=tessera",
    "osgi.command.function=completions"
})
public final class CommandCompletion {

    static final List<String> MACHINE_VERBS = List.of("types", "create", "list", "describe", "start", "pause", "resume", "reset", "destroy", "help");
    static final List<String> DEVICE_VERBS = List.of("types", "type", "add", "list", "describe", "remove", "help");
    static final List<String> KINDS = List.of("machine", "device", "isa", "accel", "block");

    private final MachineManager machines;
    private final DeviceManager devices;

    @Activate
    public CommandCompletion(@Reference MachineManager machines, @Reference DeviceManager devices) {
        this.machines = machines;
        this.devices = devices;
    }

    @Descriptor("words that may complete a tessera command line (used by Tab)")
    public List<String> completions(@Descriptor("machine, device, types or tcg") String command,
            @Descriptor("the words of the command line") List<String> words,
            @Descriptor("index of the word being completed") int index) {
        String verb = words.size() > 1 ? words.get(1) : "";
        return switch (command) {
            case "types" -> index == 1 ? KINDS : List.of();
            case "machine" -> machineWords(verb, words, index);
            case "device" -> deviceWords(verb, words, index);
            case "tcg" -> tcgWords(verb, words, index);
            default -> List.of();
        };
    }

    private List<String> machineWords(String verb, List<String> words, int index) {
        if (index == 1) {
            return MACHINE_VERBS;
        }
        if (verb.equals("create")) {
            if (index == 3) {
                return machines.types().stream().map(MachineType::name).toList();
            }
            if (index > 3) {
                String type = words.size() > 3 ? words.get(3) : "";
                List<String> options = new ArrayList<>(machines.types().stream().filter(t -> t.name().equals(type))
                        .flatMap(t -> t.options().stream()).map(o -> o.name() + "=").toList());
                // Every machine's own: the accelerator (with its options after a comma) and what a reset does.
                options.addAll(List.of("accel=", "reboot="));
                return options;
            }
            return List.of();
        }
        return index == 2 && !verb.equals("list") && !verb.equals("types") && !verb.equals("help") ? machineNames() : List.of();
    }

    private List<String> deviceWords(String verb, List<String> words, int index) {
        if (index == 1) {
            return DEVICE_VERBS;
        }
        List<String> typeNames = devices.types().stream().map(DeviceType::name).toList();
        return switch (verb) {
            case "type" -> index == 2 ? typeNames : List.of();
            case "list" -> index == 2 ? machineNames() : List.of();
            case "add" -> {
                if (index == 2) {
                    yield machineNames();
                }
                if (index == 3) {
                    yield typeNames;
                }
                List<String> settings = new ArrayList<>(List.of("id="));
                devices.type(words.size() > 3 ? words.get(3) : "")
                        .ifPresent(t -> t.properties().forEach(p -> settings.add(p.name() + "=")));
                yield settings;
            }
            case "describe", "remove" -> {
                if (index == 2) {
                    yield machineNames();
                }
                yield index == 3 && words.size() > 2
                        ? devices.list(words.get(2)).stream().map(DeviceInfo::id).toList()
                        : List.of();
            }
            default -> List.of();
        };
    }

    /** tcg: verbs, then machine names and flags; after -s the sort orders. */
    private List<String> tcgWords(String verb, List<String> words, int index) {
        if (index == 1) {
            return TcgCommand.VERBS;
        }
        if (verb.equals("help")) {
            return List.of();
        }
        if (words.size() >= index && index > 0 && words.get(index - 1).equals("-s")) {
            return java.util.Arrays.stream(io.tessera.tcg.stats.BlockOrder.values()).map(io.tessera.tcg.stats.BlockOrder::word).toList();
        }
        List<String> result = new ArrayList<>(index == 2 ? machineNames() : List.of());
        switch (verb) {
            case "blocks" -> result.addAll(List.of("-s", "-n"));
            case "cfg" -> result.addAll(List.of("-d", "-o"));
            default -> {
            }
        }
        return result;
    }

    private List<String> machineNames() {
        return machines.machines().stream().map(Machine::name).toList();
    }
}
