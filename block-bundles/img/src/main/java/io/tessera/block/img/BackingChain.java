package io.tessera.block.img;

import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The layers of an open image's backing chain with the file name of each, as QEMU names them:
 * the top image's own name, then each backing file resolved against the image that names it.
 * Nodes do not know their file names; the images record them.
 */
final class BackingChain {

    /** One layer: its node and the file it was opened from. */
    record Layer(BlockNode node, String filename, int depth) {
    }

    private final List<Layer> layers = new ArrayList<>();

    BackingChain(BlockNode top, String filename) throws IOException {
        BlockNode node = top;
        for (String name : MapCommand.layerNames(filename, top)) {
            layers.add(new Layer(node, name, layers.size()));
            node = node.backing().orElse(null);
        }
    }

    List<Layer> layers() {
        return layers;
    }

    /**
     * Finds a file among the backing layers (not the top) as QEMU's {@code bdrv_find_backing_image}
     * does: a relative name is taken relative to the directory of each image in turn and matched
     * against its backing file, comparing real paths so that {@code ./base.qcow2} and
     * {@code base.qcow2} are the same file.
     *
     * @return the layer, or empty if the chain does not hold the file
     */
    Optional<Layer> find(String filename) {
        for (int i = 1; i < layers.size(); i++) {
            String wanted = identity(InfoCommand.fullBacking(layers.get(i - 1).filename(), filename));
            if (identity(layers.get(i).filename()).equals(wanted)) {
                return Optional.of(layers.get(i));
            }
        }
        return Optional.empty();
    }

    private static String identity(String filename) {
        try {
            Path path = Path.of(filename);
            return Files.exists(path) ? path.toRealPath().toString() : path.toAbsolutePath().normalize().toString();
        } catch (InvalidPathException | IOException | SecurityException e) {
            return filename;
        }
    }
}
