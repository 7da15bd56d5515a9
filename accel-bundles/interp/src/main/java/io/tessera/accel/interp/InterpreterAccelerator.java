package io.tessera.accel.interp;

import io.tessera.core.accel.Accelerator;
import io.tessera.core.accel.Availability;
import io.tessera.core.accel.VcpuSet;
import io.tessera.core.accel.VcpuThreads;
import io.tessera.core.isa.Cpu;
import io.tessera.core.isa.InterpretedCpu;
import io.tessera.core.isa.Isa;
import io.tessera.core.machine.Machine;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * Runs each vCPU with its ISA's own interpreter on a thread of its own. It works on any host
 * and for any ISA whose CPUs can interpret themselves; faster accelerators rank above it.
 */
@Component(service = Accelerator.class)
public final class InterpreterAccelerator implements Accelerator {

    @Override
    public String name() {
        return "interp";
    }

    @Override
    public int ranking() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public boolean supports(Isa isa) {
        return true;
    }

    @Override
    public VcpuSet start(Machine machine) {
        List<InterpretedCpu> cpus = new ArrayList<>();
        for (Cpu cpu : machine.cpus()) {
            if (!(cpu instanceof InterpretedCpu interpreted)) {
                throw new IllegalArgumentException("the " + cpu.isa().name() + " CPUs of machine '" + machine.name()
                        + "' have no interpreter");
            }
            cpus.add(interpreted);
        }
        VcpuThreads<InterpretedCpu> threads = VcpuThreads.interpreting(machine, cpus);
        threads.start();
        return threads;
    }
}
