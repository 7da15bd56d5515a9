package io.tessera.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A guest that does everything wrong on the riscv virt board (src/test/asm/hostile-virt.c,
 * built at test time with Debian's riscv64 cross compiler): every device touched at sizes and
 * offsets it does not take, unmapped addresses read and written, and virtio rings that break
 * the rules (a looping chain, a buffer outside RAM, a head beyond the table, an index that runs
 * ahead by 1000, an indirect table that names itself). The machine must survive all of it and
 * say so the way hardware does: access faults where nothing answers (as many as under
 * {@code qemu-system-riscv64}, run with the same options), DEVICE_NEEDS_RESET from the virtio
 * device, which works again once reset; then the guest powers off and the process exits 0.
 */
public class VirtHostileGuestIT {

    private static final Path SOURCE = Path.of("src/test/asm/hostile-virt.c").toAbsolutePath();
    private static final Path LINK_SCRIPT = Path.of("src/test/asm/link.ld").toAbsolutePath();
    private static Path elf;

    @BeforeClass
    public static void build() throws IOException, InterruptedException {
        for (String tool : List.of("riscv64-linux-gnu-gcc", "qemu-system-riscv64")) {
            boolean found = List.of(System.getenv("PATH").split(File.pathSeparator)).stream()
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
            assertTrue(tool + " is missing: apt-get install gcc-riscv64-linux-gnu qemu-system-misc (.ci/run does)", found);
        }
        elf = Files.createTempDirectory("hostile").resolve("hostile-virt.elf");
        Process gcc = new ProcessBuilder("riscv64-linux-gnu-gcc", "-march=rv64gc", "-mabi=lp64d", "-mcmodel=medany", "-O1",
                "-ffreestanding", "-nostdlib", "-nostartfiles", "-static", "-Wl,--build-id=none", "-T", LINK_SCRIPT.toString(),
                SOURCE.toString(), "-o", elf.toString()).redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, gcc.waitFor());
    }

    private static final List<String> OPTIONS = List.of("-machine", "virt", "-nographic", "-m", "128M", "-bios", "none",
            "-device", "virtio-rng-device");

    /** @return the guest's console output; the process must end with status 0 */
    private static String run(List<String> command, boolean tessera) throws IOException, InterruptedException {
        try (GuestConsole console = GuestConsole.start(command, tessera)) {
            console.expect("HOSTILE-DONE", 120);
            assertEquals(console.errors(), 0, console.waitFor(60));
            return console.output();
        }
    }

    private static String line(String output, String start) {
        return output.lines().filter(l -> l.contains(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with '" + start + "' in:\n" + output));
    }

    @Test
    public void theMachineSurvivesAndAnswersAsHardwareDoes() throws Exception {
        List<String> tessera = new java.util.ArrayList<>(List.of(new File("tessera").getAbsolutePath()));
        tessera.addAll(OPTIONS);
        tessera.addAll(List.of("-kernel", elf.toString()));
        String ours = run(tessera, true);
        List<String> qemu = new java.util.ArrayList<>(List.of("qemu-system-riscv64"));
        qemu.addAll(OPTIONS);
        qemu.addAll(List.of("-kernel", elf.toString(), "-monitor", "none", "-serial", "stdio"));
        String theirs = run(qemu, false);

        assertTrue(ours, ours.contains("survived the pokes"));
        assertEquals("unmapped faults 0x40", line(ours, "unmapped faults").replaceAll(".*unmapped", "unmapped"));
        assertEquals(line(theirs, "unmapped faults").replaceAll(".*unmapped", "unmapped"),
                line(ours, "unmapped faults").replaceAll(".*unmapped", "unmapped"));
        assertEquals(line(theirs, "rng magic"), line(ours, "rng magic"));
        // virtio 1.2, 2.1.2: a device that meets an error it cannot recover from sets DEVICE_NEEDS_RESET (0x40).
        for (String broken : List.of("loop", "outside", "head", "idx", "indirect")) {
            String seen = line(ours, broken + ": status");
            long status = Long.decode(seen.replaceAll(".*status (0x[0-9a-f]+).*", "$1"));
            assertTrue(seen, (status & 0x40) != 0);
            assertTrue(seen, seen.endsWith("used 0x0"));
        }
        assertEquals("good: status 0xf used 0x1", line(ours, "good: status"));
    }
}
