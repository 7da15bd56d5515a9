package io.tessera.block.file;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.Optional;

/**
 * The attributes QEMU's file protocol gives a file it creates, from its creation options
 * {@code nocow} and {@code extent_size_hint}: the no-copy-on-write flag (which only btrfs
 * honours; elsewhere the kernel refuses it and nothing else changes, as in QEMU) and the extent
 * size hint (XFS allocates in such extents; 1 MiB unless given, 0 for none).
 *
 * <p>Both are optimisations, so a refusal never fails the creation; a hint given explicitly that
 * the file system refuses is reported back, for the caller to warn about as qemu-img does.
 */
final class CreationAttributes {

    static final String NOCOW = "nocow";
    static final String EXTENT_SIZE_HINT = "extent_size_hint";
    /** QEMU's default hint; a file system without the attribute ignores it. */
    static final long DEFAULT_EXTENT_SIZE_HINT = 1L << 20;

    // linux/fs.h: _IOR('f', 1, long), _IOW('f', 2, long), FS_NOCOW_FL; _IOR('X', 31, struct fsxattr),
    // _IOW('X', 32, struct fsxattr), FS_XFLAG_EXTSIZE.
    private static final long FS_IOC_GETFLAGS = 0x80086601L;
    private static final long FS_IOC_SETFLAGS = 0x40086602L;
    private static final int FS_NOCOW_FL = 0x00800000;
    private static final long FS_IOC_FSGETXATTR = 0x801c581fL;
    private static final long FS_IOC_FSSETXATTR = 0x401c5820L;
    private static final int FS_XFLAG_EXTSIZE = 0x00000800;
    /** struct fsxattr: fsx_xflags, fsx_extsize, fsx_nextents, fsx_projid, fsx_cowextsize (u32 each), 8 bytes of padding. */
    private static final long FSXATTR_SIZE = 28;
    private static final long FSX_XFLAGS = 0;
    private static final long FSX_EXTSIZE = 4;

    private final boolean nocow;
    private final long extentSizeHint;
    private final boolean hintGiven;

    private CreationAttributes(boolean nocow, long extentSizeHint, boolean hintGiven) {
        this.nocow = nocow;
        this.extentSizeHint = extentSizeHint;
        this.hintGiven = hintGiven;
    }

    /**
     * @param options a file node's open options; {@code nocow} is on or off, {@code extent_size_hint}
     *        a size below 4 GiB
     * @throws IllegalArgumentException naming a bad value and what is valid, in qemu-img's words
     */
    static CreationAttributes of(Map<String, String> options) {
        boolean nocow = false;
        String flag = options.get(NOCOW);
        if (flag != null) {
            nocow = switch (flag) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new IllegalArgumentException("Parameter 'nocow' expects 'on' or 'off'");
            };
        }
        String hint = options.get(EXTENT_SIZE_HINT);
        long size = DEFAULT_EXTENT_SIZE_HINT;
        if (hint != null) {
            try {
                size = io.tessera.core.block.BlockOptions.parseSize(EXTENT_SIZE_HINT, hint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Parameter 'extent_size_hint' expects a non-negative number below 2^64", e);
            }
            if (size > 0xffff_ffffL) {
                throw new IllegalArgumentException("Extent size hint is too large");
            }
        }
        return new CreationAttributes(nocow, size, hint != null);
    }

    /**
     * Sets the attributes on the new file at {@code path}.
     *
     * @return why an explicitly given extent size hint was refused ("Inappropriate ioctl for
     *         device"); empty when it was set, not given, or no hint was asked for
     */
    Optional<String> applyTo(String path) {
        MethodHandle ioctl = Libc.ioctl();
        if (ioctl == null || !nocow && extentSizeHint == 0) {
            return Optional.empty();
        }
        int fd = Libc.open(path, Libc.O_RDONLY);
        if (fd < 0) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            if (nocow) {
                MemorySegment flags = arena.allocate(ValueLayout.JAVA_LONG);
                if ((int) ioctl.invokeExact(state, fd, FS_IOC_GETFLAGS, flags) == 0) {
                    flags.set(ValueLayout.JAVA_INT, 0, flags.get(ValueLayout.JAVA_INT, 0) | FS_NOCOW_FL);
                    int ignored = (int) ioctl.invokeExact(state, fd, FS_IOC_SETFLAGS, flags);
                }
            }
            if (extentSizeHint == 0) {
                return Optional.empty();
            }
            MemorySegment attr = arena.allocate(FSXATTR_SIZE, 4);
            int result = (int) ioctl.invokeExact(state, fd, FS_IOC_FSGETXATTR, attr);
            if (result == 0) {
                attr.set(ValueLayout.JAVA_INT, FSX_XFLAGS, attr.get(ValueLayout.JAVA_INT, FSX_XFLAGS) | FS_XFLAG_EXTSIZE);
                attr.set(ValueLayout.JAVA_INT, FSX_EXTSIZE, (int) extentSizeHint);
                result = (int) ioctl.invokeExact(state, fd, FS_IOC_FSSETXATTR, attr);
            }
            return result < 0 && hintGiven ? Optional.of(Libc.strerror(Libc.errno(state))) : Optional.empty();
        } catch (Throwable e) {
            return Optional.empty();
        } finally {
            Libc.close(fd);
        }
    }

    boolean nocow() {
        return nocow;
    }

    long extentSizeHint() {
        return extentSizeHint;
    }
}
