package io.tessera.monitor.cli;

import io.tessera.core.device.DeviceManager;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineManager;
import io.tessera.core.machine.MachineState;
import io.tessera.core.machine.MachineType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Runs the machine that {@code run/tessera}'s QEMU-style options describe: creates it, starts
 * it, and ends the application with the guest's exit status once it shuts down (or with 1
 * and a message when the command line is wrong). The launcher passes the arguments in the
 * framework property {@value #ARGUMENTS}, separated by U+001F; without it this does nothing.
 */
@Component
public final class CommandLineRunner {

    static final String ARGUMENTS = "tessera.commandline";
    private static final String SEPARATOR = "\u001f";
    private static final long TYPE_WAIT_MILLIS = 10_000;

    private final MachineManager machines;
    private final DeviceManager devices;

    /** Starts the run on a thread of its own, so that the framework finishes starting. */
    @Activate
    public CommandLineRunner(@Reference MachineManager machines, @Reference DeviceManager devices, BundleContext context) {
        this.machines = machines;
        this.devices = devices;
        String arguments = context.getProperty(ARGUMENTS);
        if (arguments != null) {
            List<String> args = arguments.isEmpty() ? List.of() : Arrays.asList(arguments.split(SEPARATOR, -1));
            Thread main = new Thread(() -> System.exit(run(args)), "tessera-command-line");
            main.start();
        }
    }

    int run(List<String> args) {
        try {
            CommandLine line = CommandLine.parse(args, "virt");
            awaitType(line.machineType());
            Map<String, String> options = new LinkedHashMap<>(line.options());
            if (line.serial() != null) {
                boolean hasSerial = machines.types().stream().filter(t -> t.name().equals(line.machineType()))
                        .flatMap(t -> t.options().stream()).anyMatch(o -> o.name().equals("serial"));
                if (hasSerial) {
                    options.put("serial", line.serial());
                } else if (!line.serial().equals("stdio")) {
                    throw new CommandLine.UsageException("machine type '" + line.machineType() + "' has no serial port for -serial "
                            + line.serial() + "; its console is on stdio");
                }
            }
            CommandLineDevices.checkCharDeviceUses(line);
            Machine machine = machines.create("vm", line.machineType(), options, line.charDevices());
            if (machine.exitStatus().isPresent()) {
                // The board finished while it was assembled (dumpdtb).
                int status = machine.exitStatus().getAsInt();
                machines.destroy("vm");
                return status;
            }
            try {
                CommandLineDevices.plug(machine, devices, line);
            } catch (CommandLine.UsageException | RuntimeException e) {
                machines.destroy("vm");
                throw e;
            }
            CountDownLatch down = new CountDownLatch(1);
            machine.addListener((m, from, to) -> {
                if (to == MachineState.SHUTDOWN) {
                    down.countDown();
                }
            });
            if (!line.startPaused()) {
                machine.start();
            }
            down.await();
            System.out.flush();
            int status = machine.exitStatus().orElse(0);
            // Tear the machine down before the process exits: character devices close (a unix
            // socket's file goes), disks are released.
            machines.destroy("vm");
            return status;
        } catch (CommandLine.UsageException | IllegalArgumentException | IllegalStateException e) {
            System.err.println("tessera: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Board bundles may still be starting when this runs. */
    private void awaitType(String type) throws InterruptedException, CommandLine.UsageException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TYPE_WAIT_MILLIS);
        while (machines.types().stream().noneMatch(t -> t.name().equals(type))) {
            if (System.nanoTime() > deadline) {
                throw new CommandLine.UsageException("unknown machine type '" + type + "'; available: "
                        + String.join(", ", machines.types().stream().map(MachineType::name).toList()));
            }
            Thread.sleep(20);
        }
    }
}
