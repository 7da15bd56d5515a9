package io.tessera.core.loader;

import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.BusErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A 64-bit little-endian ELF file as a board's loader needs it: the loadable segments by
 * physical address, the entry point, and the symbol table (HTIF finds tohost and fromhost
 * there). Malformed files are refused with a message naming the problem; nothing is read
 * outside the file.
 */
public final class ElfFile {

    private static final int PT_LOAD = 1;
    private static final int SHT_SYMTAB = 2;

    /**
     * A loadable segment.
     *
     * @param physicalAddress where it goes in guest physical memory
     * @param virtualAddress where the program sees it
     * @param offset its first byte in the file
     * @param fileSize bytes taken from the file
     * @param memorySize bytes in memory (the rest zeroed)
     */
    public record Segment(long physicalAddress, long virtualAddress, long offset, long fileSize, long memorySize) {
    }

    private final Path path;
    private final byte[] bytes;
    private final int machine;
    private final long entry;
    private final List<Segment> segments;
    private final Map<String, Long> symbols;

    private ElfFile(Path path, byte[] bytes) throws IOException {
        this.path = path;
        this.bytes = bytes;
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64 || b.getInt(0) != 0x464c457f) {
            throw problem("not an ELF file");
        }
        if (bytes[4] != 2 || bytes[5] != 1) {
            throw problem("not a 64-bit little-endian ELF file");
        }
        machine = b.getShort(18) & 0xffff;
        entry = b.getLong(24);
        segments = readSegments(b);
        symbols = readSymbols(b);
    }

    /**
     * Reads an ELF file.
     *
     * @throws IOException when it cannot be read or is malformed
     */
    public static ElfFile read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": no such file");
        }
        return new ElfFile(path, Files.readAllBytes(path));
    }

    private IOException problem(String what) {
        return new IOException(path + ": " + what);
    }

    private List<Segment> readSegments(ByteBuffer b) throws IOException {
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54) & 0xffff;
        int phnum = b.getShort(56) & 0xffff;
        if (phnum > 0 && (phentsize != 56 || phoff < 0 || phoff + (long) phnum * phentsize > bytes.length)) {
            throw problem("program headers lie outside the file");
        }
        List<Segment> loads = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (b.getInt(at) != PT_LOAD) {
                continue;
            }
            long offset = b.getLong(at + 8);
            long vaddr = b.getLong(at + 16);
            long paddr = b.getLong(at + 24);
            long filesz = b.getLong(at + 32);
            long memsz = b.getLong(at + 40);
            if (offset < 0 || filesz < 0 || offset + filesz > bytes.length || memsz < filesz || memsz > (1L << 40)) {
                throw problem("segment " + i + " lies outside the file or has an impossible size");
            }
            loads.add(new Segment(paddr, vaddr, offset, filesz, memsz));
        }
        if (loads.isEmpty()) {
            throw problem("no loadable segment");
        }
        return List.copyOf(loads);
    }

    private Map<String, Long> readSymbols(ByteBuffer b) throws IOException {
        long shoff = b.getLong(40);
        int shentsize = b.getShort(58) & 0xffff;
        int shnum = b.getShort(60) & 0xffff;
        Map<String, Long> found = new HashMap<>();
        if (shnum == 0 || shoff == 0) {
            return found;
        }
        if (shentsize != 64 || shoff < 0 || shoff + (long) shnum * shentsize > bytes.length) {
            throw problem("section headers lie outside the file");
        }
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * shentsize);
            if (b.getInt(at + 4) != SHT_SYMTAB) {
                continue;
            }
            long offset = b.getLong(at + 24);
            long size = b.getLong(at + 32);
            int link = b.getInt(at + 40);
            if (offset < 0 || size < 0 || offset + size > bytes.length || link < 0 || link >= shnum) {
                throw problem("symbol table " + i + " lies outside the file");
            }
            int strings = (int) (shoff + (long) link * shentsize);
            long stroff = b.getLong(strings + 24);
            long strsize = b.getLong(strings + 32);
            if (stroff < 0 || strsize < 0 || stroff + strsize > bytes.length) {
                throw problem("string table " + link + " lies outside the file");
            }
            for (long s = offset; s + 24 <= offset + size; s += 24) {
                int name = b.getInt((int) s);
                if (name <= 0 || name >= strsize) {
                    continue;
                }
                int start = (int) (stroff + name);
                int end = start;
                while (end < stroff + strsize && bytes[end] != 0) {
                    end++;
                }
                found.putIfAbsent(new String(bytes, start, end - start, StandardCharsets.UTF_8), b.getLong((int) s + 8));
            }
        }
        return found;
    }

    /** @return the e_machine field (243 for RISC-V) */
    public int machine() {
        return machine;
    }

    /** @return the entry point */
    public long entry() {
        return entry;
    }

    /** @return the loadable segments */
    public List<Segment> segments() {
        return segments;
    }

    /** @return a symbol's value, when the file has a symbol table that names it */
    public OptionalLong symbol(String name) {
        Long value = symbols.get(name);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * A segment as it lies in memory, for boards that keep their boot images to load them again
     * at a reset: its bytes from the file, then zeroes up to its memory size.
     *
     * @param segment one of {@link #segments()}
     * @throws IllegalArgumentException when the segment is 2 GiB or more in memory
     */
    public byte[] image(Segment segment) {
        if (segment.memorySize() >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format("%s: the segment at 0x%x is %d bytes in memory, too large for one image",
                    path, segment.physicalAddress(), segment.memorySize()));
        }
        byte[] image = new byte[(int) segment.memorySize()];
        System.arraycopy(bytes, (int) segment.offset(), image, 0, (int) segment.fileSize());
        return image;
    }

    /**
     * Copies the loadable segments to their physical addresses, zeroing what lies beyond their
     * file contents.
     *
     * @throws IOException when a segment falls outside the guest's memory
     */
    public void loadInto(AddressSpace memory) throws IOException {
        for (Segment s : segments) {
            try {
                memory.write(s.physicalAddress(), bytes, (int) s.offset(), (int) s.fileSize());
                long zeroes = s.memorySize() - s.fileSize();
                byte[] zero = new byte[(int) Math.min(zeroes, 1 << 16)];
                for (long done = 0; done < zeroes; done += zero.length) {
                    memory.write(s.physicalAddress() + s.fileSize() + done, zero, 0, (int) Math.min(zero.length, zeroes - done));
                }
            } catch (BusErrorException e) {
                throw problem(String.format("segment at 0x%x (%d bytes) does not fit the guest's memory: %s",
                        s.physicalAddress(), s.memorySize(), e.getMessage()));
            }
        }
    }
}
