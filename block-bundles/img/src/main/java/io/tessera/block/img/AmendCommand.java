package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** {@code amend [-q] [-f FMT] -o OPTIONS FILE}: changes format options of an image in place, as qemu-img amend. */
final class AmendCommand {

    private final BlockGraph graph;

    AmendCommand(BlockGraph graph) {
        this.graph = graph;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("f", "o", "t"), ImgMain.list("p", "q", "force"));
        if (!o.has("o")) {
            throw new Options.UsageException("Must specify options (-o)");
        }
        Map<String, String> options = o.keyValues("o");
        String file = ImgMain.onlyFile(o, "amend");
        try (BlockNode node = graph.open(file, o.get("f", ""), false, Map.of())) {
            node.amend(options);
        }
        return 0;
    }
}
