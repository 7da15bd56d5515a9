package io.tessera.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The riscv-virt board with Debian's real guests (run/guests/debian-virt fetches them):
 * OpenSBI's banner, U-Boot's prompt and commands, and Linux to the busybox shell, through
 * {@code run/tessera} with QEMU's command line, console on stdio.
 */
public class VirtBootIT {

    private static Map<String, String> guest;

    @BeforeClass
    public static void fetchGuest() throws IOException, InterruptedException {
        Process fetch = new ProcessBuilder(Path.of("guests/debian-virt").toAbsolutePath().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String printed = new String(fetch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("run/guests/debian-virt failed", 0, fetch.waitFor());
        guest = new HashMap<>();
        for (String line : printed.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                guest.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        for (String key : List.of("FIRMWARE", "UBOOT", "KERNEL", "INITRD")) {
            assertTrue("run/guests/debian-virt printed no " + key + ": " + printed, guest.containsKey(key));
        }
    }

    private static GuestConsole tessera(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(new File("tessera").getAbsolutePath(), "-machine", "virt", "-nographic"));
        command.addAll(List.of(args));
        return GuestConsole.start(command, true);
    }

    /** @return a 64 MiB ext4 image holding host.txt, made with the host's e2fsprogs */
    private static Path ext4Image() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("virt-disk");
        Path content = Files.createDirectory(dir.resolve("content"));
        Files.writeString(content.resolve("host.txt"), "written on the host\n");
        Path image = dir.resolve("disk.img");
        run("truncate", "-s", "64M", image.toString());
        run("mke2fs", "-q", "-t", "ext4", "-d", content.toString(), image.toString());
        return image;
    }

    @Test
    public void openSbiAndUBootBootAndPowerOff() throws Exception {
        Path image = ext4Image();
        try (GuestConsole console = tessera("-m", "256M", "-smp", "2", "-bios", guest.get("FIRMWARE"), "-kernel", guest.get("UBOOT"),
                "-drive", "file=" + image + ",format=raw,if=none,id=d0", "-device", "virtio-blk-device,drive=d0")) {
            console.expect("OpenSBI v1.6", 60);
            String banner = console.expect("Boot HART MEDELEG", 10);
            assertTrue(banner, banner.matches("(?s).*Platform Name\\s+: riscv-virtio,qemu\\s.*"));
            assertTrue(banner, banner.matches("(?s).*Platform HART Count\\s+: 2\\s.*"));
            assertTrue(banner, banner.matches("(?s).*Boot HART Base ISA\\s+: rv64imafdc\\s.*"));
            assertTrue(banner, banner.matches("(?s).*Boot HART ISA Extensions\\s+: sstc,zicntr,zihpm\\s.*"));
            console.expect("U-Boot 2025.01", 60);
            console.expect("Hit any key to stop autoboot", 60);
            console.type(" ");
            console.expect("=> ", 30);
            console.send("version");
            assertTrue(console.expect("=> ", 30).contains("U-Boot 2025.01"));
            console.send("virtio scan; virtio info");
            assertTrue(console.expect("=> ", 30).contains("QEMU VirtIO Block Device"));
            console.send("ext4load virtio 0 0x84000000 /host.txt; md.b 0x84000000 0x13");
            String read = console.expect("=> ", 30);
            assertTrue(read, read.contains("20 bytes read") && read.contains("written on the h"));
            // Ctrl-a c: the monitor, then back to the console.
            console.type("\u0001c");
            console.expect("(tessera) ", 30);
            console.send("machine describe vm");
            String described = console.expect("(tessera) ", 30);
            assertTrue(described, described.contains("type:    virt") && described.contains("uart0 (ns16550a, active)"));
            console.type("\u0001c");
            console.send("echo back in u-boot");
            console.expect("back in u-boot", 30);
            console.send("poweroff");
            assertEquals(0, console.waitFor(30));
        }
    }

    private void linuxReachesTheShell(int harts) throws Exception {
        try (GuestConsole console = tessera("-m", "512M", "-smp", Integer.toString(harts), "-bios", guest.get("FIRMWARE"),
                "-kernel", guest.get("KERNEL"), "-initrd", guest.get("INITRD"), "-append", "console=ttyS0")) {
            console.expect("Linux version 6.12", 120);
            console.expect("TESSERA-SHELL-READY", 600);
            console.send("echo answer=$((6*7)) harts=$(grep -c ^processor /proc/cpuinfo)");
            console.expect("answer=42 harts=" + harts, 60);
            console.send("poweroff -f");
            assertEquals(0, console.waitFor(60));
        }
    }

    @Test
    public void linuxOnOneHart() throws Exception {
        linuxReachesTheShell(1);
    }

    @Test
    public void linuxOnFourHarts() throws Exception {
        linuxReachesTheShell(4);
    }

    /** An ext4 image made on the host, attached as QEMU attaches it: the guest reads it, writes it, and the host finds the write. */
    @Test
    public void linuxMountsAVirtioDiskAndWhatItWritesIsInTheImage() throws Exception {
        Path image = ext4Image();
        try (GuestConsole console = tessera("-m", "512M", "-bios", guest.get("FIRMWARE"), "-kernel", guest.get("KERNEL"),
                "-initrd", guest.get("INITRD"), "-append", "console=ttyS0",
                "-drive", "file=" + image + ",format=raw,if=none,id=d0", "-device", "virtio-blk-device,drive=d0",
                "-device", "virtio-rng-device")) {
            console.expect("TESSERA-SHELL-READY", 600);
            console.send("mount /dev/vda /mnt && cat /mnt/host.txt && echo written-by-the-guest > /mnt/guest.txt && umount /mnt"
                    + " && echo DISK-$((40+2))");
            console.expect("written on the host", 120);
            console.expect("DISK-42", 120);
            console.send("head -c 16 /dev/hwrng | wc -c | sed s/^/RNG-/");
            console.expect("RNG-16", 60);
            // Ctrl-a x: QEMU's way out, whatever the guest is doing.
            console.type("\u0001x");
            console.expect("tessera: terminated", 30);
            assertEquals(0, console.waitFor(60));
        }
        assertEquals("written-by-the-guest\n", run("debugfs", "-R", "cat /guest.txt", image.toString()));
        run("e2fsck", "-fn", image.toString());
    }

    /** @return the command's standard output; it must succeed */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(String.join(" ", command) + ": " + out, 0, process.waitFor());
        return out;
    }

