package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.block.testing.FailingNode;
import io.tessera.block.testing.FailingProtocol;
import io.tessera.block.testing.QemuImg;
import io.tessera.core.block.BlockGraph;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * resize, commit, rebase, measure, convert -B and map over backing chains, each run by qemu-img
 * and by tessera img on copies of the same images: same statuses, same output where qemu-img's
 * is deterministic, the same disk contents (qemu-img compare), images qemu-img check accepts;
 * and resize and commit killed after every write they make.
 */
class ImgChainsTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        QemuImg.assumeInstalled();
    }

    private static QemuImg.Result qemuImg(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(QemuImg.QEMU_IMG.toString()));
        command.addAll(Arrays.asList(args));
        return QemuImg.exec(command);
    }

    private Path path(String name) {
        return dir.resolve(name);
    }

    private String p(String name) {
        return path(name).toString();
    }

    /** Runs qemu-img on one copy of the images and tessera img on another, in sibling directories; returns both results. */
    private ImgToolTest.Run[] both(List<String> images, String... args) throws Exception {
        Path q = Files.createDirectories(dir.resolve("q"));
        Path t = Files.createDirectories(dir.resolve("t"));
        for (String image : images) {
            Files.copy(path(image), q.resolve(image), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(path(image), t.resolve(image), StandardCopyOption.REPLACE_EXISTING);
        }
        QemuImg.Result theirs = qemuImg(in(q, args));
        ImgToolTest.Run ours = ImgToolTest.img(in(t, args));
        return new ImgToolTest.Run[] {new ImgToolTest.Run(theirs.status(), theirs.out(), theirs.err()), ours};
    }

    /**
     * The arguments with the images' names (arguments naming a file in the test directory) moved
     * into {@code where}; backing file names (after -b and -B) stay relative to their image.
     */
    private String[] in(Path where, String... args) {
        String[] moved = args.clone();
        for (int i = 0; i < args.length; i++) {
            boolean backingName = i > 0 && (args[i - 1].equals("-b") || args[i - 1].equals("-B"));
            if (!args[i].isEmpty() && !backingName && Files.exists(path(args[i]))) {
                moved[i] = where.resolve(args[i]).toString();
            }
        }
        return moved;
    }

    private void qemuIo(String format, String image, String... commands) throws Exception {
        QemuImg.io(format, path(image), commands);
    }

    private void create(String format, String options, String image, String size) throws Exception {
        List<String> args = new ArrayList<>(List.of("create", "-q", "-f", format));
        if (!options.isEmpty()) {
            args.addAll(List.of(options.split(" ")));
        }
        args.add(p(image));
        if (!size.isEmpty()) {
            args.add(size);
        }
        QemuImg.img(args.toArray(String[]::new));
    }

    private static void assertChecked(Path image) throws Exception {
        if (image.toString().endsWith(".raw")) {
            return; // formats with nothing to check
        }
        QemuImg.Result check = qemuImg("check", image.toString());
        assertEquals(0, check.status(), image + ": " + check.out() + check.err());
    }

    private static void assertSameDisk(Path a, Path b) throws Exception {
        QemuImg.Result compare = qemuImg("compare", a.toString(), b.toString());
        assertEquals(0, compare.status(), a + " vs " + b + ": " + compare.out() + compare.err());
    }

    private static String map(Path image) throws Exception {
        return QemuImg.img("map", "--output=json", image.toString());
    }

    /**
     * The map without host offsets, runs of the same kind merged: what a layer holds where,
     * whatever order its clusters were allocated in.
     */
    private static String layout(Path image) throws Exception {
        StringBuilder out = new StringBuilder();
        String last = null;
        long start = 0;
        long end = 0;
        for (String line : map(image).split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"start\": (\\d+), \"length\": (\\d+), (.*?\"data\": \\w+)").matcher(line);
            assertTrue(m.find(), line);
            long s = Long.parseLong(m.group(1));
            String kind = m.group(3);
            if (!kind.equals(last) || s != end) {
                if (last != null) {
                    out.append(start).append('+').append(end - start).append(' ').append(last).append('\n');
                }
                last = kind;
                start = s;
            }
            end = s + Long.parseLong(m.group(2));
        }
        return out.append(start).append('+').append(end - start).append(' ').append(last).toString();
    }

    // ------------------------------------------------------------------ resize

    @Test
    void resizeDoesWhatQemuImgDoes() throws Exception {
        create("raw", "", "r.raw", "1M");
        qemuIo("raw", "r.raw", "write -P 1 0 1M");
        create("qcow2", "", "a.qcow2", "1M");
        qemuIo("qcow2", "a.qcow2", "write -P 1 0 1M", "write -P 2 700k 4k");
        create("qcow2", "-o cluster_size=512", "small.qcow2", "1M");
        qemuIo("qcow2", "small.qcow2", "write -P 3 1000k 24k");
        create("qcow2", "-o compat=0.10", "v2.qcow2", "1M");
        qemuIo("qcow2", "v2.qcow2", "write -P 4 0 64k");
        create("qed", "", "d.qed", "1M");
        qemuIo("qed", "d.qed", "write -P 5 64k 64k");
        create("vmdk", "", "v.vmdk", "1M");
        create("qcow2", "", "base.qcow2", "4M");
        qemuIo("qcow2", "base.qcow2", "write -P 7 0 4M");
        create("qcow2", "-b base.qcow2 -F qcow2", "over.qcow2", "1M");
        create("qcow2", "-o compat=0.10 -b base.qcow2 -F qcow2", "overv2.qcow2", "1M");
        create("qed", "-b base.qcow2 -F qcow2", "over.qed", "1M");
        String[][] cases = {
            {"r.raw", "-f", "raw", "r.raw", "2M"},
            {"r.raw", "-f", "raw", "r.raw", "512k"},
            {"r.raw", "-f", "raw", "--shrink", "r.raw", "512k"},
            {"r.raw", "-f", "raw", "--preallocation=full", "r.raw", "+1M"},
            {"r.raw", "-f", "raw", "--preallocation=metadata", "r.raw", "3M"},
            {"r.raw", "-f", "raw", "--preallocation=bogus", "r.raw", "3M"},
            {"a.qcow2", "a.qcow2", "10T"},
            {"a.qcow2", "a.qcow2", "+1"},
            {"a.qcow2", "a.qcow2", "abc"},
            {"a.qcow2", "a.qcow2", "--", "-2M"},
            {"a.qcow2", "a.qcow2", "512k"},
            {"a.qcow2", "--shrink", "a.qcow2", "512k"},
            {"a.qcow2", "--shrink", "a.qcow2", "-512k"},
            {"a.qcow2", "--shrink", "--preallocation=full", "a.qcow2", "512k"},
            {"a.qcow2", "--preallocation=metadata", "a.qcow2", "5M"},
            {"a.qcow2", "--preallocation=full", "a.qcow2", "3M"},
            {"a.qcow2", "--preallocation=falloc", "a.qcow2", "+1M"},
            {"small.qcow2", "small.qcow2", "1G"},
            {"small.qcow2", "--shrink", "small.qcow2", "1003k"},
            {"v2.qcow2", "--shrink", "v2.qcow2", "512k"},
            {"v2.qcow2", "v2.qcow2", "2G"},
            {"d.qed", "d.qed", "2M"},
            {"d.qed", "--shrink", "d.qed", "512k"},
            {"d.qed", "d.qed", "100T"},
            {"d.qed", "--preallocation=full", "d.qed", "3M"},
            {"v.vmdk", "v.vmdk", "2M"},
            {"over.qcow2", "over.qcow2", "2097664"},
            {"overv2.qcow2", "overv2.qcow2", "2M"},
            {"over.qed", "over.qed", "2M"},
            {"a.qcow2", "-f", "bogus", "a.qcow2", "2M"},
            {"a.qcow2", "missing.qcow2", "2M"},
        };
        for (String[] c : cases) {
            List<String> images = new ArrayList<>(List.of(c[0]));
            if (c[0].startsWith("over")) {
                images.add("base.qcow2");
            }
            String[] args = new String[c.length];
            args[0] = "resize";
            System.arraycopy(c, 1, args, 1, c.length - 1);
            ImgToolTest.Run[] runs = both(images, args);
            String what = String.join(" ", args);
            assertEquals(runs[0].status(), runs[1].status(), what + ": qemu-img said " + runs[0].err() + ", tessera " + runs[1].err());
            assertEquals(runs[0].out(), runs[1].out(), what);
            Path ours = dir.resolve("t").resolve(c[0]);
            Path theirs = dir.resolve("q").resolve(c[0]);
            if (runs[0].status() == 0) {
                assertChecked(ours);
                assertSameDisk(theirs, ours);
                if (c[0].startsWith("over") || c[0].equals("v2.qcow2")) {
                    assertEquals(map(theirs), map(ours), what);
                }
            } else {
                assertFalse(runs[1].err().isBlank(), what + ": an error must say what is wrong");
                assertArrayEquals(Files.readAllBytes(theirs), Files.readAllBytes(ours), what + ": a refused resize changes nothing");
            }
        }
    }

    /** A grow that needs a larger L1 table, killed after each write: old size and data, or new size and data, and check clean. */
    @Test
    void resizeKilledAtEveryWriteLeavesTheOldOrTheNewImage() throws Exception {
        create("qcow2", "-o cluster_size=512", "grow.qcow2", "1M");
        qemuIo("qcow2", "grow.qcow2", "write -P 3 0 16k", "write -P 4 1000k 24k");
        killAtEveryWrite("grow.qcow2", List.of("resize", p("grow.qcow2"), "64M"), 10);
        create("qcow2", "", "shrink.qcow2", "4M");
        qemuIo("qcow2", "shrink.qcow2", "write -P 5 0 4M");
        killAtEveryWrite("shrink.qcow2", List.of("resize", "--shrink", p("shrink.qcow2"), "1500k"), 5);
        create("qed", "", "grow.qed", "1M");
        qemuIo("qed", "grow.qed", "write -P 6 0 128k");
        killAtEveryWrite("grow.qed", List.of("resize", p("grow.qed"), "7M"), 2);
    }

    private void killAtEveryWrite(String image, List<String> args, int minKills) throws Exception {
        Path pristine = path(image + ".pristine");
        Files.copy(path(image), pristine);
        Path before = path(image + ".before.raw");
        QemuImg.img("convert", "-O", "raw", p(image), before.toString());
        ImgToolTest.Run done = ImgToolTest.img(args.toArray(String[]::new));
        assertEquals(0, done.status(), done.err());
        Path after = path(image + ".after.raw");
        QemuImg.img("convert", "-O", "raw", p(image), after.toString());
        int kills = 0;
        for (int writes = 0; ; writes++) {
            Files.copy(pristine, path(image), StandardCopyOption.REPLACE_EXISTING);
            FailingProtocol protocol = new FailingProtocol(Drivers.graph().protocol(), writes);
            BlockGraph graph = new BlockGraph(protocol, Drivers.graph().drivers());
            boolean killed = runKilled(() -> new ResizeCommand(graph, quiet(), quiet()).run(args.subList(1, args.size())));
            protocol.abandonAll();
            QemuImg.Result check = qemuImg("check", p(image));
            assertTrue(check.status() == 0 || check.status() == 3, "killed after " + writes + " writes: " + check.out() + check.err());
            Path now = path(image + ".now.raw");
            QemuImg.img("convert", "-O", "raw", p(image), now.toString());
            byte[] content = Files.readAllBytes(now);
            assertTrue(Arrays.equals(content, Files.readAllBytes(before)) || Arrays.equals(content, Files.readAllBytes(after)),
                    image + " killed after " + writes + " writes reads neither as before nor as after the resize");
            if (!killed) {
                break;
            }
            kills++;
        }
        assertTrue(kills >= minKills, "the resize of " + image + " was killed only " + kills + " times; it must write more than that");
    }

    interface Command {
        int run() throws Exception;
    }

    /** Runs a command over a failing protocol; true if it died (a write was refused), false if it finished. */
    static boolean runKilled(Command command) throws Exception {
        try {
            assertEquals(0, command.run());
            return false;
        } catch (FailingNode.Killed e) {
            return true;
        } catch (IOException e) {
            if (e.getCause() instanceof FailingNode.Killed || e.getMessage().contains("killed")) {
                return true;
            }
            throw e;
        }
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ commit

    /** top (6M) over mid over base (4M): data, a zeroed range, data past the base's end. */
    private void chain() throws Exception {
        create("qcow2", "", "base.qcow2", "4M");
        qemuIo("qcow2", "base.qcow2", "write -P 7 0 4M");
        create("qcow2", "-b base.qcow2 -F qcow2", "mid.qcow2", "");
        qemuIo("qcow2", "mid.qcow2", "write -P 8 1M 1M");
        create("qcow2", "-b mid.qcow2 -F qcow2", "top.qcow2", "6M");
        qemuIo("qcow2", "top.qcow2", "write -P 9 1536k 1M", "write -z 3M 64k", "write -P 3 5M 64k");
    }

    @Test
    void commitDoesWhatQemuImgDoes() throws Exception {
        chain();
        List<String> images = List.of("base.qcow2", "mid.qcow2", "top.qcow2");
        Path reference = path("top.raw");
        QemuImg.img("convert", "-O", "raw", p("top.qcow2"), reference.toString());
        for (String[] args : new String[][] {{"commit", "top.qcow2"}, {"commit", "-d", "top.qcow2"}, {"commit", "-b", "base.qcow2", "top.qcow2"},
                {"commit", "-b", "nothere.qcow2", "top.qcow2"}, {"commit", "base.qcow2"}, {"commit", "-b", "top.qcow2", "top.qcow2"}}) {
            ImgToolTest.Run[] runs = both(images, args);
            String what = String.join(" ", args);
            assertEquals(runs[0].status(), runs[1].status(), what + ": " + runs[1].err());
            assertEquals(runs[0].out(), runs[1].out(), what);
            for (String image : images) {
                Path ours = dir.resolve("t").resolve(image);
                Path theirs = dir.resolve("q").resolve(image);
                assertChecked(ours);
                // Layers between the base and the top are stale after -b (qemu-img says so); the rest reads as qemu-img's.
                if (!(args[1].equals("-b") && image.equals("mid.qcow2"))) {
                    assertSameDisk(theirs, ours);
                    assertEquals(layout(theirs), layout(ours), what + ": " + image);
                }
            }
            if (runs[0].status() == 0) {
                assertSameDisk(reference, dir.resolve("t").resolve(args[1].equals("-b") ? "base.qcow2" : "mid.qcow2"));
            }
        }
        // The emptied overlay is as small as qemu-img leaves it.
        both(images, "commit", "top.qcow2");
        assertEquals(Files.size(dir.resolve("q/top.qcow2")), Files.size(dir.resolve("t/top.qcow2")));
    }

    @Test
    void commitOfAQedOverlayKeepsItsDataAsQemuImgDoes() throws Exception {
        create("raw", "", "r.raw", "1M");
        create("qed", "-b r.raw -F raw", "o.qed", "");
        qemuIo("qed", "o.qed", "write -P 5 0 64k");
        ImgToolTest.Run[] runs = both(List.of("r.raw", "o.qed"), "commit", "o.qed");
        assertEquals(0, runs[1].status(), runs[1].err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("q/r.raw")), Files.readAllBytes(dir.resolve("t/r.raw")));
        assertEquals(map(dir.resolve("q/o.qed")), map(dir.resolve("t/o.qed")));
    }

    /** Killed after each write: the top still reads as before, the base holds each cluster old or new, both check clean. */
    @Test
    void commitKilledAtEveryWriteLosesNothing() throws Exception {
        create("qcow2", "", "base.qcow2", "2M");
        qemuIo("qcow2", "base.qcow2", "write -P 7 0 2M");
        create("qcow2", "-b base.qcow2 -F qcow2", "top.qcow2", "3M");
        qemuIo("qcow2", "top.qcow2", "write -P 9 64k 256k", "write -z 1M 128k", "write -P 3 2M 128k");
        Path topView = path("top.raw");
        QemuImg.img("convert", "-O", "raw", p("top.qcow2"), topView.toString());
        byte[] baseBefore = Arrays.copyOf(rawOf("base.qcow2"), 3 << 20);
        Files.copy(path("base.qcow2"), path("base.pristine"));
        Files.copy(path("top.qcow2"), path("top.pristine"));
        int kills = 0;
        for (int writes = 0; ; writes++) {
            Files.copy(path("base.pristine"), path("base.qcow2"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(path("top.pristine"), path("top.qcow2"), StandardCopyOption.REPLACE_EXISTING);
            FailingProtocol protocol = new FailingProtocol(Drivers.graph().protocol(), writes);
            BlockGraph graph = new BlockGraph(protocol, Drivers.graph().drivers());
            boolean killed = runKilled(() -> new CommitCommand(graph, quiet()).run(List.of(p("top.qcow2"))));
            protocol.abandonAll();
            for (String image : List.of("base.qcow2", "top.qcow2")) {
                QemuImg.Result check = qemuImg("check", p(image));
                assertTrue(check.status() == 0 || check.status() == 3, image + " killed after " + writes + " writes: " + check.out());
            }
            assertSameDisk(topView, path("top.qcow2"));
            byte[] base = Arrays.copyOf(rawOf("base.qcow2"), 3 << 20);
            byte[] wanted = Files.readAllBytes(topView);
            for (int c = 0; c < base.length; c += 65536) {
                byte[] now = Arrays.copyOfRange(base, c, c + 65536);
                assertTrue(Arrays.equals(now, Arrays.copyOfRange(baseBefore, c, c + 65536)) || Arrays.equals(now, Arrays.copyOfRange(wanted, c, c + 65536)),
                        "killed after " + writes + " writes, base cluster at " + c + " is neither old nor new");
            }
            if (!killed) {
                assertSameDisk(topView, path("base.qcow2"));
                assertNotEquals(Files.size(path("top.pristine")), Files.size(path("top.qcow2")), "the finished commit emptied the top");
                break;
            }
            kills++;
        }
        assertTrue(kills > 5, "commit made only " + kills + " writes");
    }

    private byte[] rawOf(String image) throws Exception {
        Path raw = path(image + ".view.raw");
        QemuImg.img("convert", "-O", "raw", p(image), raw.toString());
        return Files.readAllBytes(raw);
    }

    // ------------------------------------------------------------------ rebase

    @Test
    void rebaseDoesWhatQemuImgDoes() throws Exception {
        chain();
        List<String> images = List.of("base.qcow2", "mid.qcow2", "top.qcow2");
        Path reference = path("top.raw");
        QemuImg.img("convert", "-O", "raw", p("top.qcow2"), reference.toString());
        String[][] cases = {
            {"rebase", "-b", "base.qcow2", "-F", "qcow2", "top.qcow2"},
            {"rebase", "-b", "", "top.qcow2"},
            {"rebase", "-u", "-b", "base.qcow2", "-F", "qcow2", "top.qcow2"},
            {"rebase", "-b", "base.qcow2", "-F", "raw", "top.qcow2"},
            {"rebase", "-b", "base.qcow2", "top.qcow2"},
            {"rebase", "top.qcow2"},
            {"rebase", "-b", "nothere", "-F", "qcow2", "top.qcow2"},
            {"rebase", "-u", "-b", "nothere", "-F", "qcow2", "top.qcow2"},
        };
        for (String[] args : cases) {
            ImgToolTest.Run[] runs = both(images, args);
            String what = String.join(" ", args);
            assertEquals(runs[0].status(), runs[1].status(), what + ": " + runs[1].err());
            Path ours = dir.resolve("t/top.qcow2");
            Path theirs = dir.resolve("q/top.qcow2");
            if (!what.contains("nothere")) {
                assertChecked(ours);
            }
            String info = QemuImg.img("info", "--output=json", ours.toString());
            assertEquals(QemuImg.img("info", "--output=json", theirs.toString()).replaceAll("\"(actual-size|filename|full-backing-filename)\": [^,]*,", ""),
                    info.replaceAll("\"(actual-size|filename|full-backing-filename)\": [^,]*,", ""), what);
            if (runs[0].status() == 0 && !args[1].equals("-u")) {
                assertSameDisk(reference, ours);
                if (!what.contains("-F raw")) {
                    // (With -F raw qemu-img trusts base.qcow2's place in the old chain and skips ranges
                    // where the raw view differs, so its image reads differently afterwards; ours does not.)
                    assertEquals(map(theirs), map(ours), what);
                }
            }
        }
    }

    @Test
    void qedRebaseWritesQemuImgsHeader() throws Exception {
        create("qcow2", "", "base.qcow2", "1M");
        qemuIo("qcow2", "base.qcow2", "write -P 1 0 1M");
        create("qcow2", "-b base.qcow2 -F qcow2", "mid.qcow2", "");
        create("raw", "", "r.raw", "1M");
        create("qed", "-b base.qcow2 -F qcow2", "o.qed", "");
        qemuIo("qed", "o.qed", "write -P 2 64k 64k");
        for (String[] args : new String[][] {{"rebase", "-b", "mid.qcow2", "-F", "qcow2", "o.qed"}, {"rebase", "-b", "", "o.qed"},
                {"rebase", "-u", "-b", "r.raw", "-F", "raw", "o.qed"}}) {
            ImgToolTest.Run[] runs = both(List.of("base.qcow2", "mid.qcow2", "r.raw", "o.qed"), args);
            assertEquals(0, runs[1].status(), runs[1].err());
            assertArrayEquals(Files.readAllBytes(dir.resolve("q/o.qed")), Files.readAllBytes(dir.resolve("t/o.qed")), String.join(" ", args));
        }
        // A name longer than the 448 bytes left in the header's first sector.
        String longName = String.join("/", "d".repeat(200), "e".repeat(200), "f".repeat(200)) + "/base.qcow2";
        Files.createDirectories(path(longName).getParent());
        Files.copy(path("base.qcow2"), path(longName));
        ImgToolTest.Run run = ImgToolTest.img("rebase", "-b", longName, "-F", "qcow2", p("o.qed"));
        assertEquals(0, run.status(), run.err());
        assertTrue(QemuImg.img("info", p("o.qed")).contains("backing file: " + longName), "a name past the first sector");
        assertChecked(path("o.qed"));
    }

    @Test
    void rebaseOfFormatsWithoutBackingFilesFailsAsInQemuImg() throws Exception {
        create("raw", "", "r.raw", "1M");
        create("vmdk", "", "vb.vmdk", "1M");
        create("vmdk", "-b vb.vmdk -F vmdk", "vt.vmdk", "");
        create("qcow2", "", "base.qcow2", "1M");
        String[][] cases = {
            {"Operation not supported", "rebase", "-f", "raw", "-F", "raw", "-b", "base.qcow2", "r.raw"},
            {"Operation not supported", "rebase", "-F", "vmdk", "-b", "vb.vmdk", "vt.vmdk"},
            {"bogus", "rebase", "-u", "-F", "bogus", "-b", "base.qcow2", "vt.vmdk"},
        };
        for (String[] c : cases) {
            String[] args = Arrays.copyOfRange(c, 1, c.length);
            ImgToolTest.Run[] runs = both(List.of("r.raw", "vb.vmdk", "vt.vmdk", "base.qcow2"), args);
            assertEquals(runs[0].status(), runs[1].status(), String.join(" ", args) + ": " + runs[1].err());
            assertTrue(runs[1].err().contains(c[0]), runs[1].err());
        }
    }

    // ------------------------------------------------------------------ measure

    @Test
    void measurePrintsQemuImgsNumbers() throws Exception {
        chain();
        create("raw", "", "r.raw", "3M");
        qemuIo("raw", "r.raw", "write -P 1 100k 1M");
        create("qcow2", "", "bm.qcow2", "100M");
        QemuImg.img("bitmap", "--add", "-g", "64k", p("bm.qcow2"), "first");
        QemuImg.img("bitmap", "--add", "-g", "512", p("bm.qcow2"), "a-rather-longer-bitmap-name");
        String[][] cases = {
            {"-O", "qcow2", "--size", "1G"}, {"-O", "raw", "--size", "1G"}, {"--size", "1G", "--output=json"},
            {"-O", "qcow2", "top.qcow2"}, {"-O", "qcow2", "--output=json", "top.qcow2"}, {"-O", "qcow2", "-o", "compat=0.10", "top.qcow2"},
            {"-O", "raw", "top.qcow2"}, {"-O", "qcow2", "-f", "raw", "r.raw"}, {"-O", "qcow2", "-o", "cluster_size=4k,preallocation=full", "--size", "100M"},
            {"-O", "qcow2", "-o", "preallocation=metadata", "--size", "100M"}, {"-O", "qcow2", "-o", "backing_file=x", "top.qcow2"},
            {"-O", "qcow2", "-o", "cluster_size=512,refcount_bits=1", "--size", "3G"},
            {"-O", "qcow2", "-o", "cluster_size=2M,refcount_bits=64,extended_l2=on", "--size", "77777M"},
            {"-O", "qcow2", "bm.qcow2"}, {"-O", "qcow2", "--output=json", "-o", "cluster_size=4k", "bm.qcow2"},
            {"-O", "qcow2", "--size", "100P"}, {"-O", "qed", "--size", "1G"}, {"-O", "qcow2", "--size", "abc"},
            {"-O", "qcow2", "-o", "bogus=1", "--size", "1M"}, {"--size", "1G", "top.qcow2"}, {},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length + 1];
            args[0] = "measure";
            System.arraycopy(c, 0, args, 1, c.length);
            String[] located = Arrays.stream(args).map(a -> Files.exists(path(a)) ? p(a) : a).toArray(String[]::new);
            QemuImg.Result theirs = qemuImg(located);
            ImgToolTest.Run ours = ImgToolTest.img(located);
            String what = String.join(" ", args);
            assertEquals(theirs.status(), ours.status(), what + ": " + ours.err());
            assertEquals(theirs.out(), ours.out(), what);
            if (theirs.status() != 0) {
                assertFalse(ours.err().isBlank(), what);
            }
        }
    }

    // ------------------------------------------------------------------ convert -B, map

    @Test
    void convertWithABackingFileWritesWhatQemuImgWrites() throws Exception {
        chain();
        create("raw", "", "r.raw", "1M");
        qemuIo("raw", "r.raw", "write -P 5 0 64k");
        List<String> images = List.of("base.qcow2", "mid.qcow2", "top.qcow2", "r.raw");
        for (String[] args : new String[][] {{"convert", "-O", "qcow2", "-B", "mid.qcow2", "-F", "qcow2", "top.qcow2", "out.qcow2"},
                {"convert", "-O", "qcow2", "-B", "base.qcow2", "-F", "qcow2", "-f", "raw", "r.raw", "out.qcow2"},
                {"convert", "-O", "qcow2", "-B", "base.qcow2", "r.raw", "out.qcow2"}, {"convert", "-O", "qcow2", "-F", "qcow2", "r.raw", "out.qcow2"}}) {
            Files.deleteIfExists(dir.resolve("q/out.qcow2"));
            Files.deleteIfExists(dir.resolve("t/out.qcow2"));
            Files.copy(path("r.raw"), path("out.qcow2"), StandardCopyOption.REPLACE_EXISTING); // so that 'out.qcow2' maps into q/ and t/
            ImgToolTest.Run[] runs = both(images, args);
            String what = String.join(" ", args);
            assertEquals(runs[0].status(), runs[1].status(), what + ": " + runs[1].err());
            if (runs[0].status() == 0) {
                Path ours = dir.resolve("t/out.qcow2");
                assertChecked(ours);
                assertEquals(map(dir.resolve("q/out.qcow2")), map(ours), what);
                assertSameDisk(dir.resolve("t").resolve(args[args.length - 2]), ours);
            }
        }
    }

    @Test
    void compressedConvertWithABackingFileZeroesWhatTheBackingFileWouldShow() throws Exception {
        chain();
        ImgToolTest.Run run = ImgToolTest.img("convert", "-c", "-O", "qcow2", "-B", "mid.qcow2", "-F", "qcow2", p("top.qcow2"), p("c.qcow2"));
        assertEquals(0, run.status(), run.err());
        assertChecked(path("c.qcow2"));
        assertSameDisk(path("top.qcow2"), path("c.qcow2"));
        assertTrue(QemuImg.img("check", "--output=json", p("c.qcow2")).contains("\"compressed-clusters\": 17"), "the 17 clusters the top holds are compressed");
    }

    @Test
    void mapGivesTheDepthWhereTheSearchStopped() throws Exception {
        create("qcow2", "", "base.qcow2", "4M");
        qemuIo("qcow2", "base.qcow2", "write -P 7 0 4M");
        create("qcow2", "-b base.qcow2 -F qcow2", "big.qcow2", "8M");
        create("qcow2", "-b big.qcow2 -F qcow2", "bigger.qcow2", "12M");
        create("qed", "-b base.qcow2 -F qcow2", "big.qed", "8M");
        for (String image : List.of("big.qcow2", "bigger.qcow2", "big.qed")) {
            for (String output : List.of("json", "human")) {
                ImgToolTest.Run ours = ImgToolTest.img("map", "--output=" + output, p(image));
                assertEquals(QemuImg.img("map", "--output=" + output, p(image)), ours.out(), image);
            }
        }
        String map = ImgToolTest.img("map", "--output=json", p("bigger.qcow2")).out();
        assertTrue(map.contains("{ \"start\": 4194304, \"length\": 4194304, \"depth\": 1, \"present\": false"), map);
    }
}
