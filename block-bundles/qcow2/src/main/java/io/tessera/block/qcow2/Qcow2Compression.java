package io.tessera.block.qcow2;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import io.tessera.core.block.BlockFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compressed clusters as QEMU stores them: raw deflate (no zlib header, a 4 KiB window) or a
 * zstd frame. The stored length is only known to the sector, so decompression stops once a
 * whole cluster came out, ignoring what follows.
 */
final class Qcow2Compression {

    static final int ZLIB = 0;
    static final int ZSTD = 1;

    private Qcow2Compression() {
    }

    /**
     * Decompresses one cluster.
     *
     * @param type {@link #ZLIB} or {@link #ZSTD}
     * @param src the stored bytes (possibly followed by unrelated bytes up to a sector end)
     * @param length how many bytes of {@code src} to use
     * @param dst receives exactly {@code dst.length} bytes
     * @throws BlockFormatException if the data is not a valid stream for a whole cluster
     */
    static void decompress(int type, byte[] src, int length, byte[] dst, long hostOffset) throws BlockFormatException {
        if (type == ZLIB) {
            Inflater inflater = new Inflater(true);
            try {
                inflater.setInput(src, 0, length);
                int done = 0;
                while (done < dst.length) {
                    int n = inflater.inflate(dst, done, dst.length - done);
                    if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                        break;
                    }
                    done += n;
                }
                if (done != dst.length) {
                    throw new BlockFormatException("compressed cluster at host offset " + hostOffset + " holds " + done
                            + " bytes, not a whole cluster of " + dst.length);
                }
            } catch (DataFormatException e) {
                throw new BlockFormatException("compressed cluster at host offset " + hostOffset + " is not valid deflate data: "
                        + e.getMessage(), e);
            } finally {
                inflater.end();
            }
            return;
        }
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(src, 0, length))) {
            int done = 0;
            while (done < dst.length) {
                int n = in.read(dst, done, dst.length - done);
                if (n < 0) {
                    break;
                }
                done += n;
            }
            if (done != dst.length) {
                throw new BlockFormatException("zstd cluster at host offset " + hostOffset + " holds " + done
                        + " bytes, not a whole cluster of " + dst.length);
            }
        } catch (BlockFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BlockFormatException("compressed cluster at host offset " + hostOffset + " is not valid zstd data: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Compresses one cluster.
     *
     * @return the compressed bytes, or {@code null} when they would not be shorter than the
     *         cluster (qemu-img then stores the cluster uncompressed)
     */
    static byte[] compress(int type, byte[] cluster) {
        byte[] out;
        int n;
        if (type == ZLIB) {
            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            try {
                deflater.setInput(cluster);
                deflater.finish();
                out = new byte[cluster.length];
                n = 0;
                while (!deflater.finished() && n < out.length) {
                    n += deflater.deflate(out, n, out.length - n);
                }
                if (!deflater.finished()) {
                    return null;
                }
            } finally {
                deflater.end();
            }
        } else {
            out = new byte[(int) Zstd.compressBound(cluster.length)];
            long r = Zstd.compressByteArray(out, 0, out.length, cluster, 0, cluster.length, Zstd.defaultCompressionLevel());
            if (Zstd.isError(r)) {
                return null;
            }
            n = (int) r;
        }
        if (n >= cluster.length) {
            return null;
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
