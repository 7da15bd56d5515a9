package io.tessera.isa.riscv.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Assembles a bare-metal test program with the cross toolchain into the bytes of its text, linked at 0x80000000. */
final class BareMetalImage {

    private BareMetalImage() {
    }

    /**
     * @param work a directory for the source, the ELF file and the binary
     * @param name the files' base name
     * @param program the assembly source
     * @return the program's .text, to be copied to the start of RAM
     */
    static byte[] assemble(Path work, String name, String program) throws IOException, InterruptedException {
        Path source = Files.writeString(work.resolve(name + ".S"), program);
        Path elf = work.resolve(name + ".elf");
        Path bin = work.resolve(name + ".bin");
        run(List.of("riscv64-linux-gnu-gcc", "-march=rv64gc", "-mabi=lp64d", "-nostdlib", "-nostartfiles", "-static",
                "-Wl,-Ttext=0x80000000", "-Wl,--build-id=none", "-o", elf.toString(), source.toString()));
        run(List.of("riscv64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", elf.toString(), bin.toString()));
        return Files.readAllBytes(bin);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor() == 0, String.join(" ", command) + ":\n" + log);
    }
}
