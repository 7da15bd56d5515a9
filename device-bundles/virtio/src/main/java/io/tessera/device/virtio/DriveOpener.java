package io.tessera.device.virtio;

import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Opens a drive as QEMU's {@code -drive file=...,format=...} does: the {@code file} protocol
 * node, then the format node on it, the format named or else probed (the highest
 * {@link BlockDriver#probe} score among format drivers over the first 2 KiB, raw when none
 * scores).
 */
final class DriveOpener {

    static final int PROBE_BYTES = 2048;

    private DriveOpener() {
    }

    /**
     * @param filename the image
     * @param format the format's name, or empty to probe
     * @param readOnly whether to open read-only
     * @param protocol the {@code file} driver
     * @param drivers every installed driver
     * @return the format node, owning its file node
     * @throws IOException if the image cannot be opened or is malformed
     * @throws IllegalArgumentException if the format is unknown
     */
    static BlockNode open(String filename, String format, boolean readOnly, BlockDriver protocol, Collection<BlockDriver> drivers)
            throws IOException {
        BlockNode file = protocol.open(new BlockOpenRequest(filename, null, readOnly, Map.of()));
        try {
            BlockDriver driver = format == null || format.isEmpty() ? probe(file, filename, drivers) : named(format, drivers);
            return driver.open(new BlockOpenRequest(filename, file, readOnly, Map.of()));
        } catch (IOException | RuntimeException e) {
            try {
                file.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private static BlockDriver named(String format, Collection<BlockDriver> drivers) {
        return drivers.stream().filter(d -> !d.isProtocol() && d.format().equals(format)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no block driver for format '" + format + "'; installed formats: "
                        + formats(drivers)));
    }

    private static BlockDriver probe(BlockNode file, String filename, Collection<BlockDriver> drivers) throws IOException {
        ByteBuffer header = ByteBuffer.allocate((int) Math.min(PROBE_BYTES, file.size()));
        file.read(0, header);
        byte[] bytes = Arrays.copyOf(header.array(), header.position());
        BlockDriver best = null;
        int bestScore = 0;
        for (BlockDriver driver : drivers) {
            if (driver.isProtocol()) {
                continue;
            }
            int score;
            try {
                score = driver.probe(bytes.clone(), filename);
            } catch (RuntimeException e) {
                score = 0; // a probe must not throw; a broken driver is not chosen
            }
            if (score > bestScore) {
                best = driver;
                bestScore = score;
            }
        }
        return best != null ? best : named("raw", drivers);
    }

    private static String formats(Collection<BlockDriver> drivers) {
        String list = drivers.stream().filter(d -> !d.isProtocol()).map(BlockDriver::format).sorted().collect(Collectors.joining(", "));
        return list.isEmpty() ? "none" : list;
    }
}
