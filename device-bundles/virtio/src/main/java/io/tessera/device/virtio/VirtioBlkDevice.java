package io.tessera.device.virtio;

import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.StateSchema;
import io.tessera.core.irq.InterruptController;
import io.tessera.core.machine.Machine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * A virtio block device on a virtio-mmio transport, QEMU's {@code -device virtio-blk-device}.
 *
 * <p>Region: {@code virtio-blk-device}, MMIO, 0x200 bytes at property {@code base}, mapped with
 * priority 1 over the board's empty transport in that slot (see {@link VirtioMmio} for the
 * registers, {@link BlkModel} for the block protocol). IRQ output: one level line, input
 * {@code irq} of the controller the {@code irq} reference selects ({@code plic0} by default).
 * Properties: {@code base}, {@code irq}, {@code drive} (required), {@code format} (empty:
 * probed), {@code readonly}, {@code cache} ({@code writeback} | {@code writethrough}),
 * {@code serial}. Saved state: schema {@code virtio-blk-device} v1, the transport's (see
 * {@link VirtioMmio}); the disk's contents live in the image.
 *
 * <p>The drive is opened when the device is realized (a missing image fails the realization
 * with a message naming it) and closed, after a flush, when it is unrealized. The block driver
 * services are a static greedy reference: a driver service that comes or goes re-creates the
 * device, and its state is carried over only when that happens through a bundle update of this
 * bundle (the platform's state keeper), not for a driver bundle's.
 */
@Component(configurationPid = DeviceConstants.FACTORY_PID_PREFIX + VirtioBlkDevice.TYPE,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Device.class, immediate = true)
@Designate(ocd = VirtioBlkDevice.Config.class, factory = true)
public final class VirtioBlkDevice extends VirtioMmioDevice {

    static final String TYPE = "virtio-blk-device";

    /** The properties of a virtio-blk instance. */
    @ObjectClassDefinition(name = TYPE, description = "virtio block device on a virtio-mmio transport")
    public @interface Config {
        /** @return where the transport is mapped */
        @AttributeDefinition(description = "bus address of the 0x200-byte transport (QEMU virt: 0x10001000 + n * 0x1000, n = 0..7)")
        long base() default 0x1000_8000L;

        /** @return the interrupt controller input */
        @AttributeDefinition(description = "interrupt controller input (QEMU virt: 1 + n for slot n)")
        int irq() default 8;

        /** @return the image file */
        @AttributeDefinition(description = "path of the image file")
        String drive();

        /** @return the image format, or empty to probe */
        @AttributeDefinition(required = false, description = "image format (raw, qcow2, ...); empty: probed from the header")
        String format() default "";

        /** @return whether the guest sees a read-only disk */
        @AttributeDefinition(description = "open the image read-only and tell the guest (VIRTIO_BLK_F_RO)")
        boolean readonly() default false;

        /** @return the cache mode */
        @AttributeDefinition(description = "writeback: the guest flushes (VIRTIO_BLK_F_FLUSH); writethrough: every write is flushed",
                options = {@Option(label = "writeback", value = "writeback"), @Option(label = "writethrough", value = "writethrough")})
        String cache() default "writeback";

        /** @return the serial number GET_ID reports */
        @AttributeDefinition(required = false, description = "serial number reported to the guest (up to 20 bytes)")
        String serial() default "";
    }

    private static final StateSchema SCHEMA = VirtioMmio.schema(TYPE, b -> { });

    @Activate
    public VirtioBlkDevice(Config config, Map<String, Object> properties,
            @Reference(name = "machine") Machine machine,
            @Reference(name = "irq", target = "(tessera.id=plic0)") InterruptController irqController,
            @Reference(name = "protocol", target = "(tessera.block.format=file)") BlockDriver fileDriver,
            @Reference(name = "drivers", service = BlockDriver.class, cardinality = ReferenceCardinality.MULTIPLE,
                    policyOption = ReferencePolicyOption.GREEDY) List<BlockDriver> drivers) {
        String id = (String) properties.get(DeviceConstants.ID);
        boolean writeback = writeback(id, config);
        // The model owns the drive from here: the base class releases it if realizing fails.
        BlkModel model = new BlkModel(open(id, config, fileDriver, drivers), config.readonly(), writeback, config.serial());
        super(TYPE, SCHEMA, properties, machine, irqController, config.base(), config.irq(), model);
    }

    private static BlockNode open(String id, Config config, BlockDriver fileDriver, List<BlockDriver> drivers) {
        String drive = config.drive();
        if (drive == null || drive.isBlank()) {
            throw new IllegalArgumentException(TYPE + " '" + id + "' needs the property drive (the image file)");
        }
        try {
            return new BlockGraph(fileDriver, drivers).open(drive, config.format(), config.readonly());
        } catch (IOException e) {
            throw new UncheckedIOException(TYPE + " '" + id + "': cannot open drive '" + drive + "': " + e.getMessage(), e);
        }
    }

    private static boolean writeback(String id, Config config) {
        return switch (config.cache()) {
            case "writeback" -> true;
            case "writethrough" -> false;
            default -> throw new IllegalArgumentException(TYPE + " '" + id + "': cache must be writeback or writethrough, not '"
                    + config.cache() + "'");
        };
    }

    @Deactivate
    void unrealize() {
        unplug();
    }
}
