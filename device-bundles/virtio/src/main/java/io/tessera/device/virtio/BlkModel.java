package io.tessera.device.virtio;

import io.tessera.core.block.BlockNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The virtio block device (virtio 1.x, section 5.2) over an open {@link BlockNode}: one
 * request queue, requests served on the thread that notifies.
 *
 * <p>Features: {@code SEG_MAX} (queue size - 2), {@code BLK_SIZE} (512), {@code RO} for a
 * read-only drive, {@code FLUSH} in write-back mode, {@code DISCARD} and {@code WRITE_ZEROES}
 * (one segment each) for a writable drive. Requests: IN, OUT, FLUSH, GET_ID, DISCARD,
 * WRITE_ZEROES; others complete with {@code UNSUPP}. A failing image, a write to a read-only
 * drive, or a range past the capacity completes with {@code IOERR}; a request without header
 * or status byte is a protocol error (device needs reset).
 */
final class BlkModel extends VirtioModel {

    static final int DEVICE_ID = 2;
    static final int QUEUE_SIZE = 256;
    static final int SECTOR = 512;

    static final int F_SIZE_MAX = 1;
    static final int F_SEG_MAX = 2;
    static final int F_RO = 5;
    static final int F_BLK_SIZE = 6;
    static final int F_FLUSH = 9;
    static final int F_DISCARD = 13;
    static final int F_WRITE_ZEROES = 14;

    static final int T_IN = 0;
    static final int T_OUT = 1;
    static final int T_FLUSH = 4;
    static final int T_GET_ID = 8;
    static final int T_DISCARD = 11;
    static final int T_WRITE_ZEROES = 13;

    static final int S_OK = 0;
    static final int S_IOERR = 1;
    static final int S_UNSUPP = 2;

    static final int ID_BYTES = 20;
    static final int MAX_DISCARD_SECTORS = 0x3f_ffff;
    static final int MAX_WRITE_ZEROES_SECTORS = 0x3f_ffff;
    static final int WRITE_ZEROES_FLAG_UNMAP = 1;
    /** The configuration's length with DISCARD and WRITE_ZEROES (to write_zeroes_may_unmap), as QEMU's. */
    private static final int CONFIG_SIZE = 0x39;
    /** Its length without them (to num_queues), as QEMU's. */
    private static final int CONFIG_SIZE_BASE = 0x24;
    private static final int CHUNK = 128 * 1024;

    private final BlockNode node;
    private final boolean readOnly;
    private final boolean writeback;
    private final byte[] serial;
    private final long capacity;
    private final long features;
    private final byte[] config;
    private byte[] buffer = new byte[4096];

    /**
     * @param node the open drive; {@link #release()} closes it
     * @param readOnly whether the guest sees a read-only disk (forced when the node is)
     * @param writeback {@code true} to offer FLUSH and let writes sit in caches until the guest
     *        flushes; {@code false} (write-through) to flush after every write
     * @param serial what GET_ID answers (at most 20 bytes are used)
     */
    BlkModel(BlockNode node, boolean readOnly, boolean writeback, String serial) {
        this.node = node;
        this.readOnly = readOnly || node.isReadOnly();
        this.writeback = writeback;
        this.serial = serial.getBytes(StandardCharsets.UTF_8);
        this.capacity = node.size() / SECTOR;
        long f = 1L << F_SEG_MAX | 1L << F_BLK_SIZE;
        if (this.readOnly) {
            f |= 1L << F_RO;
        } else {
            f |= 1L << F_DISCARD | 1L << F_WRITE_ZEROES;
        }
        if (writeback) {
            f |= 1L << F_FLUSH;
        }
        this.features = f;
        this.config = buildConfig();
    }

    @Override
    void release() {
        try {
            node.close();
        } catch (IOException e) {
            System.getLogger(BlkModel.class.getName()).log(System.Logger.Level.WARNING,
                    "closing the drive " + node.nodeName() + " failed", e);
        }
    }

