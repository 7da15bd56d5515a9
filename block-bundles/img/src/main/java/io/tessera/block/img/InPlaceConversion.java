package io.tessera.block.img;

import io.tessera.core.block.BackingOpener;
import io.tessera.core.block.BlockAdoptRequest;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.block.ClusterLayout;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code convert --in-place [-f FMT] [-O FMT] FILE}: turns a qcow2 image into QED or back
 * without copying data. The source format's node exports its {@link ClusterLayout} (refusing
 * what a plain cluster map cannot carry), this class checks what both formats must agree on (a
 * cluster size valid for both, a backing format the target can record), and the target
 * format's driver {@linkplain BlockDriver#adoptLayout adopts} the layout: new tables past the
 * end of the file, a flush, the one-sector header write that switches formats, a flush, then
 * the old tables released. Killing the process (or cutting the power) at any point leaves the
 * old image or the new one with the same contents; only unreferenced space can remain (QED's
 * {@code check -r leaks} truncates it), and nothing needs finishing or rolling back. The image's
 * protocol node holds QEMU's lock bytes exclusively throughout, and the old format is read
 * through that same node, lent without its close ({@link BorrowedNode}).
 *
 * <p>The conversion goes through the format drivers' exported API only (core block 1.3), so
 * neither format's internals are reachable from here.
 */
final class InPlaceConversion {

    /** The formats that can take each other's layout. */
    private static final Set<String> FORMATS = Set.of("qcow2", "qed");
    /** The cluster sizes both formats accept: QED's least and qcow2's most. */
    static final long MIN_CLUSTER = 4096;
    static final long MAX_CLUSTER = 2L << 20;

    private final BlockGraph graph;
    private final UnaryOperator<BlockNode> fileWrapper;

    /**
     * @param graph the drivers
     * @param fileWrapper applied to the image's protocol node before any access (tests inject faults with it)
     */
    InPlaceConversion(BlockGraph graph, UnaryOperator<BlockNode> fileWrapper) {
        this.graph = graph;
        this.fileWrapper = fileWrapper;
    }

    /**
     * Converts the image.
     *
     * @param filename the image
     * @param sourceFormat its format, or empty to probe
     * @param targetFormat the new format, or empty for the other one of qcow2 and QED
     */
    void convert(String filename, String sourceFormat, String targetFormat) throws IOException {
        String from = sourceFormat;
        if (from.isEmpty()) {
            try (BlockNode file = graph.protocol().open(new BlockOpenRequest(filename, null, true, Map.of()))) {
                from = graph.probe(file, filename).format();
            }
        }
        if (!FORMATS.contains(from)) {
            throw new IllegalArgumentException("'" + filename + "' is a " + from + " image; convert --in-place converts qcow2 and qed images");
        }
        String to = targetFormat.isEmpty() ? (from.equals("qcow2") ? "qed" : "qcow2") : targetFormat;
        if (!FORMATS.contains(to)) {
            throw new IllegalArgumentException("convert --in-place converts to qcow2 or qed, not '" + to + "'");
        }
        if (to.equals(from)) {
            throw new IllegalArgumentException("'" + filename + "' is already a " + from + " image");
        }
        // QEMU's lock bytes, exclusively, from before the layout is read until the new header is durable.
        try (BlockNode file = fileWrapper.apply(graph.protocol().open(new BlockOpenRequest(filename, null, false, Map.of("exclusive", "on"))))) {
            ClusterLayout layout;
            // Read-only, backing file not opened: opening a format read-write may repair or rewrite it before we refuse.
            BackingOpener dataFiles = (name, format) -> graph.open(name, format, true);
            BlockOpenRequest open = new BlockOpenRequest(filename, new BorrowedNode(file), true, Map.of("backing", "null"), dataFiles);
            try (BlockNode source = graph.formatDriver(from).open(open)) {
                layout = source.clusterLayout();
            }
            adopt(filename, file, layout, to);
        }
    }

    private void adopt(String filename, BlockNode file, ClusterLayout layout, String to) throws IOException {
        long cluster = layout.clusterSize();
        if (cluster < MIN_CLUSTER || cluster > MAX_CLUSTER) {
            throw new BlockFormatException("'" + filename + "' has " + cluster + "-byte clusters; an in-place conversion between qcow2"
                    + " and QED needs a cluster size both accept: a power of two from 4 KiB (QED's least) to 2 MiB (qcow2's most)");
        }
        layout = withRecordableBackingFormat(filename, layout, to);
        graph.formatDriver(to).adoptLayout(new BlockAdoptRequest(filename, file, layout));
    }

    /**
     * QED records a backing file's format only as "raw" and leaves any other to probing: going
     * to QED, a recorded format must be raw or what probing the backing file finds; going to
     * qcow2, a format QED left to probing is probed now and recorded, as qemu-img create -F would.
     */
    private ClusterLayout withRecordableBackingFormat(String filename, ClusterLayout layout, String to) throws IOException {
        if (layout.backingFile().isEmpty()) {
            return layout;
        }
        String recorded = layout.backingFormat().orElse(null);
        if (to.equals("qed") && (recorded == null || recorded.equals("raw"))) {
            return layout;
        }
        if (to.equals("qcow2") && recorded != null) {
            return layout;
        }
        String backing = BlockGraph.resolveRelative(filename, layout.backingFile().get());
        String probed;
        try (BlockNode node = graph.protocol().open(new BlockOpenRequest(backing, null, true, Map.of()))) {
            probed = graph.probe(node, backing).format();
        } catch (IOException e) {
            if (to.equals("qcow2")) {
                return layout; // qcow2 without a recorded format probes too, as QED did
            }
            throw new BlockFormatException("QED cannot record the backing format '" + recorded + "' of '" + filename
                    + "': it leaves formats other than raw to probing, and the backing file '" + backing + "' cannot be probed: " + e.getMessage());
        }
        if (to.equals("qcow2")) {
            return layout.withBackingFormat(probed);
        }
        if (!probed.equals(recorded)) {
            throw new BlockFormatException("QED cannot record the backing format '" + recorded + "' of '" + filename
                    + "': it marks raw backing files and leaves any other format to probing, which finds '" + probed + "' in '" + backing + "'");
        }
        return layout;
    }
}
