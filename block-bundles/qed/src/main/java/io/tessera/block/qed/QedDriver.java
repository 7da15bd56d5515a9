package io.tessera.block.qed;

import io.tessera.core.block.BlockAdoptRequest;
import io.tessera.core.block.BlockCreateRequest;
import io.tessera.core.block.BlockDriver;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockOpenRequest;
import io.tessera.core.block.BlockOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code qed} format, as QEMU 7.2 reads and writes it: backing files (raw ones marked so
 * that they are not probed), zero clusters, and the need-check rule (an image left with the
 * bit set by a crash is checked and repaired when opened read-write). Also found by
 * {@link java.util.ServiceLoader} for {@code tessera img}.
 */
@Component(service = BlockDriver.class, property = {"tessera.block.format=qed", "tessera.block.protocol:Boolean=false"})
public final class QedDriver implements BlockDriver {

    static final String FORMAT = "qed";
    private static final Set<String> OPEN_OPTIONS = Set.of("node-name", "backing");
    private static final Set<String> CREATE_OPTIONS = Set.of("size", "cluster_size", "table_size", "backing_file", "backing_fmt");
    private static final AtomicInteger NODES = new AtomicInteger();

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public boolean isProtocol() {
        return false;
    }

    @Override
    public int probe(byte[] header, String filename) {
        return header.length >= 4 && ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == QedHeader.MAGIC ? 100 : 0;
    }

    @Override
    public BlockNode open(BlockOpenRequest request) throws IOException {
        BlockNode file = request.file();
        if (file == null) {
            throw new IllegalArgumentException("the QED format needs a file node below it (opening '" + request.filename() + "')");
        }
        BlockOptions.requireKnown("the QED format", request.options(), OPEN_OPTIONS);
        String name = request.filename();
        long fileSize = file.size();
        ByteBuffer start = ByteBuffer.allocate((int) Math.min(fileSize, QedHeader.LENGTH));
        file.read(0, start);
        start.flip();
        QedHeader probe = QedHeader.parse(start.duplicate(), fileSize, name, false);
        ByteBuffer raw = ByteBuffer.allocate((int) Math.min(fileSize, (long) probe.headerSize * probe.clusterSize));
        file.read(0, raw);
        raw.flip();
        QedHeader header = QedHeader.parse(raw, fileSize, name, true);
        BlockNode backing = null;
        if (header.backingFile != null && !"null".equals(request.options().get("backing"))) {
            if (request.backingOpener() == null) {
                throw new BlockFormatException("'" + name + "' needs its backing file, and no way to open it was given");
            }
            boolean rawBacking = (header.features & QedHeader.FEATURE_BACKING_RAW) != 0;
            backing = request.backingOpener().open(BlockGraph.resolveRelative(name, header.backingFile), rawBacking ? "raw" : "");
        }
        try {
            QedNode node = new QedNode(request.options().getOrDefault("node-name", "#qed-" + NODES.getAndIncrement()), name, file, backing, header,
                    request.readOnly());
            if (!request.readOnly() && (header.features & QedHeader.FEATURE_NEED_CHECK) != 0) {
                node.repairAfterCrash();
            }
            return node;
        } catch (IOException | RuntimeException e) {
            if (backing != null) {
                backing.close();
            }
            throw e;
        }
    }

    /**
     * Takes over an image of another format in place (see {@link QedAdopter} for the crash-safe
     * order). A backing format other than raw is left to probing, as QED cannot record it.
     */
    @Override
    public void adoptLayout(BlockAdoptRequest request) throws IOException {
        new QedAdopter(request).adopt();
    }

    @Override
    public void create(BlockCreateRequest request) throws IOException {
        Map<String, String> o = request.options();
        BlockOptions.requireKnown("QED image creation", o, CREATE_OPTIONS);
        QedHeader h = new QedHeader();
        h.clusterSize = o.containsKey("cluster_size") ? BlockOptions.parseSize("cluster_size", o.get("cluster_size")) : 65536;
        if (Long.bitCount(h.clusterSize) != 1 || h.clusterSize < QedHeader.MIN_CLUSTER || h.clusterSize > QedHeader.MAX_CLUSTER) {
            throw new IllegalArgumentException("cluster_size must be a power of two from 4k to 64M, not " + h.clusterSize);
        }
        long tableSize = o.containsKey("table_size") ? BlockOptions.parseSize("table_size", o.get("table_size")) : 4;
        if (Long.bitCount(tableSize) != 1 || tableSize < 2 || tableSize > 16) {
            throw new IllegalArgumentException("table_size must be 2, 4, 8 or 16 clusters, not " + tableSize
                    + " (QEMU 7.2 cannot open images with table_size=1)");
        }
        h.tableSize = (int) tableSize;
        h.headerSize = 1;
        h.imageSize = (request.size() + 511) & ~511L;
        if (h.imageSize > h.capacity()) {
            throw new IllegalArgumentException("a QED image with " + h.clusterSize + "-byte clusters and " + tableSize
                    + "-cluster tables holds at most " + h.capacity() + " bytes, not " + h.imageSize);
        }
        h.backingFile = o.get("backing_file");
        if (h.backingFile != null) {
            h.features |= QedHeader.FEATURE_BACKING;
            if ("raw".equals(o.get("backing_fmt"))) {
                h.features |= QedHeader.FEATURE_BACKING_RAW;
            }
            if (h.backingFile.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > Math.min(1023, h.clusterSize - QedHeader.LENGTH)) {
                throw new IllegalArgumentException("the backing file name is too long for the QED header");
            }
        } else if (o.containsKey("backing_fmt")) {
            throw new IllegalArgumentException("backing_fmt needs backing_file");
        }
        h.l1TableOffset = h.clusterSize;
        BlockNode file = request.file();
        // As qemu-img: the empty L1 table written out as zeroes, and of the header cluster only the header and the name.
        file.write(h.l1TableOffset, java.nio.ByteBuffer.allocate((int) h.tableBytes()));
        java.nio.ByteBuffer header = h.write();
        header.limit(QedHeader.LENGTH + (h.backingFile == null ? 0 : h.backingFile.getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        file.write(0, header);
        file.flush();
    }
}
