package io.tessera.block.vmdk;

import io.tessera.core.block.BlockCheckResult;
import io.tessera.core.block.BlockFormatException;
import io.tessera.core.block.BlockImageInfo;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockRepair;
import io.tessera.core.block.BlockStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open VMDK disk: its extents laid end to end, and the parent disk (backing node) that
 * supplies what a delta disk's sparse extents leave unallocated.
 */
final class VmdkNode implements BlockNode {

    private static final int ZERO_CHUNK = 64 * 1024;
    private static final ByteBuffer ZEROES = ByteBuffer.allocate(ZERO_CHUNK).asReadOnlyBuffer();

    private final String nodeName;
    private final String filename;
    private final BlockNode file;
    private final List<Extent> extents;
    private final long[] starts;
    private final long size;
    private final BlockNode backing;
    private final boolean readOnly;
    private final VmdkDescriptor descriptor;
    /** Where the descriptor's text starts in {@link #file}, or -1 when the image has none. */
    private final long descriptorAt;
    private volatile long cid;
    private boolean cidUpdated;
    /** Set once the parent's CID was found to match this disk's parentCID; QEMU checks it once per open, too. */
    private boolean parentCidChecked;
    private volatile boolean closed;

    VmdkNode(String nodeName, String filename, BlockNode file, List<Extent> extents, BlockNode backing, boolean readOnly,
            VmdkDescriptor descriptor, long descriptorAt) {
        this.nodeName = nodeName;
        this.filename = filename;
        this.file = file;
        this.extents = List.copyOf(extents);
        this.starts = new long[extents.size()];
        long at = 0;
        for (int i = 0; i < extents.size(); i++) {
            starts[i] = at;
            at = Math.addExact(at, extents.get(i).size);
        }
        this.size = at;
        this.backing = backing;
        this.readOnly = readOnly;
        this.descriptor = descriptor;
        this.descriptorAt = descriptorAt;
        this.cid = descriptor.cid("CID", 0);
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String format() {
        return VmdkDriver.FORMAT;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    private int extentAt(long offset) {
        int i = Arrays.binarySearch(starts, offset);
        if (i < 0) {
            i = -i - 2;
        }
        // Skip empty extents that share a start with the next one.
        while (i + 1 < starts.length && starts[i + 1] <= offset) {
            i++;
        }
        return i;
    }

    private Extent checkAccess(Extent e) throws IOException {
        if (e.access == VmdkDescriptor.Access.NOACCESS) {
            throw new IOException("extent '" + e.name + "' of '" + filename + "' is NOACCESS");
        }
        return e;
    }

    private Extent checkWriteAccess(Extent e) throws IOException {
        if (e.access != VmdkDescriptor.Access.RW) {
            throw new IOException("extent '" + e.name + "' of '" + filename + "' is " + e.access + " and cannot be written");
        }
        return e;
    }

    @Override
    public synchronized int read(long offset, ByteBuffer dst) throws IOException {
        checkOpen();
        if (offset < 0) {
            throw new IOException("read at negative offset " + offset + " of node '" + nodeName + "'");
        }
        if (offset >= size) {
            return 0;
        }
        int total = (int) Math.min(dst.remaining(), size - offset);
        int end = dst.position() + total;
        long at = offset;
        while (dst.position() < end) {
            int index = extentAt(at);
            Extent e = checkAccess(extents.get(index));
            long within = at - starts[index];
            Extent.Mapping m = e.map(within, end - dst.position());
            ByteBuffer part = dst.duplicate().limit(dst.position() + (int) m.length());
            switch (m.kind()) {
                case DATA -> {
                    e.file().read(m.host(), part);
                    zeroFill(part); // bytes past the end of a short file read as zeroes
                }
                case COMPRESSED -> e.readCompressed(m, within, part);
                case ZERO -> zeroFill(part);
                case UNALLOCATED -> {
                    if (backing != null) {
                        checkParentCid(at);
                    }
                    if (backing != null && at < backing.size()) {
                        backing.read(at, part.limit(part.position() + (int) Math.min(part.remaining(), backing.size() - at)));
                        part.limit(dst.position() + (int) m.length());
                    }
                    zeroFill(part);
                }
            }
            dst.position(dst.position() + (int) m.length());
            at += m.length();
        }
        return total;
    }

    private static void zeroFill(ByteBuffer dst) {
        while (dst.hasRemaining()) {
            int n = Math.min(dst.remaining(), ZERO_CHUNK);
            dst.put(ZEROES.duplicate().limit(n));
        }
    }

    @Override
    public synchronized int write(long offset, ByteBuffer src) throws IOException {
        checkWritable(offset, src.remaining());
        if (!cidUpdated) {
            updateCid();
        }
        int total = src.remaining();
        long at = offset;
        while (src.hasRemaining()) {
            int index = extentAt(at);
            Extent e = checkWriteAccess(extents.get(index));
            long within = at - starts[index];
            Extent.Mapping m = e.map(within, src.remaining());
            ByteBuffer part = src.duplicate().limit(src.position() + (int) m.length());
            switch (m.kind()) {
                case DATA -> e.file().write(m.host(), part);
                case ZERO, UNALLOCATED -> {
                    if (!(e instanceof SparseExtent sparse)) {
                        throw new IOException("extent '" + e.name + "' of '" + filename + "' is a ZERO extent and cannot be written");
                    }
                    if (backing != null) {
                        checkParentCid(at);
                    }
                    long run = wholeFreeGrains(sparse, within, src.remaining());
                    if (run > 0) {
                        // Whole new grains in one table go to the file in one write, then their entries in one write per table.
                        long bytes = run * sparse.grainBytes();
                        sparse.allocate(within / sparse.grainBytes(), src.duplicate().limit(src.position() + (int) bytes));
                        src.position(src.position() + (int) bytes);
                        at += bytes;
                        continue;
                    }
                    allocateGrain(sparse, starts[index], within, m.kind(), part);
                }
                case COMPRESSED -> throw new IOException("grain at disk offset " + (at - within % ((SparseExtent) e).grainBytes())
                        + " of stream-optimized '" + filename + "' is already written, and compressed grains cannot be rewritten;"
                        + " convert the image to monolithicSparse to change it");
            }
            src.position(src.position() + (int) m.length());
            at += m.length();
        }
        return total;
    }

    /**
     * QEMU's {@code -c} on a vmdk target: the driver takes compressed writes and stores them as its
     * extent does, deflated in a stream-optimized extent and plain in any other.
     */
    @Override
    public void writeCompressed(long offset, ByteBuffer src) throws IOException {
        write(offset, src);
    }

    /**
     * Refuses to take data from the parent disk when its CID is not the parentCID this delta disk
     * was made over: the parent changed since, so what shows through would be wrong. QEMU 7.2
     * checks the same on the first read of an unallocated grain and on the first allocating
     * write, and fails those with EINVAL ("Invalid argument"); a parent that is not a vmdk has no
     * CID and never matches.
     *
     * @param at the disk offset that needed the parent, for the message
     */
    private void checkParentCid(long at) throws IOException {
        if (parentCidChecked) {
            return;
        }
        long expected = descriptor.cid("parentCID", VmdkDescriptor.NO_PARENT_CID);
        if (!VmdkDriver.FORMAT.equals(backing.format())) {
            throw new IOException("Invalid argument: delta disk '" + filename + "' needs its parent at byte " + at + ", but the parent '"
                    + backing.nodeName() + "' is a " + backing.format() + " image, which has no CID to match parentCID "
                    + String.format("%08x", expected));
        }
        Object parentCid = backing.imageInfo().formatSpecific().get("cid");
        if (!(parentCid instanceof Number n) || n.longValue() != expected) {
            throw new IOException("Invalid argument: delta disk '" + filename + "' needs its parent at byte " + at
                    + ", but the parent's CID " + (parentCid instanceof Number n ? String.format("%08x", n.longValue()) : "(none)")
                    + " is not the parentCID " + String.format("%08x", expected)
                    + " it was made over: the parent was written since (QEMU refuses the same)");
        }
        parentCidChecked = true;
    }

    /**
     * @return how many whole, unallocated or zeroed grains of one grain table a write of
     *         {@code length} bytes at {@code within} covers, when it starts on a grain boundary of
     *         an uncompressed extent; else 0
     */
    private static long wholeFreeGrains(SparseExtent e, long within, long length) throws IOException {
        long grainBytes = e.grainBytes();
        if (e.header.compressed() || within % grainBytes != 0) {
            return 0;
        }
        long first = within / grainBytes;
        long max = Math.min(Math.min(length, e.size - within) / grainBytes, e.grainsLeftInTable(first));
        long n = 0;
        while (n < max) {
            Extent.Kind kind = e.map((first + n) * grainBytes, grainBytes).kind();
            if (kind != Extent.Kind.UNALLOCATED && kind != Extent.Kind.ZERO) {
                break;
            }
            n++;
        }
        return n;
    }

    /**
     * Gives the disk a new content id before its first write after opening, as QEMU and VMware
     * do, so that a delta disk made over this one can tell that its parent changed. The hex digits
     * are overwritten in place by as many (QEMU writes the CID without leading zeroes, so a
     * descriptor may have fewer than 8); a descriptor whose CID is written otherwise keeps it.
     */
    private void updateCid() throws IOException {
        cidUpdated = true;
        if (descriptorAt < 0) {
            return;
        }
        ByteBuffer text = ByteBuffer.allocate((int) Math.min(64 * 1024, Math.max(0, file.size() - descriptorAt)));
        file.read(descriptorAt, text);
        String s = new String(text.array(), 0, text.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^CID=([0-9a-fA-F]{1,8})$").matcher(s);
        if (!m.find()) {
            return;
        }
        int digits = m.end(1) - m.start(1);
        long next;
        do {
            next = java.util.concurrent.ThreadLocalRandom.current().nextInt() & 0xffffffffL >>> (32 - 4 * digits);
        } while (next == cid || next == VmdkDescriptor.NO_PARENT_CID);
        String written = String.format("%0" + digits + "x", next);
        file.write(descriptorAt + m.start(1), ByteBuffer.wrap(written.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        cid = next;
    }

    /** Fills a new grain with what the disk showed before (parent data or zeroes) and the new bytes. */
    private void allocateGrain(SparseExtent e, long extentStart, long within, Extent.Kind before, ByteBuffer part) throws IOException {
        long grainBytes = e.grainBytes();
        long grainStart = within / grainBytes * grainBytes;
        int grainLength = (int) Math.min(grainBytes, e.size - grainStart);
        ByteBuffer grain = ByteBuffer.allocate((int) grainBytes);
        if (part.remaining() < grainLength && before == Extent.Kind.UNALLOCATED && backing != null) {
            long diskOffset = extentStart + grainStart;
            if (diskOffset < backing.size()) {
                backing.read(diskOffset, grain.slice(0, (int) Math.min(grainLength, backing.size() - diskOffset)));
            }
        }
        grain.put((int) (within - grainStart), part, part.position(), part.remaining());
        e.allocate(within / grainBytes, grain);
    }

    @Override
    public synchronized void flush() throws IOException {
        checkOpen();
        for (BlockNode n : files()) {
            n.flush();
        }
    }

    private List<BlockNode> files() {
        List<BlockNode> out = new ArrayList<>();
        out.add(file);
        for (Extent e : extents) {
            if (e.file() != null && !out.contains(e.file())) {
                out.add(e.file());
            }
        }
        return out;
    }

    /** Discarding is a hint; sparse VMDK extents cannot free a grain safely once written, so it does nothing. */
    @Override
    public synchronized void discard(long offset, long length) throws IOException {
        checkWritable(offset, length);
    }

    @Override
    public synchronized void writeZeroes(long offset, long length) throws IOException {
        checkWritable(offset, length);
        long at = offset;
        long end = offset + length;
        while (at < end) {
            int n = (int) Math.min(ZERO_CHUNK, end - at);
            write(at, ZEROES.duplicate().limit(n));
            at += n;
        }
    }

    private void checkWritable(long offset, long length) throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException("node '" + nodeName + "' (" + filename + ") is read-only");
        }
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IOException("range " + offset + "+" + length + " lies outside the " + size + "-byte disk of '" + filename + "'");
        }
    }

    @Override
    public synchronized BlockStatus blockStatus(long offset, long length) throws IOException {
        checkOpen();
        if (offset < 0 || offset >= size) {
            throw new IllegalArgumentException("block status at offset " + offset + " of node '" + nodeName
                    + "': the offset must lie below the size " + size);
        }
        if (length <= 0) {
            throw new IllegalArgumentException("block status length must be positive: " + length);
        }
        long max = Math.min(length, size - offset);
        Extent.Mapping first = mapAt(offset, max);
        long n = first.length();
        // Merge following grains of the same kind, as qemu-img map shows them.
        while (n < max) {
            Extent.Mapping next = mapAt(offset + n, max - n);
            if (next.kind() != first.kind() || first.kind() == Extent.Kind.COMPRESSED
                    || first.kind() == Extent.Kind.DATA && (next.host() != first.host() + n || extentFile(offset) != extentFile(offset + n))) {
                break;
            }
            n += next.length();
        }
        Extent extent = extents.get(extentAt(offset));
        if (first.kind() == Extent.Kind.DATA && extent instanceof FlatExtent) {
            // A flat extent is a plain file: its holes read as zeroes, as the file node reports them.
            BlockNode f = extent.file();
            if (first.host() >= f.size()) {
                return new BlockStatus(offset, n, false, true, 0, first.host());
            }
            BlockStatus below = f.blockStatus(first.host(), Math.min(n, f.size() - first.host()));
            return new BlockStatus(offset, below.length(), below.data(), below.zero(), 0, first.host());
        }
        return switch (first.kind()) {
            case DATA -> new BlockStatus(offset, n, true, false, 0, first.host());
            case COMPRESSED -> new BlockStatus(offset, n, true, false, 0, -1);
            case ZERO -> new BlockStatus(offset, n, false, true, 0, -1);
            case UNALLOCATED -> BlockStatus.inBacking(backing, offset, n);
        };
    }

    private Extent.Mapping mapAt(long offset, long max) throws IOException {
        int index = extentAt(offset);
        return checkAccess(extents.get(index)).map(offset - starts[index], max);
    }

    private BlockNode extentFile(long offset) {
        return extents.get(extentAt(offset)).file();
    }

    /** Data in an extent file of its own is named by that file, as qemu-img map shows it. */
    @Override
    public Optional<String> dataFilename(long offset) throws IOException {
        checkOpen();
        if (offset < 0 || offset >= size) {
            throw new IllegalArgumentException("offset " + offset + " lies outside the " + size + "-byte disk of '" + filename + "'");
        }
        BlockNode f = extentFile(offset);
        if (f == null || f == file) {
            return Optional.empty();
        }
        return Optional.of(VmdkDriver.resolve(filename, extents.get(extentAt(offset)).name, true));
    }


    @Override
    public BlockImageInfo imageInfo() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("cid", cid);
        data.put("parent-cid", descriptor.cid("parentCID", VmdkDescriptor.NO_PARENT_CID));
        data.put("create-type", descriptor.createType());
        List<Object> list = new ArrayList<>();
        long clusterSize = 0;
        for (int i = 0; i < extents.size(); i++) {
            Extent e = extents.get(i);
            // Field order, names and values as qemu-img 7.2 prints them.
            Map<String, Object> m = new LinkedHashMap<>();
            boolean monolithic = e.file() == file;
            if (e instanceof SparseExtent s && s.header.compressed()) {
                m.put("compressed", true);
            }
            m.put("virtual-size", e.size);
            m.put("filename", monolithic ? filename : extentPathAsGiven(e.name));
            if (e instanceof SparseExtent s) {
                m.put("cluster-size", s.grainBytes());
                if (clusterSize == 0) {
                    clusterSize = s.grainBytes();
                }
            }
            // QEMU names the extent type its descriptor line gives; the single extent of a monolithic image has none.
            m.put("format", monolithic ? "" : descriptor.extents().get(i).type().name());
            list.add(m);
        }
        data.put("extents", list);
        // A parent disk is always a vmdk: QEMU reports that format for it.
        String parent = descriptor.parentFileNameHint();
        return new BlockImageInfo(clusterSize, parent, parent == null ? null : VmdkDriver.FORMAT, false, List.of(), data);
    }

    /** An extent file's name as QEMU shows it: the descriptor's directory as the user gave it, then the name. */
    private String extentPathAsGiven(String name) {
        String image = filename.startsWith("file:") ? filename.substring(5) : filename;
        int slash = image.lastIndexOf('/');
        return slash < 0 ? name : image.substring(0, slash + 1) + name;
    }

    /**
     * Checks, as QEMU's vmdk check does, that every grain table and allocated grain lies inside its
     * extent file. Nothing is repaired: VMDK has no reference counts to rebuild, and a grain that
     * points outside its file cannot be given its lost data back.
     */
    @Override
    public synchronized Optional<BlockCheckResult> check(BlockRepair repair) throws IOException {
        checkOpen();
        long corruptions = 0;
        List<String> messages = new ArrayList<>();
        for (Extent e : extents) {
            if (!(e instanceof SparseExtent sparse)) {
                continue;
            }
            long grains = (e.size + sparse.grainBytes() - 1) / sparse.grainBytes();
            for (long g = 0; g < grains; g++) {
                try {
                    sparse.map(g * sparse.grainBytes(), sparse.grainBytes());
                } catch (BlockFormatException bad) {
                    corruptions++;
                    messages.add("ERROR: " + bad.getMessage());
                    if (bad.getMessage().startsWith("grain table")) {
                        g = (g / sparse.header.gtesPerGt + 1) * sparse.header.gtesPerGt - 1; // the whole table is lost
                    }
                }
            }
        }
        return Optional.of(new BlockCheckResult(0, corruptions, 0, 0, 0, -1, -1, -1, -1, -1, messages));
    }

    @Override
    public Optional<BlockNode> backing() {
        return Optional.ofNullable(backing);
    }

    @Override
    public Optional<BlockNode> file() {
        return Optional.of(file);
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("node '" + nodeName + "' (" + filename + ") is closed");
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        List<BlockNode> owned = files();
        if (backing != null) {
            owned.add(backing);
        }
        for (BlockNode n : owned) {
            try {
                n.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
