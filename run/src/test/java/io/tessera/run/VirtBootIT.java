package io.tessera.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
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

    /** Waits through OpenSBI and U-Boot to U-Boot's prompt, stopping its autoboot. */
    private static void toUBootPrompt(GuestConsole console) throws Exception {
        console.expect("OpenSBI v1.6", 60);
        toUBootPromptAfterBanner(console);
    }

    /**
     * U-Boot's {@code reset} (SBI SRST to OpenSBI, which writes the reboot value to the SiFive
     * test device) and the monitor's {@code machine reset} each boot the machine again from its
     * reset vector: OpenSBI's banner and U-Boot's prompt come back, and the machine runs on.
     */
    @Test
    public void uBootsResetAndTheMonitorsResetBootTheMachineAgain() throws Exception {
        try (GuestConsole console = tessera("-m", "256M", "-smp", "2", "-bios", guest.get("FIRMWARE"), "-kernel", guest.get("UBOOT"))) {
            toUBootPrompt(console);
            // Something in RAM for the reset to wipe: U-Boot's environment variable lives in RAM only.
            console.send("setenv before_reset yes; echo set-$before_reset");
            console.expect("set-yes", 30);
            console.send("reset");
            console.expect("resetting ...", 30);
            String again = console.expect("OpenSBI v1.6", 60);
            assertTrue(again, !again.contains("tessera:"));
            toUBootPromptAfterBanner(console);
            console.send("echo after-reset-[$before_reset]");
            console.expect("after-reset-[]", 30);
            // The monitor's reset: Ctrl-a c, machine reset vm, Ctrl-a c.
            console.type("\u0001c");
            console.expect("(tessera) ", 30);
            console.send("machine reset vm");
            String answer = console.expect("(tessera) ", 60);
            assertTrue(answer, answer.contains("reset machine 'vm' (virt, running)"));
            console.type("\u0001c");
            console.expect("OpenSBI v1.6", 60);
            toUBootPromptAfterBanner(console);
            console.send("poweroff");
            assertEquals(0, console.waitFor(30));
        }
    }

    private static void toUBootPromptAfterBanner(GuestConsole console) throws Exception {
        console.expect("U-Boot 2025.01", 60);
        console.expect("Hit any key to stop autoboot", 60);
        console.type(" ");
        console.expect("=> ", 30);
    }

    /** @return a TCP port nobody listens on now (the emulator binds it next) */
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** Connects to the emulator's console socket, waiting for the emulator to start listening. */
    private static Socket connect(SocketAddress address, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                Socket socket = new Socket();
                socket.connect(address, 5000);
                return socket;
            } catch (ConnectException notYet) {
                assertTrue("the emulator ended before it listened on " + address, process.isAlive());
                assertTrue("nothing listened on " + address + " within 60 s", System.nanoTime() < deadline);
                Thread.sleep(50);
            }
        }
    }

    /**
     * The serial console on a TCP socket ({@code -serial tcp:127.0.0.1:PORT,server=on,wait=off}):
     * the test connects, reaches U-Boot's prompt, runs a command, disconnects, connects again
     * and is answered again; then the guest powers off.
     */
    @Test
    public void theSerialConsoleOnATcpSocket() throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(new File("tessera").getAbsolutePath(), "-machine", "virt", "-nographic",
                "-m", "256M", "-bios", guest.get("FIRMWARE"), "-kernel", guest.get("UBOOT"),
                "-serial", "tcp:127.0.0.1:" + port + ",server=on,wait=off"));
        Process process = GuestConsole.launch(command, true);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (GuestConsole console = GuestConsole.attach(process, connect(address, process))) {
            // Output before the connection is dropped, so the autoboot prompt may be gone: Enter
            // stops the autoboot if it is still to come, or gets a fresh prompt.
            console.type("\r");
            console.expect("=> ", 120);
            console.send("version");
            assertTrue(console.expect("=> ", 30).contains("U-Boot 2025.01"));
            console.reconnect(connect(address, process));
            console.send("setenv n two; echo second-client-$n");
            console.expect("second-client-two", 30);
            console.send("poweroff");
            assertEquals(0, console.waitFor(30));
        }
    }

    /**
     * {@code -chardev socket,...,path=F} and {@code -serial chardev:ID}: the console on a unix
     * socket that the emulator waits for ({@code wait=on}), so not a byte of the boot is lost.
     */
    @Test
    public void theSerialConsoleOnAChardevUnixSocketThatWaitsForItsClient() throws Exception {
        Path dir = Files.createTempDirectory("virt-sock");
        Path path = dir.resolve("console.sock");
        List<String> command = new ArrayList<>(List.of(new File("tessera").getAbsolutePath(), "-machine", "virt", "-nographic",
                "-m", "256M", "-bios", guest.get("FIRMWARE"), "-kernel", guest.get("UBOOT"),
                "-chardev", "socket,id=con,path=" + path + ",server=on", "-serial", "chardev:con"));
        Process process = GuestConsole.launch(command, true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(path)) {
            assertTrue("the emulator ended before it listened on " + path, process.isAlive());
            assertTrue("nothing listened on " + path + " within 60 s", System.nanoTime() < deadline);
            Thread.sleep(50);
        }
        // The file appears when the server binds, a moment before it listens: connecting in that
        // moment is refused, so a refusal is tried again until the deadline.
        SocketChannel channel = null;
        while (channel == null) {
            try {
                channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
            } catch (ConnectException refused) {
                assertTrue("nothing accepted on " + path + " within 60 s: " + refused, System.nanoTime() < deadline);
                Thread.sleep(50);
            }
        }
        try (GuestConsole console = GuestConsole.attach(process, channel)) {
            toUBootPrompt(console);
            console.send("version");
            assertTrue(console.expect("=> ", 30).contains("U-Boot 2025.01"));
            console.send("poweroff");
            assertEquals(0, console.waitFor(30));
        }
        assertTrue("the socket file is removed when the machine ends", !Files.exists(path));
    }

    private void linuxReachesTheShell(int harts) throws Exception {
        try (GuestConsole console = tessera("-m", "512M", "-smp", Integer.toString(harts), "-bios", guest.get("FIRMWARE"),
                "-kernel", guest.get("KERNEL"), "-initrd", guest.get("INITRD"), "-append", "console=ttyS0")) {
            console.expect("Linux version 6.12", 120);
            console.expect("TESSERA-SHELL-READY", 600);
            console.send("echo answer=$((6*7)) harts=$(grep -c ^processor /proc/cpuinfo)");
            console.expect("answer=42 harts=" + harts, 60);
            if (harts == 1) {
                pasteMoreThanTheUartBuffers(console);
                // Linux's reboot: SBI SRST, OpenSBI, the test device's reset; the same kernel boots again.
                console.send("reboot -f");
                console.expect("OpenSBI v1.6", 60);
                console.expect("Linux version 6.12", 120);
                console.expect("TESSERA-SHELL-READY", 600);
                console.send("echo again=$((6*7))");
                console.expect("again=42", 60);
            }
            console.send("poweroff -f");
            assertEquals(0, console.waitFor(60));
        }
    }

    /**
     * Input flow control: 200,000 bytes typed at once (three times the UART's host-side buffer,
     * far more than the guest's tty buffer) all reach the guest; its md5sum is the host's.
     */
    private static void pasteMoreThanTheUartBuffers(GuestConsole console) throws Exception {
        StringBuilder paste = new StringBuilder();
        for (int line = 0; paste.length() < 200_000; line++) {
            paste.append(String.format("%05d", line)).append("-".repeat(94)).append('\n');
        }
        byte[] bytes = paste.toString().getBytes(StandardCharsets.US_ASCII);
        String md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        console.send("stty -echo; head -c " + bytes.length + " | md5sum | sed s/^/PASTE-/; stty echo");
        // Enter on a terminal is a carriage return; the tty turns it into the newline counted above.
        console.type(paste.toString().replace('\n', '\r'));
        console.expect("PASTE-" + md5, 300);
    }

    @Test
    public void linuxOnOneHart() throws Exception {
        linuxReachesTheShell(1);
    }

    @Test
    public void linuxOnFourHarts() throws Exception {
        linuxReachesTheShell(4);
    }

    /**
     * An ext4 image made on the host, attached as QEMU attaches it: the guest reads it, writes
     * it, and the host finds the write. A virtio console in QEMU's spelling, on a unix socket:
     * the guest's /dev/hvc0 reaches the test and the test's line reaches the guest.
     */
    @Test
    public void linuxMountsAVirtioDiskAndWhatItWritesIsInTheImage() throws Exception {
        Path image = ext4Image();
        Path hvc = Files.createTempDirectory("virt-hvc").resolve("hvc0.sock");
        try (GuestConsole console = tessera("-m", "512M", "-bios", guest.get("FIRMWARE"), "-kernel", guest.get("KERNEL"),
                "-initrd", guest.get("INITRD"), "-append", "console=ttyS0",
                "-drive", "file=" + image + ",format=raw,if=none,id=d0", "-device", "virtio-blk-device,drive=d0",
                "-device", "virtio-rng-device",
                "-chardev", "socket,id=hvc,path=" + hvc + ",server=on,wait=off",
                "-device", "virtio-serial-device", "-device", "virtconsole,chardev=hvc")) {
            console.expect("TESSERA-SHELL-READY", 600);
            try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(hvc))) {
                console.send("echo hvc0-says-$((40+2)) > /dev/hvc0");
                readUntil(channel, "hvc0-says-42");
                // The guest reads a line from hvc0; the test repeats its line until the guest has opened it.
                console.send("read line < /dev/hvc0; echo GOT-$line");
                String got = null;
                for (int attempt = 0; got == null; attempt++) {
                    assertTrue("the guest read nothing from hvc0", attempt < 60);
                    channel.write(java.nio.ByteBuffer.wrap("from-the-host\n".getBytes(StandardCharsets.US_ASCII)));
                    try {
                        got = console.expect("GOT-from-the-host", 1);
                    } catch (AssertionError notYet) {
                        // not opened yet
                    }
                }
            }
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

    /** Reads from {@code channel} until {@code text} has come (within 60 s); returns what came. */
    private static String readUntil(SocketChannel channel, String text) throws Exception {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(4096);
        StringBuilder seen = new StringBuilder();
        channel.configureBlocking(false);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (seen.indexOf(text) < 0) {
                assertTrue("'" + text + "' did not come; came: " + seen, System.nanoTime() < deadline);
                if (channel.read(buffer.clear()) > 0) {
                    seen.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
                } else {
                    Thread.sleep(20);
                }
            }
        } finally {
            channel.configureBlocking(true);
        }
        return seen.toString();
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
