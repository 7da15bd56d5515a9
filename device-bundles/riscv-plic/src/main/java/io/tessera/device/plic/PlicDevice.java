package io.tessera.device.plic;

import io.tessera.core.bus.SystemBus;
import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.DeviceState;
import io.tessera.core.device.Resettable;
import io.tessera.core.device.StateSchema;
import io.tessera.core.device.Stateful;
import io.tessera.core.irq.InterruptController;
import io.tessera.core.irq.IrqLine;
import io.tessera.core.isa.Cpu;
import io.tessera.core.machine.Machine;
import io.tessera.core.memory.MmioRegion;
import io.tessera.isa.riscv.platform.RiscvCpu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The RISC-V platform-level interrupt controller (PLIC), as QEMU's virt machine has it
 * ({@code sifive,plic-1.0.0}, {@code riscv,plic0}).
 *
 * <p>Region {@code plic}, MMIO at {@code base}, 0x200000 + 0x1000 per context bytes, 4-byte
 * accesses (layout in {@link Plic}). Inputs: sources 1 .. {@code num-sources}-1, taken by
 * devices through {@link InterruptController#line}. IRQ outputs: one per context; the contexts
 * are, for each hart served in order, one per letter of {@code hart-config}: {@code M} drives
 * the hart's machine external interrupt, {@code S} its supervisor external interrupt.
 * Properties: {@code base}, {@code num-sources}, {@code priority-bits}, {@code hart-base},
 * {@code harts}, {@code hart-config}. State: schema {@code plic} version 1: {@code priority},
 * {@code claimed}, {@code threshold}, {@code enable} (all contexts' words in order); pending
 * bits follow from the input levels.
 */
@Component(configurationPid = DeviceConstants.FACTORY_PID_PREFIX + PlicDevice.TYPE,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = {Device.class, InterruptController.class},
        immediate = true)
@Designate(ocd = PlicDevice.Config.class, factory = true)
public final class PlicDevice implements Device, InterruptController, Stateful, Resettable {

    static final String TYPE = "plic";

    /** The properties of a PLIC instance. */
    @ObjectClassDefinition(name = TYPE, description = "RISC-V platform-level interrupt controller")
    public @interface Config {
        /** @return where the block is mapped */
        @AttributeDefinition(description = "bus address of the register block")
        long base() default 0xc00_0000L;

        /** @return the number of sources */
        @AttributeDefinition(name = "num-sources", description = "interrupt sources, counting the unused source 0 (2..1024)")
        int num$_$sources() default 96;

        /** @return priority width */
        @AttributeDefinition(name = "priority-bits", description = "bits of a priority (1..31)")
        int priority$_$bits() default 3;

        /** @return the first hart */
        @AttributeDefinition(name = "hart-base", description = "index of the first hart served")
        int hart$_$base() default 0;

        /** @return how many harts */
        @AttributeDefinition(description = "how many harts are served (0: all from hart-base on)")
        int harts() default 0;

        /** @return contexts per hart */
        @AttributeDefinition(name = "hart-config", description = "the contexts of each hart: M (machine) and/or S (supervisor), in order")
        String hart$_$config() default "MS";
    }

    private final String id;
    private final Plic plic;
    private final StateSchema schema;
    private final SystemBus.Mapping mapping;

    @Activate
    public PlicDevice(Config config, Map<String, Object> properties, @Reference(name = "machine") Machine machine) {
        this.id = (String) properties.get(DeviceConstants.ID);
        int sources = config.num$_$sources();
        if (sources < 2 || sources > 1024) {
            throw new IllegalArgumentException("num-sources=" + sources + " is not valid; use 2..1024");
        }
        if (config.priority$_$bits() < 1 || config.priority$_$bits() > 31) {
            throw new IllegalArgumentException("priority-bits=" + config.priority$_$bits() + " is not valid; use 1..31");
        }
        List<Plic.Context> contexts = contexts(machine, config);
        this.plic = new Plic(sources, config.priority$_$bits(), contexts);
        int words = (sources + 31) / 32;
        int count = contexts.size();
        this.schema = StateSchema.builder(TYPE, 1)
                .field("priority", StateSchema.FieldType.LONGS).field("claimed", StateSchema.FieldType.LONGS)
                .field("threshold", StateSchema.FieldType.LONGS).field("enable", StateSchema.FieldType.LONGS)
                .check(s -> s.getLongs("priority").length != sources || s.getLongs("claimed").length != words
                        || s.getLongs("threshold").length != count || s.getLongs("enable").length != count * words
                        ? "the state is for a PLIC of another size (" + sources + " sources, " + count + " contexts here)" : null)
                .build();
        this.mapping = machine.systemBus().map(id, config.base(),
                new MmioRegion(TYPE, Plic.size(count), plic, MmioRegion.SIZE_4));
    }

    private static List<Plic.Context> contexts(Machine machine, Config config) {
        String perHart = config.hart$_$config();
        if (perHart.isEmpty() || !perHart.matches("[MS]+")) {
            throw new IllegalArgumentException("hart-config='" + perHart + "' is not valid; use letters M and S, as MS or M");
        }
        List<Cpu> cpus = machine.cpus();
        int first = config.hart$_$base();
        int last = config.harts() == 0 ? cpus.size() : first + config.harts();
        if (first < 0 || last > cpus.size() || first >= last) {
            throw new IllegalArgumentException("harts " + first + ".." + (last - 1) + " are not in machine '" + machine.name()
                    + "', which has " + cpus.size());
        }
        List<Plic.Context> contexts = new ArrayList<>();
        for (Cpu cpu : cpus.subList(first, last)) {
            if (!(cpu instanceof RiscvCpu hart)) {
                throw new IllegalArgumentException("CPU " + cpu.index() + " is " + cpu.isa().name() + ", not RISC-V");
            }
            for (char mode : perHart.toCharArray()) {
                int cause = mode == 'M' ? RiscvCpu.MACHINE_EXTERNAL_INTERRUPT : RiscvCpu.SUPERVISOR_EXTERNAL_INTERRUPT;
                contexts.add(level -> hart.setInterruptPending(cause, level));
            }
        }
        return contexts;
    }

    @Deactivate
    void unrealize() {
        mapping.unmap();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int lineCount() {
        return plic.sources();
    }

    @Override
    public IrqLine line(int number) {
        return plic.line(number);
    }

    @Override
    public void reset() {
        plic.reset();
    }

    @Override
    public StateSchema stateSchema() {
        return schema;
    }

    @Override
    public DeviceState saveState() {
        int[][] saved = plic.save();
        int[] enables = Arrays.stream(saved, 3, saved.length).flatMapToInt(Arrays::stream).toArray();
        return schema.state("priority", longs(saved[0]), "claimed", longs(saved[1]), "threshold", longs(saved[2]),
                "enable", longs(enables));
    }

    @Override
    public void restoreState(DeviceState state) {
        int words = (plic.sources() + 31) / 32;
        int[] enables = ints(state.getLongs("enable"));
        int[][] perContext = new int[plic.contextCount()][];
        for (int c = 0; c < perContext.length; c++) {
            perContext[c] = Arrays.copyOfRange(enables, c * words, (c + 1) * words);
        }
        plic.restore(ints(state.getLongs("priority")), ints(state.getLongs("claimed")), ints(state.getLongs("threshold")),
                perContext);
    }

    private static long[] longs(int[] values) {
        return Arrays.stream(values).mapToLong(v -> v & 0xffff_ffffL).toArray();
    }

    private static int[] ints(long[] values) {
        return Arrays.stream(values).mapToInt(v -> (int) v).toArray();
    }
}