    private byte[] buildConfig() {
        ByteBuffer c = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        c.putLong(0x00, capacity);
        c.putInt(0x08, 0); // size_max: not offered, segments of any size are served in chunks
        c.putInt(0x0c, QUEUE_SIZE - 2); // seg_max, as QEMU: the queue less header and status
        c.putInt(0x14, SECTOR); // blk_size
        c.put(0x20, (byte) (writeback ? 1 : 0)); // writeback (meaningful with CONFIG_WCE, not offered)
        c.putShort(0x22, (short) 1); // num_queues
        c.putInt(0x24, MAX_DISCARD_SECTORS);
        c.putInt(0x28, 1); // max_discard_seg
        c.putInt(0x2c, 1); // discard_sector_alignment, in sectors
        c.putInt(0x30, MAX_WRITE_ZEROES_SECTORS);
        c.putInt(0x34, 1); // max_write_zeroes_seg
        c.put(0x38, (byte) 0); // write_zeroes_may_unmap
        return readOnly ? java.util.Arrays.copyOf(c.array(), CONFIG_SIZE_BASE) : c.array();
    }

    /** @return the capacity in 512-byte sectors */
    long capacity() {
        return capacity;
    }

    @Override
    int deviceId() {
        return DEVICE_ID;
    }

    @Override
    long deviceFeatures() {
        return features;
    }

    @Override
    int queueCount() {
        return 1;
    }

    @Override
    int queueMaxSize(int queue) {
        return QUEUE_SIZE;
    }

    @Override
    byte[] config() {
        return config;
    }

    @Override
    void queueNotify(Virtqueue queue) {
        serve(queue, this::request);
    }

    private long request(DescriptorChain chain) {
        if (chain.readableLength() < 16 || chain.writableLength() < 1) {
            throw new VirtioException("block request at head " + chain.head() + " without its 16-byte header or status byte ("
                    + chain.readableLength() + " readable, " + chain.writableLength() + " writable bytes)");
        }
        byte[] header = new byte[16];
        chain.read(0, header, 0, 16);
        int type = Virtqueue.le32(header, 0);
        long sector = Virtqueue.le64(header, 8);
        long dataIn = chain.writableLength() - 1;
        long dataOut = chain.readableLength() - 16;
        int status = switch (type) {
            case T_IN -> read(chain, sector, dataIn);
            case T_OUT -> write(chain, sector, dataOut);
            case T_FLUSH -> flush();
            case T_GET_ID -> getId(chain, dataIn);
            case T_DISCARD, T_WRITE_ZEROES -> discardOrZeroes(chain, type, dataOut);
            default -> {
                transport().log().unimplemented("block request type " + type);
                yield S_UNSUPP;
            }
        };
        chain.write(dataIn, new byte[] {(byte) status}, 0, 1);
        // As QEMU: the used length is the whole device-writable part.
        return chain.writableLength();
    }

    private boolean rangeOk(String what, long sector, long bytes) {
        if (bytes % SECTOR != 0) {
            transport().log().guestError(what + " of " + bytes + " bytes, not a multiple of " + SECTOR);
            return false;
        }
        if (sector < 0 || sector > capacity || bytes / SECTOR > capacity - sector) {
            transport().log().guestError(what + " of " + bytes / SECTOR + " sectors at sector " + sector
                    + " reaches past the capacity of " + capacity + " sectors");
            return false;
        }
        return true;
    }

    private byte[] buffer(long wanted) {
        int size = (int) Math.min(wanted, CHUNK);
        if (buffer.length < size) {
            buffer = new byte[size];
        }
        return buffer;
    }

