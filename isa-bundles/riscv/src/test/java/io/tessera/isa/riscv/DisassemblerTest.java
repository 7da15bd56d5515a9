package io.tessera.isa.riscv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.isa.riscv.user.CrossToolchain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The disassembler against GNU objdump ({@code -M no-aliases}) on every instruction of
 * generated streams and of our C programs linked with glibc. The decoder is checked on the
 * way: objdump's instruction length and ours agree.
 */
class DisassemblerTest {

    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\s+([0-9a-f]{4}|[0-9a-f]{8})\\s+(\\S.*)$");

    /** Programs of every kind the differential tests run, built here so that this test stands alone. */
    private static List<Path> programs() throws Exception {
        Path dir = Files.createDirectories(Path.of("target/disassembler"));
        List<Path> built = new ArrayList<>();
        for (long seed = 1; seed <= 8; seed++) {
            Path source = dir.resolve("stream-" + seed + ".s");
            Files.writeString(source, new StreamGenerator(seed, seed > 4).program(3000));
            built.add(CrossToolchain.build(source, dir.resolve("stream-" + seed), "-nostdlib"));
        }
        try (Stream<Path> sources = Files.list(Path.of("src/test/c"))) {
            for (Path c : sources.filter(p -> p.toString().endsWith(".c")).sorted().toList()) {
                built.add(CrossToolchain.build(c, dir.resolve(c.getFileName().toString().replace(".c", "")), "-O2"));
            }
        }
        return built;
    }

    @Test
    void everyInstructionPrintsAsObjdumpPrintsIt() throws Exception {
        CrossToolchain.requireTools();
        List<Path> binaries = programs();
        int compared = 0;
        List<String> mismatches = new ArrayList<>();
        for (Path binary : binaries) {
            Process objdump = new ProcessBuilder("riscv64-linux-gnu-objdump", "-d", "-M", "no-aliases", binary.toString())
                    .redirectErrorStream(true).start();
            for (String line : new String(objdump.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                long pc = Long.parseUnsignedLong(m.group(1), 16);
                int raw = (int) Long.parseLong(m.group(2), 16);
                String expected = m.group(3).replaceAll("\\s+#.*$", "").replaceAll("\\s+<[^>]*>", "").replaceAll("\\s+", " ").trim();
                if (expected.startsWith(".") || expected.startsWith("unimp") || expected.equals("c.unimp")) {
                    continue;
                }
                Insn insn = Decoder.decode(raw);
                assertEquals(m.group(2).length() / 2, insn.length(), "length of " + m.group(2));
                String actual = Disassembler.format(insn, pc);
                compared++;
                if (!actual.equals(expected) && mismatches.size() < 30 && mismatches.stream().noneMatch(x -> x.contains("'" + expected.split(" ")[0] + " "))) {
                    mismatches.add(m.group(2) + ": objdump '" + expected + "', tessera '" + actual + "'");
                }
            }
            assertEquals(0, objdump.waitFor());
        }
        assertTrue(compared > 50_000, "only " + compared + " instructions compared");
        assertEquals(List.of(), mismatches, compared + " instructions compared");
    }
}