    @Test
    public void aMissingFirmwareIsNamed() throws Exception {
        try (GuestConsole console = tessera("-bios", "/nonexistent/fw.bin")) {
            assertEquals(1, console.waitFor(60));
            assertTrue(console.errors(), console.errors().contains("firmware file /nonexistent/fw.bin does not exist"));
        }
    }

    @Test
    public void theGeneratedDeviceTreeIsValidForDtc() throws Exception {
        Path dtb = Files.createTempFile("virt", ".dtb");
        try (GuestConsole console = tessera("-smp", "2", "-machine", "dumpdtb=" + dtb, "-bios", guest.get("FIRMWARE"))) {
            assertEquals(console.errors(), 0, console.waitFor(60));
        }
        Process dtc = new ProcessBuilder("dtc", "-I", "dtb", "-O", "dts", dtb.toString()).redirectErrorStream(true).start();
        String dts = new String(dtc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(dts, 0, dtc.waitFor());
        for (String expected : List.of("compatible = \"riscv-virtio\"", "serial@10000000", "plic@c000000", "clint@2000000",
                "virtio_mmio@10008000", "cpu@1", "riscv,ndev = <0x5f>", "compatible = \"syscon-poweroff\"")) {
            assertTrue(expected + " missing in\n" + dts, dts.contains(expected));
        }
    }
}
