package io.tessera.machine.virt;

import io.tessera.core.loader.ElfFile;
import io.tessera.core.machine.MachineAssembly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A firmware or kernel file put into guest RAM the way QEMU's RISC-V boards load them: an ELF
 * file at its physical addresses, anything else (OpenSBI's {@code fw_*.bin}, a Linux
 * {@code Image}, U-Boot's {@code u-boot.bin}) as raw bytes at a given address. The bytes are
 * the machine's boot images ({@link MachineAssembly#loadImage}), loaded again at every reset.
 *
 * @param entry where execution starts
 * @param end the first address after the loaded bytes
 */
record BootImage(long entry, long end) {

    private static final int ELF_MAGIC = 0x464c457f;

    /**
     * @param what "firmware", "kernel" or "initrd", for messages
     * @param rawAddress where a file that is not ELF goes
     * @param ramBase first byte of RAM
     * @param ramEnd first byte after RAM
     * @throws IllegalArgumentException when the file is missing, unreadable, not RISC-V or does not fit in RAM
     */
    static BootImage load(String what, String file, MachineAssembly assembly, long rawAddress, long ramBase, long ramEnd,
            boolean allowElf) {
        Path path = Path.of(file);
        try {
            if (allowElf && isElf(path)) {
                ElfFile elf = ElfFile.read(path);
                if (elf.machine() != 243) {
                    throw new IllegalArgumentException(what + " " + file + " is an ELF file for machine " + elf.machine()
                            + ", not RISC-V (243)");
                }
                long end = 0;
                for (ElfFile.Segment segment : elf.segments()) {
                    if (segment.physicalAddress() < ramBase || segment.physicalAddress() + segment.memorySize() > ramEnd) {
                        throw new IllegalArgumentException(String.format(
                                "%s %s has a segment at 0x%x..0x%x, outside RAM (0x%x..0x%x); give the machine more memory (-m)",
                                what, file, segment.physicalAddress(), segment.physicalAddress() + segment.memorySize(), ramBase, ramEnd));
                    }
                    end = Math.max(end, segment.physicalAddress() + segment.memorySize());
                }
                for (ElfFile.Segment segment : elf.segments()) {
                    assembly.loadImage(segment.physicalAddress(), elf.image(segment));
                }
                return new BootImage(elf.entry(), end);
            }
            long size = Files.size(path);
            if (rawAddress < ramBase || size > ramEnd - rawAddress) {
                throw new IllegalArgumentException(String.format("%s %s (%d bytes) does not fit in RAM at 0x%x (RAM ends at 0x%x); "
                        + "give the machine more memory (-m)", what, file, size, rawAddress, ramEnd));
            }
            byte[] bytes = Files.readAllBytes(path);
            assembly.loadImage(rawAddress, bytes);
            return new BootImage(rawAddress, rawAddress + bytes.length);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot load the " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean isElf(Path path) throws IOException {
        try (var in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && ((head[0] & 0xff) | (head[1] & 0xff) << 8 | (head[2] & 0xff) << 16 | (head[3] & 0xff) << 24) == ELF_MAGIC;
        }
    }
}
