package io.tessera.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** {@code run/tessera} as a user runs it: the exported jar, started by the launcher script. */
public class LauncherIT {

    private record Result(int status, String out, String err) {
    }

    private static Result tessera(String input, String... args) throws IOException, InterruptedException {
        return tessera(java.util.Map.of(), input, args);
    }

    private static Result tessera(java.util.Map<String, String> environment, String input, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("tessera-out", ".txt");
        Path err = Files.createTempFile("tessera-err", ".txt");
        Path in = Files.createTempFile("tessera-in", ".txt");
        Files.writeString(in, input);
        List<String> command = new java.util.ArrayList<>(List.of(new File("tessera").getAbsolutePath()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(in.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("TESSERA_NO_BUILD", "1");
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("run/tessera did not end within 60 s; output so far: " + Files.readString(out));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    public void pipedCommandsAreAnsweredAndTheShellEndsWithItsInput() throws Exception {
        Result r = tessera("machine create m1 none memory=16M\nmachine list\n", "shell");
        assertEquals(r.err(), 0, r.status());
        assertTrue(r.out(), r.out().contains("created machine 'm1' (none, created)"));
        assertTrue(r.out(), r.out().matches("(?s).*m1\\s+none\\s+created\\s+0\\s+0.*"));
    }

    @Test
    public void aScriptFileIsRunLineByLine() throws Exception {
        Path script = Files.createTempFile("tessera", ".gogo");
        Files.writeString(script, "machine create m2\ndevice list m2\nmachine describe m2\n");
        Result r = tessera("", "shell", script.toString());
        assertEquals(r.err(), 0, r.status());
        assertTrue(r.out(), r.out().contains("created machine 'm2'"));
        assertTrue(r.out(), r.out().contains("0000000080000000-0000000087ffffff ram 'ram' @0"));
    }

    @Test
    public void anErrorNamesTheProblemAndWhatIsValid() throws Exception {
        Result r = tessera("machine create m3 pc\n", "shell");
        assertTrue(r.out() + r.err(), (r.out() + r.err()).contains("unknown machine type 'pc'; available: none"));
    }

    @Test
    public void anUnknownCommandIsRefusedWithTheUsage() throws Exception {
        Result r = tessera("", "frobnicate");
        assertEquals(2, r.status());
        assertTrue(r.err(), r.err().contains("unknown command 'frobnicate'") && r.err().contains("usage: run/tessera"));
        Result missing = tessera("", "shell", "/nonexistent.gogo");
        assertEquals(2, missing.status());
        assertTrue(missing.err(), missing.err().contains("cannot read script '/nonexistent.gogo'"));
    }

    @Test
    public void theImageToolsRunFromTheApplicationJar() throws Exception {
        Path dir = Files.createTempDirectory("tessera-img");
        String image = dir.resolve("disk.qcow2").toString();
        Result create = tessera("", "img", "create", "-f", "qcow2", "-o", "cluster_size=4k", image, "8M");
        assertEquals(create.err(), 0, create.status());
        Result write = tessera("", "io", "-f", "qcow2", "-c", "write -P 0x5a 4k 8k", "-c", "read -P 0x5a 4k 8k", image);
        assertEquals(write.err(), 0, write.status());
        Result info = tessera("", "img", "info", "--output=json", image);
        assertEquals(info.err(), 0, info.status());
        assertTrue(info.out(), info.out().contains("\"cluster-size\": 4096") && info.out().contains("\"virtual-size\": 8388608"));
        Result snapshot = tessera("", "img", "snapshot", "-c", "first", image);
        assertEquals(snapshot.err(), 0, snapshot.status());
        Result bitmap = tessera("", "img", "bitmap", "--add", "-g", "4k", image, "b0");
        assertEquals(bitmap.err(), 0, bitmap.status());
        Result amend = tessera("", "img", "amend", "-o", "lazy_refcounts=on", image);
        assertEquals(amend.err(), 0, amend.status());
        Result listed = tessera("", "img", "info", image);
        assertTrue(listed.out(), listed.out().matches("(?s).*\\n1 +first .*lazy refcounts: true.*name: b0.*"));
        Result check = tessera("", "img", "check", image);
        assertEquals(check.out() + check.err(), 0, check.status());
        Result refused = tessera("", "img", "convert", "--in-place", "-O", "qed", image);
        assertEquals(refused.err(), 1, refused.status());
        assertTrue(refused.err(), refused.err().contains("internal snapshot"));
        String plain = dir.resolve("plain.qcow2").toString();
        assertEquals(0, tessera("", "img", "create", "-f", "qcow2", "-o", "cluster_size=4k", plain, "8M").status());
        assertEquals(0, tessera("", "io", "-f", "qcow2", "-c", "write -P 0x5a 4k 8k", plain).status());
        Result inPlace = tessera("", "img", "convert", "--in-place", "-O", "qed", plain);
        assertEquals(inPlace.err(), 0, inPlace.status());
        Result read = tessera("", "io", "-f", "qed", "-c", "read -P 0x5a 4k 8k", plain);
        assertEquals(read.out() + read.err(), 0, read.status());
        Result missing = tessera("", "img", "info", dir.resolve("missing.qcow2").toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err(), missing.err().contains("missing.qcow2"));
    }

    @Test
    public void theImageToolsMakeTheirStartUpCacheOnceAndRunWithoutOne() throws Exception {
        Path home = Files.createTempDirectory("tessera-cache");
        Path dir = Files.createTempDirectory("tessera-img");
        String image = dir.resolve("disk.qcow2").toString();
        java.util.Map<String, String> cached = java.util.Map.of("XDG_CACHE_HOME", home.toString());
        Result create = tessera(cached, "", "img", "create", "-q", "-f", "qcow2", image, "8M");
        assertEquals(create.err(), 0, create.status());
        assertEquals("", create.out() + create.err());
        List<Path> caches;
        try (var files = Files.list(home.resolve("tessera"))) {
            caches = files.filter(p -> p.getFileName().toString().endsWith(".aot")).toList();
        }
        assertEquals(caches.toString(), 1, caches.size());
        long made = Files.getLastModifiedTime(caches.get(0)).toMillis();
        Result info = tessera(cached, "", "img", "info", image);
        assertEquals(info.err(), 0, info.status());
        assertTrue(info.out(), info.out().startsWith("image: " + image + "\nfile format: qcow2\n"));
        assertEquals("", info.err());
        assertEquals("the cache is made once per build", made, Files.getLastModifiedTime(caches.get(0)).toMillis());
        // A cache directory that cannot be made: the tools run without the cache.
        Path notADirectory = Files.createTempFile("tessera-cache", ".txt");
        Result uncached = tessera(java.util.Map.of("XDG_CACHE_HOME", notADirectory.toString()), "", "io", "-c", "read -P 0 0 4k", image);
        assertEquals(uncached.out() + uncached.err(), 0, uncached.status());
    }
    /** @return the files in {@code dir} whose names start with {@code prefix} and end with {@code suffix} */
    private static List<Path> files(Path dir, String prefix, String suffix) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    @Test
    public void userModeMakesItsStartUpCacheOncePerBuildAndReplacesAStaleOne() throws Exception {
        Path home = Files.createTempDirectory("tessera-cache");
        java.util.Map<String, String> cached = java.util.Map.of("XDG_CACHE_HOME", home.toString());
        Result first = tessera(cached, "", "user", "-h");
        assertEquals(first.err(), 0, first.status());
        assertTrue(first.out(), first.out().startsWith("usage: run/tessera user"));
        assertEquals("", first.err());
        Path cache = home.resolve("tessera");
        List<Path> made = files(cache, "user-", ".aot");
        assertEquals(made.toString(), 1, made.size());
        assertTrue("the training ran the guest program: " + Files.readString(cache.resolve("user-training.log")),
                Files.readString(cache.resolve("user-training.log")).contains("tessera user-mode training run"));
        long time = Files.getLastModifiedTime(made.get(0)).toMillis();
        Result again = tessera(cached, "", "user", "-h");
        assertEquals(again.err(), 0, again.status());
        assertEquals("", again.err());
        assertEquals("the cache is made once per build", time, Files.getLastModifiedTime(made.get(0)).toMillis());
        // A cache of another build of this checkout (named as run/tessera names them: user-CHECKOUT-BUILD.aot) goes when this build's is made.
        String name = made.get(0).getFileName().toString();
        Path stale = cache.resolve(name.substring(0, name.lastIndexOf('-')) + "-0.aot");
        Files.move(made.get(0), stale);
        Result rebuilt = tessera(cached, "", "user", "-h");
        assertEquals(rebuilt.err(), 0, rebuilt.status());
        assertEquals(List.of(made.get(0)), files(cache, "user-", ".aot"));
        assertTrue("the stale cache is gone", !Files.exists(stale));
    }

    @Test
    public void userModeRunsWithoutACacheItCannotMakeAndDoesNotTrainAgainAfterAFailure() throws Exception {
        // A cache directory that cannot be made: the program runs, without a cache and without a word about it.
        Path notADirectory = Files.createTempFile("tessera-cache", ".txt");
        Result uncached = tessera(java.util.Map.of("XDG_CACHE_HOME", notADirectory.toString()), "", "user", "-h");
        assertEquals(uncached.err(), 0, uncached.status());
        assertEquals("", uncached.err());
        // A training that fails (its temporary directory cannot be made) is reported once; later runs do not try again.
        Path home = Files.createTempDirectory("tessera-cache");
        java.util.Map<String, String> failing = java.util.Map.of("XDG_CACHE_HOME", home.toString(), "JAVA_TOOL_OPTIONS",
                "-Djava.io.tmpdir=" + home.resolve("missing"));
        Result failed = tessera(failing, "", "user", "-h");
        assertEquals(failed.err(), 0, failed.status());
        assertTrue(failed.err(), failed.err().contains("the user-mode start-up cache could not be made"));
        Path cache = home.resolve("tessera");
        assertEquals(List.of(), files(cache, "user-", ".aot"));
        assertEquals(1, files(cache, "user-", ".aot.failed").size());
        String log = Files.readString(cache.resolve("user-training.log"));
        Result next = tessera(java.util.Map.of("XDG_CACHE_HOME", home.toString()), "", "user", "-h");
        assertEquals(next.err(), 0, next.status());
        assertEquals("", next.err());
        assertEquals("no second training", log, Files.readString(cache.resolve("user-training.log")));
        assertEquals(List.of(), files(cache, "user-", ".aot"));
    }
}
