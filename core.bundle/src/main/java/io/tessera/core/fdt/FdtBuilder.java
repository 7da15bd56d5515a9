package io.tessera.core.fdt;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a flattened device tree blob (version 17, DTSpec 0.3): nodes and properties in the
 * order given, property names shared in the strings block, memory reservations ahead. Board
 * bundles build the tree of their machine with it; firmware and kernels read the blob.
 *
 * <pre>
 * byte[] dtb = new FdtBuilder()
 *     .beginNode("").property("#address-cells", 2).property("#size-cells", 2)
 *         .beginNode("memory@80000000").property("device_type", "memory")
 *             .propertyU64("reg", 0x8000_0000L, 128L &lt;&lt; 20).endNode()
 *     .endNode().build();
 * </pre>
 */
public final class FdtBuilder {

    private static final int MAGIC = 0xd00d_feed;
    private static final int FDT_BEGIN_NODE = 1;
    private static final int FDT_END_NODE = 2;
    private static final int FDT_PROP = 3;
    private static final int FDT_END = 9;
    private static final int HEADER_SIZE = 40;

    private final ByteArrayOutputStream structure = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new LinkedHashMap<>();
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final List<long[]> reservations = new ArrayList<>();
    private final List<String> open = new ArrayList<>();
    private int bootCpu;

    /** Opens a node; the root is the node named {@code ""}, opened first and closed last. */
    public FdtBuilder beginNode(String name) {
        Objects.requireNonNull(name, "name");
        if (open.isEmpty() && !name.isEmpty()) {
            throw new IllegalStateException("the first node is the root, named \"\", not '" + name + "'");
        }
        if (!open.isEmpty() && (name.isEmpty() || name.length() > 63 || name.contains("/"))) {
            throw new IllegalArgumentException("node name '" + name + "' is not valid: 1 to 63 characters, no '/'");
        }
        if (open.isEmpty() && structure.size() > 0) {
            throw new IllegalStateException("the tree has one root; it is closed already");
        }
        open.add(name);
        word(structure, FDT_BEGIN_NODE);
        bytesPadded(name.getBytes(StandardCharsets.UTF_8), true);
        return this;
    }

    /** Closes the innermost open node. */
    public FdtBuilder endNode() {
        if (open.isEmpty()) {
            throw new IllegalStateException("no node is open");
        }
        open.remove(open.size() - 1);
        word(structure, FDT_END_NODE);
        return this;
    }

    /** A property of 32-bit cells, big-endian ({@code <1 2 3>} in source). */
    public FdtBuilder property(String name, int... cells) {
        ByteBuffer value = ByteBuffer.allocate(cells.length * 4);
        for (int cell : cells) {
            value.putInt(cell);
        }
        return property(name, value.array());
    }

    /** A property of 64-bit values, each as two cells (high, low), as reg and ranges are with two-cell addresses. */
    public FdtBuilder propertyU64(String name, long... values) {
        ByteBuffer value = ByteBuffer.allocate(values.length * 8);
        for (long v : values) {
            value.putLong(v);
        }
        return property(name, value.array());
    }

    /** A string property. */
    public FdtBuilder property(String name, String value) {
        return stringList(name, value);
    }

    /** A string-list property ({@code "a", "b"} in source: NUL-separated). */
    public FdtBuilder stringList(String name, String... values) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        for (String v : values) {
            value.writeBytes(v.getBytes(StandardCharsets.UTF_8));
            value.write(0);
        }
        return property(name, value.toByteArray());
    }

    /** A property without a value ({@code ranges;}, {@code interrupt-controller;}). */
    public FdtBuilder emptyProperty(String name) {
        return property(name, new byte[0]);
    }

    /** A property with raw bytes as its value. */
    public FdtBuilder property(String name, byte[] value) {
        if (open.isEmpty()) {
            throw new IllegalStateException("property '" + name + "' outside any node");
        }
        word(structure, FDT_PROP);
        word(structure, value.length);
        word(structure, stringOffset(name));
        bytesPadded(value, false);
        return this;
    }

    /** Reserves physical memory from the operating system (the memory reservation block). */
    public FdtBuilder reserve(long address, long size) {
        reservations.add(new long[] {address, size});
        return this;
    }

    /** Sets the physical id of the boot CPU (the header's boot_cpuid_phys). */
    public FdtBuilder bootCpu(int physicalId) {
        this.bootCpu = physicalId;
        return this;
    }

    /** @return the blob */
    public byte[] build() {
        if (!open.isEmpty()) {
            throw new IllegalStateException("nodes still open: " + String.join("/", open));
        }
        if (structure.size() == 0) {
            throw new IllegalStateException("the tree has no root node");
        }
        ByteArrayOutputStream struct = new ByteArrayOutputStream();
        struct.writeBytes(structure.toByteArray());
        word(struct, FDT_END);
        int reservationOffset = HEADER_SIZE;
        int reservationSize = (reservations.size() + 1) * 16;
        int structOffset = reservationOffset + reservationSize;
        int stringsOffset = structOffset + struct.size();
        int total = stringsOffset + strings.size();
        ByteBuffer blob = ByteBuffer.allocate(total);
        blob.putInt(MAGIC).putInt(total).putInt(structOffset).putInt(stringsOffset).putInt(reservationOffset)
                .putInt(17).putInt(16).putInt(bootCpu).putInt(strings.size()).putInt(struct.size());
        for (long[] r : reservations) {
            blob.putLong(r[0]).putLong(r[1]);
        }
        blob.putLong(0).putLong(0);
        blob.put(struct.toByteArray());
        blob.put(strings.toByteArray());
        return blob.array();
    }

    private int stringOffset(String name) {
        return stringOffsets.computeIfAbsent(name, n -> {
            int offset = strings.size();
            strings.writeBytes(n.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return offset;
        });
    }

    private void bytesPadded(byte[] bytes, boolean terminate) {
        structure.writeBytes(bytes);
        int length = bytes.length;
        if (terminate) {
            structure.write(0);
            length++;
        }
        while (length % 4 != 0) {
            structure.write(0);
            length++;
        }
    }

    private static void word(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }
}
