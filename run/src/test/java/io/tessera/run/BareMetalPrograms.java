package io.tessera.run;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** The bare-metal test programs of src/test/asm, built with Debian's riscv64 cross compiler for the spike board. */
final class BareMetalPrograms {

    static final Path SOURCES = Path.of("src/test/asm").toAbsolutePath();

    private BareMetalPrograms() {
    }

    /**
     * @param work where the ELF file goes
     * @param program a program's name (hello, traps, ...), linked with common.S by link.ld
     * @return the ELF file
     */
    static Path build(Path work, String program) throws IOException, InterruptedException {
        Path elf = work.resolve(program + ".elf");
        Process gcc = new ProcessBuilder(List.of("riscv64-linux-gnu-gcc", "-march=rv64gc", "-mabi=lp64d", "-nostdlib", "-nostartfiles",
                "-static", "-Wl,--build-id=none", "-T", SOURCES.resolve("link.ld").toString(),
                SOURCES.resolve("common.S").toString(), SOURCES.resolve(program + ".S").toString(), "-o", elf.toString()))
                .redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(log, 0, gcc.waitFor());
        return elf;
    }
}
