package io.tessera.isa.riscv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.isa.riscv.user.CrossToolchain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random instruction streams from a seed, assembled with Debian's cross toolchain and run
 * under Tessera and qemu-riscv64-static: the registers and the scratch memory they leave
 * must be the same. The assembler compresses what fits, so RVC is covered too. A failing
 * seed's program stays in target/streams for a rerun.
 */
class InstructionStreamDifferentialTest {

    private static final int INSTRUCTIONS = 3000;
    private static final int SCRATCH = StreamGenerator.SCRATCH;

    private static Path dir;

    @BeforeAll
    static void tools() throws Exception {
        CrossToolchain.requireTools();
        dir = Files.createDirectories(Path.of("target/streams"));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void integerRegistersAndMemoryMatchQemu(long seed) throws Exception {
        runAndCompare("stream-" + seed, new StreamGenerator(seed, false));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118,
        119, 120, 121, 122, 123, 124})
    void floatingPointRegistersFlagsAndMemoryMatchQemu(long seed) throws Exception {
        runAndCompare("fp-stream-" + seed, new StreamGenerator(seed, true));
    }

    private static void runAndCompare(String name, StreamGenerator generator) throws Exception {
        Path source = dir.resolve(name + ".s");
        Files.writeString(source, generator.program(INSTRUCTIONS));
        Path binary = CrossToolchain.build(source, dir.resolve(name), "-nostdlib");
        CrossToolchain.Outcome expected = CrossToolchain.qemu(binary);
        CrossToolchain.Outcome actual = CrossToolchain.tessera(binary);
        assertEquals(0, expected.status(), "qemu: " + expected.err());
        assertEquals(describe(expected.out()), describe(actual.out()), name + " (" + source + "); " + actual.err());
        assertEquals(expected.status(), actual.status());
    }

    /** The dump as lines a person can compare: scratch memory words, x1..x31, f0..f31, fcsr. */
    private static String describe(String dump) {
        byte[] bytes = dump.getBytes(StandardCharsets.ISO_8859_1);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i + 8 <= bytes.length; i += 8) {
            String name = i < SCRATCH ? "mem[" + i + "]"
                    : i < SCRATCH + 256 ? "x" + (i - SCRATCH) / 8
                    : i < SCRATCH + 512 ? "f" + (i - SCRATCH - 256) / 8
                    : i == SCRATCH + 512 ? "fcsr"
                    : "trace[" + (i - SCRATCH - 520) / 16 + "]" + ((i - SCRATCH - 520) % 16 == 0 ? ".result" : ".flags");
            if (!name.equals("x0") && !name.equals("x2")) {
                text.append(name).append(String.format(" = %016x%n", b.getLong(i)));
            }
        }
        return text.append("(").append(bytes.length).append(" bytes)").toString();
    }

}
