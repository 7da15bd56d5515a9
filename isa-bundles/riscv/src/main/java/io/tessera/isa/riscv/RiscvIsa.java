package io.tessera.isa.riscv;

import io.tessera.core.isa.Cpu;
import io.tessera.core.isa.CpuConfig;
import io.tessera.core.isa.Isa;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/** The riscv64 instruction set as a service: creates harts for machines. */
@Component(service = Isa.class)
public final class RiscvIsa implements Isa {

    /** The ISA string of what is implemented so far (the unprivileged part). */
    public static final String ISA_STRING = "rv64imafdc_zicsr_zifencei_zba_zbb_zbs_zicond";

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
        return new RiscvHart(config.index(), this);
    }
}
