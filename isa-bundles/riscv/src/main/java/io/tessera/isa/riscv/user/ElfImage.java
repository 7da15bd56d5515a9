package io.tessera.isa.riscv.user;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A RISC-V ELF64 executable as the loader needs it: its loadable segments, entry point,
 * program headers and interpreter. Malformed files are refused with a message that names the
 * problem.
 */
final class ElfImage {

    static final int PT_LOAD = 1;
    static final int PT_INTERP = 3;
    static final int PF_X = 1;
    static final int PF_W = 2;
    static final int PF_R = 4;
    private static final int EM_RISCV = 243;

    /** A loadable segment. */
    record Segment(long offset, long vaddr, long fileSize, long memSize, int flags) {
    }

    final Path path;
    final byte[] bytes;
    final boolean positionIndependent;
    final long entry;
    final long phoff;
    final int phentsize;
    final int phnum;
    final List<Segment> segments;
    final String interpreter;

    private ElfImage(Path path, byte[] bytes) throws IOException {
        this.path = path;
        this.bytes = bytes;
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || b.getInt(0) != 0x464c457f) {
            throw new IOException(path + ": not an ELF file");
        }
        if (bytes[4] != 2 || bytes[5] != 1) {
            throw new IOException(path + ": not a 64-bit little-endian ELF file (riscv64 programs are)");
        }
        int type = b.getShort(16) & 0xffff;
        int machine = b.getShort(18) & 0xffff;
        if (machine != EM_RISCV) {
            throw new IOException(path + ": an ELF file for machine " + machine + ", not RISC-V (243)");
        }
        if (type != 2 && type != 3) {
            throw new IOException(path + ": ELF type " + type + " is not an executable (EXEC or DYN)");
        }
        positionIndependent = type == 3;
        entry = b.getLong(24);
        phoff = b.getLong(32);
        phentsize = b.getShort(54) & 0xffff;
        phnum = b.getShort(56) & 0xffff;
        if (phentsize != 56 || phoff < 0 || phoff + (long) phnum * phentsize > bytes.length) {
            throw new IOException(path + ": program headers lie outside the file");
        }
        List<Segment> loads = new ArrayList<>();
        String interp = null;
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            int ptype = b.getInt(at);
            int flags = b.getInt(at + 4);
            long offset = b.getLong(at + 8);
            long vaddr = b.getLong(at + 16);
            long filesz = b.getLong(at + 32);
            long memsz = b.getLong(at + 40);
            if (ptype == PT_LOAD || ptype == PT_INTERP) {
                if (offset < 0 || filesz < 0 || offset + filesz > bytes.length || memsz < filesz) {
                    throw new IOException(path + ": segment " + i + " lies outside the file or is smaller in memory than on file");
                }
            }
            if (ptype == PT_LOAD) {
                if (memsz > (1L << 32)) {
                    throw new IOException(path + ": segment " + i + " is absurdly large (" + memsz + " bytes)");
                }
                loads.add(new Segment(offset, vaddr, filesz, memsz, flags));
            } else if (ptype == PT_INTERP) {
                int end = (int) (offset + filesz);
                while (end > offset && bytes[end - 1] == 0) {
                    end--;
                }
                interp = new String(bytes, (int) offset, end - (int) offset, java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        if (loads.isEmpty()) {
            throw new IOException(path + ": no loadable segment");
        }
        segments = List.copyOf(loads);
        interpreter = interp;
    }

    static ElfImage read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": no such file");
        }
        return new ElfImage(path, Files.readAllBytes(path));
    }

    /** @return the lowest virtual address of a loadable segment */
    long lowAddress() {
        return segments.stream().mapToLong(Segment::vaddr).min().orElseThrow();
    }

    /** @return the first address past the loadable segments */
    long highAddress() {
        return segments.stream().mapToLong(s -> s.vaddr() + s.memSize()).max().orElseThrow();
    }
}
