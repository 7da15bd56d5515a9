package io.tessera.isa.riscv.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.tcg.stats.BlockOrder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User mode's report at a process's end (-Dtessera.tcg.stats=blocks...,coverset=...): a
 * program whose loop of three instructions runs 100000 times lists that loop first, with the
 * instructions it executed, and it alone is the 90 % coverset.
 */
class UserStatisticsTest {

    private static final String PROGRAM = """
            .globl _start
        _start:
            li t0, 100000
            li a0, 0
            j loop
        loop:
            addi a0, a0, 3
            addi t0, t0, -1
            bnez t0, loop
            li a0, 0
            li a7, 93
            ecall
        """;

    @BeforeAll
    static void tools() {
        CrossToolchain.requireTools();
    }

    @Test
    void theReportAtExitListsTheLoopFirstAndItAloneCovers90Percent(@TempDir Path work) throws Exception {
        Path source = Files.writeString(work.resolve("loop.S"), PROGRAM);
        Path binary = CrossToolchain.build(source, work.resolve("loop"), "-nostdlib", "-nostartfiles");
        long loop = symbol(binary, "loop");

        StatisticsRequest request = StatisticsRequest.parse("blocks=3,sort=insns,coverset=90");
        Execution execution = new Execution(true, 0, 1 << 20, 16, 0, request);
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        LinuxProcess process = LinuxProcess.load(binary, List.of(binary.toString()), Map.of(), null,
                new PrintStream(diagnostics, true, StandardCharsets.UTF_8), execution);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, process.run(new StandardStreams(java.nio.channels.Channels.newChannel(java.io.InputStream.nullInputStream()),
                java.nio.channels.Channels.newChannel(out), java.nio.channels.Channels.newChannel(out))));

        List<String> lines = diagnostics.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.get(0).matches("tessera user: process \\d+: blocks cached \\d+ .*"), lines.get(0));
        assertTrue(lines.get(1).endsWith("guest instructions executed in them; by insns:"), lines.get(1));
        List<String> first = List.of(lines.get(3).trim().split("\\s+"));
        assertEquals("0x" + Long.toHexString(loop), first.get(0), String.join("\n", lines));
        assertEquals("3", first.get(3), "the loop's instructions");
        assertEquals("300000", first.get(5), "100000 iterations of 3 instructions");
        String coverset = lines.stream().filter(l -> l.contains(" blocks cover ")).findFirst().orElseThrow();
        assertTrue(coverset.startsWith("1 of "), coverset);
    }

    @Test
    void theRequestIsParsedAndMistakesNamed() {
        assertEquals(StatisticsRequest.NONE, StatisticsRequest.parse(null));
        assertEquals(StatisticsRequest.NONE, StatisticsRequest.parse("false"));
        assertEquals(new StatisticsRequest(true, 0, BlockOrder.EXECUTIONS, 0), StatisticsRequest.parse("true"));
        assertEquals(new StatisticsRequest(true, 20, BlockOrder.TIME, 95.5), StatisticsRequest.parse("threads,blocks,sort=time,coverset=95.5"));
        assertEquals("tessera.tcg.stats=blocks,hot: 'hot' is not valid; valid items: true or threads, blocks or blocks=N, "
                + "sort=executions|expansion|time|insns, coverset=PERCENT",
                assertThrows(IllegalArgumentException.class, () -> StatisticsRequest.parse("blocks,hot")).getMessage());
        assertEquals("tessera.tcg.stats blocks=0: valid values are whole numbers from 1 to 2147483647",
                assertThrows(IllegalArgumentException.class, () -> StatisticsRequest.parse("blocks=0")).getMessage());
        assertEquals("tessera.tcg.stats: coverset=200: valid values are numbers above 0 and at most 100",
                assertThrows(IllegalArgumentException.class, () -> StatisticsRequest.parse("coverset=200")).getMessage());
        assertEquals("unknown sort order 'fast'; valid: executions, expansion, time, insns",
                assertThrows(IllegalArgumentException.class, () -> StatisticsRequest.parse("sort=fast")).getMessage());
    }

    private static long symbol(Path binary, String name) throws Exception {
        Process nm = new ProcessBuilder("riscv64-linux-gnu-nm", binary.toString()).redirectErrorStream(true).start();
        String out = new String(nm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, nm.waitFor(), out);
        return out.lines().map(l -> l.split(" ")).filter(f -> f.length == 3 && f[2].equals(name)).mapToLong(f -> Long.parseUnsignedLong(f[0], 16))
                .findFirst().orElseThrow(() -> new AssertionError("no symbol " + name + " in\n" + out));
    }
}