    private int read(DescriptorChain chain, long sector, long length) {
        if (!rangeOk("read", sector, length)) {
            return S_IOERR;
        }
        byte[] chunk = buffer(length);
        long offset = sector * SECTOR;
        try {
            for (long done = 0; done < length;) {
                int n = (int) Math.min(chunk.length, length - done);
                ByteBuffer dst = ByteBuffer.wrap(chunk, 0, n);
                int got = node.read(offset + done, dst);
                if (got < n) {
                    java.util.Arrays.fill(chunk, got, n, (byte) 0);
                }
                chain.write(done, chunk, 0, n);
                done += n;
            }
            return S_OK;
        } catch (IOException e) {
            transport().log().hostError("read of " + length + " bytes at sector " + sector + " from '" + node.nodeName() + "' failed", e);
            return S_IOERR;
        }
    }

    private int write(DescriptorChain chain, long sector, long length) {
        if (readOnly) {
            transport().log().guestError("write to read-only drive '" + node.nodeName() + "' refused");
            return S_IOERR;
        }
        if (!rangeOk("write", sector, length)) {
            return S_IOERR;
        }
        byte[] chunk = buffer(length);
        long offset = sector * SECTOR;
        try {
            for (long done = 0; done < length;) {
                int n = (int) Math.min(chunk.length, length - done);
                chain.read(16 + done, chunk, 0, n);
                node.write(offset + done, ByteBuffer.wrap(chunk, 0, n));
                done += n;
            }
            if (!writeback) {
                node.flush();
            }
            return S_OK;
        } catch (IOException e) {
            transport().log().hostError("write of " + length + " bytes at sector " + sector + " to '" + node.nodeName() + "' failed", e);
            return S_IOERR;
        }
    }

    private int flush() {
        try {
            node.flush();
            return S_OK;
        } catch (IOException e) {
            transport().log().hostError("flush of '" + node.nodeName() + "' failed", e);
            return S_IOERR;
        }
    }

    private int getId(DescriptorChain chain, long length) {
        byte[] id = new byte[(int) Math.min(ID_BYTES, length)];
        System.arraycopy(serial, 0, id, 0, Math.min(serial.length, id.length));
        chain.write(0, id, 0, id.length);
        return S_OK;
    }

    private int discardOrZeroes(DescriptorChain chain, int type, long length) {
        boolean discard = type == T_DISCARD;
        String what = discard ? "discard" : "write zeroes";
        if (!transport().negotiated(discard ? F_DISCARD : F_WRITE_ZEROES)) {
            transport().log().guestError(what + " request without the feature negotiated");
            return readOnly ? S_IOERR : S_UNSUPP;
        }
        if (length == 0 || length % 16 != 0) {
            transport().log().guestError(what + " request with " + length + " bytes of segments");
            return S_UNSUPP;
        }
        if (length > 16) {
            transport().log().guestError(what + " request with " + length / 16 + " segments; at most 1 is offered");
            return S_UNSUPP;
        }
        byte[] segment = new byte[16];
        chain.read(16, segment, 0, 16);
        long sector = Virtqueue.le64(segment, 0);
        long sectors = Virtqueue.le32(segment, 8) & 0xffff_ffffL;
        int flags = Virtqueue.le32(segment, 12);
        if (discard ? flags != 0 : (flags & ~WRITE_ZEROES_FLAG_UNMAP) != 0) {
            transport().log().guestError(what + " request with flags 0x" + Integer.toHexString(flags));
            return S_UNSUPP;
        }
        if (readOnly) {
            transport().log().guestError(what + " on read-only drive '" + node.nodeName() + "' refused");
            return S_IOERR;
        }
        if (sectors > (discard ? MAX_DISCARD_SECTORS : MAX_WRITE_ZEROES_SECTORS) || !rangeOk(what, sector, sectors * SECTOR)) {
            return S_IOERR;
        }
        try {
            if (discard) {
                node.discard(sector * SECTOR, sectors * SECTOR);
            } else {
                node.writeZeroes(sector * SECTOR, sectors * SECTOR);
            }
            if (!writeback) {
                node.flush();
            }
            return S_OK;
        } catch (IOException e) {
            transport().log().hostError(what + " of " + sectors + " sectors at sector " + sector + " on '" + node.nodeName() + "' failed", e);
            return S_IOERR;
        }
    }
}
