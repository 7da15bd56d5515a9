package io.tessera.core.runtime.machine;

import io.tessera.core.machine.MachineAssembly;
import io.tessera.core.machine.MachineOption;
import io.tessera.core.machine.MachineType;
import io.tessera.core.machine.OptionValues;
import io.tessera.core.memory.RamRegion;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * QEMU's {@code -machine none}: a board with RAM and nothing else, to which devices are added
 * by hand. It exists so the platform is usable before any real board is installed, and for
 * testing devices without a CPU.
 */
@Component(service = MachineType.class)
public final class NoneMachineType implements MachineType {

    @Override
    public String name() {
        return "none";
    }

    @Override
    public String description() {
        return "empty machine: RAM only, add devices by hand";
    }

    @Override
    public List<MachineOption> options() {
        return List.of(
                new MachineOption("memory", "RAM size (bytes, or with K/M/G suffix)", "128M"),
                new MachineOption("ram-base", "guest physical address of RAM", "0x80000000"));
    }

    @Override
    public void assemble(MachineAssembly assembly) {
        long size = OptionValues.size("memory", assembly.options().get("memory"));
        long base = OptionValues.number("ram-base", assembly.options().get("ram-base"));
        RamRegion ram = RamRegion.ram("ram", size);
        assembly.closeOnDestroy(ram);
        assembly.systemBus().map("board", base, ram);
    }
}
