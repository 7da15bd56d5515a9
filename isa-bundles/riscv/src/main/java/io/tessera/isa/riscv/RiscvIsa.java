package io.tessera.isa.riscv;

import io.tessera.core.isa.Cpu;
import io.tessera.core.isa.CpuConfig;
import io.tessera.core.isa.Isa;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/** The riscv64 instruction set as a service: creates harts ({@link io.tessera.isa.riscv.platform.RiscvCpu}) for machines. */
@Component(service = Isa.class, property = "tessera.isa=riscv64")
public final class RiscvIsa implements Isa {

    /** The single-letter extensions implemented, in canonical order. */
    public static final String BASE_EXTENSIONS = "imafdc";
    /** The multi-letter extensions implemented, in canonical order. */
    public static final java.util.List<String> EXTENSIONS = java.util.List.of("zicntr", "zicond", "zicsr", "zifencei",
            "zihintpause", "zihpm", "zba", "zbb", "zbs", "sstc");
    /** The ISA string a machine puts in the device tree's riscv,isa. */
    public static final String ISA_STRING = "rv64" + BASE_EXTENSIONS + "_" + String.join("_", EXTENSIONS);
    /** Every extension by name, as the device tree's riscv,isa-extensions lists them. */
    public static final java.util.List<String> ISA_EXTENSIONS = java.util.stream.Stream.concat(
            BASE_EXTENSIONS.chars().mapToObj(c -> String.valueOf((char) c)), EXTENSIONS.stream()).toList();

    @Override
    public String name() {
        return "riscv64";
    }

    @Override
    public String description() {
        return "RISC-V 64-bit: " + ISA_STRING;
    }

    @Override
    public Set<String> cpuModels() {
        return Set.of("rv64");
    }

    @Override
    public String defaultCpuModel() {
        return "rv64";
    }

    @Override
    public Cpu createCpu(CpuConfig config) {
        if (!cpuModels().contains(config.model())) {
            throw new IllegalArgumentException("unknown riscv64 CPU model '" + config.model() + "'; models: " + cpuModels());
        }
        return new io.tessera.isa.riscv.system.SystemHart(config.index(), this);
    }
}
