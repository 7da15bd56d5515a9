package io.tessera.block.img;

import io.tessera.core.training.TrainingRun;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run of the JVM's ahead-of-time cache for {@code run/tessera img} and
 * {@code run/tessera io} (JEP 483/514/515): {@code run/tessera} runs it once per build with
 * {@code -XX:AOTCacheOutput=}, and later runs map the classes it loaded and linked, and the
 * method profiles it gathered, instead of loading, linking and profiling them again. It uses
 * every verb on small images of every format in a temporary directory, so that whichever verb
 * a user runs finds its classes in the cache; what it prints is thrown away.
 *
 * <p>Exits with 0 when every command did what it should; 1 names the command that failed, so
 * that a cache is not made from a run that went another way than users' runs do.
 */
public final class ImgTraining {

    private ImgTraining() {
    }

    public static void main(String[] args) throws IOException {
        TrainingRun.run("img", ImgTraining::train);
    }

    /** @return the first command that did not end as expected, or {@code null} */
    static String train(Path dir) throws IOException {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(errors, true, StandardCharsets.UTF_8);
        String raw = dir.resolve("a.raw").toString();
        // 8 MiB with data, written zeroes and a hole: enough for convert's loops to run through each kind of range.
        List<List<String>> img = new ArrayList<>();
        img.add(List.of("create", "-q", "-f", "raw", raw, "8M"));
        List<String> firstConvert = List.of("convert", "-f", "raw", "-O", "qcow2", raw, dir.resolve("a.qcow2").toString());
        img.add(firstConvert);
        for (String format : List.of("qcow2", "qed", "vmdk")) {
            String image = dir.resolve("a." + format).toString();
            if (!format.equals("qcow2")) {
                img.add(List.of("convert", "-f", "raw", "-O", format, raw, image));
            }
            img.add(List.of("info", image));
            img.add(List.of("info", "--output=json", image));
            img.add(List.of("check", image));
            img.add(List.of("map", "--output=json", image));
            img.add(List.of("compare", "-f", "raw", "-F", format, raw, image));
            img.add(List.of("convert", "-f", format, "-O", "raw", image, dir.resolve(format + ".raw").toString()));
            img.add(List.of("measure", "-O", "qcow2", "-f", format, image));
        }
        String qcow2 = dir.resolve("a.qcow2").toString();
        img.add(List.of("convert", "-c", "-f", "raw", "-O", "qcow2", raw, dir.resolve("c.qcow2").toString()));
        img.add(List.of("check", dir.resolve("c.qcow2").toString()));
        img.add(List.of("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", raw, dir.resolve("s.vmdk").toString()));
        img.add(List.of("snapshot", "-c", "s", qcow2));
        img.add(List.of("snapshot", "-l", qcow2));
        img.add(List.of("convert", "-l", "s", "-O", "raw", qcow2, dir.resolve("s.raw").toString()));
        img.add(List.of("snapshot", "-a", "s", qcow2));
        img.add(List.of("snapshot", "-d", "s", qcow2));
        img.add(List.of("bitmap", "--add", "-g", "4k", qcow2, "b"));
        img.add(List.of("amend", "-o", "refcount_bits=32", qcow2));
        String overlay = dir.resolve("o.qcow2").toString();
        img.add(List.of("create", "-q", "-f", "qcow2", "-b", "a.qcow2", "-F", "qcow2", overlay));
        img.add(List.of("commit", "-q", overlay));
        img.add(List.of("rebase", "-b", "", overlay));
        img.add(List.of("resize", "-q", overlay, "+1M"));
        img.add(List.of("convert", "--in-place", "-O", "qed", overlay));
        img.add(List.of("check", overlay));
        for (List<String> command : img) {
            if (command == firstConvert) {
                // The raw image gets data and written zeroes through the io tool before it is converted.
                List<String> io = List.of("-c", "write -P 0x5a 0 3M", "-c", "write -z 3M 1M", "-c", "read -P 0x5a 0 1M", "-c", "map",
                        "-c", "flush", raw);
                if (IoMain.run(io, nowhere, err, new ByteArrayInputStream(new byte[0])) != 0) {
                    return "io " + String.join(" ", io) + ": " + errors.toString(StandardCharsets.UTF_8).strip();
                }
            }
            int status = ImgMain.run(command, nowhere, err);
            // check's 3 is leaked clusters and nothing worse: what a QED image made in place from qcow2 has (the old tables).
            if (status != 0 && !(command.get(0).equals("check") && status == 3)) {
                return "img " + String.join(" ", command) + ": " + errors.toString(StandardCharsets.UTF_8).strip();
            }
        }
        return null;
    }
}
