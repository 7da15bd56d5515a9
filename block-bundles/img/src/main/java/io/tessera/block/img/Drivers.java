package io.tessera.block.img;

import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The block drivers on the class path, found with {@link ServiceLoader} (each driver bundle
 * lists its driver in {@code META-INF/services}), so that the tools start without an OSGi
 * framework, as {@code qemu-img} starts without a machine.
 */
final class Drivers {

    private Drivers() {
    }

    /** @return a graph over every driver found, reading images through the {@code file} protocol */
    static BlockGraph graph() {
        List<BlockDriver> drivers = new ArrayList<>();
        ServiceLoader.load(BlockDriver.class, Drivers.class.getClassLoader()).forEach(drivers::add);
        BlockDriver file = drivers.stream().filter(d -> d.isProtocol() && d.format().equals("file")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no 'file' protocol driver on the class path"));
        return new BlockGraph(file, drivers);
    }
}
