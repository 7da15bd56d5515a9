package io.tessera.block.img;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.block.img.ImgToolTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code create}'s "Formatting ..." line, side by side with qemu-img's for a table of formats and options. */
class CreateFormattingLineTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumeInstalled();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "-f raw", "-f raw -o preallocation=falloc", "-f raw -o preallocation=full",
        "-f qcow2", "-f qcow2 -o compat=0.10", "-f qcow2 -o compat=v3", "-f qcow2 -o cluster_size=4k,refcount_bits=1,lazy_refcounts=on",
        "-f qcow2 -o extended_l2=on,compression_type=zstd,preallocation=metadata", "-f qcow2 -o preallocation=full,cluster_size=2M",
        "-f qcow2 -b base.qcow2 -F qcow2", "-f qcow2 -b base.raw -F raw", "-f qcow2 -o backing_file=base.qcow2,backing_fmt=qcow2",
        "-f qcow2 -o data_file=x.data", "-f qcow2 -o data_file=x.data,data_file_raw=on",
        "-f qcow2 -o compat=1.1,cluster_size=64k,preallocation=off,lazy_refcounts=off,refcount_bits=16,compression_type=zlib,extended_l2=off",
        "-f qcow2 -o size=3M", "-f qcow2 -o unknown_option=1",
        "-f qed", "-f qed -o cluster_size=4k,table_size=2", "-f qed -b base.raw -F raw", "-f qed -b base.qcow2 -F qcow2",
        "-f vmdk", "-f vmdk -o subformat=monolithicFlat", "-f vmdk -o subformat=twoGbMaxExtentSparse",
        "-f vmdk -o subformat=streamOptimized,adapter_type=lsilogic", "-f vmdk -o zeroed_grain=on,compat6=on",
        "-f vmdk -o hwversion=7,toolsversion=5", "-f vmdk -b base.vmdk -F vmdk",
        "-f raw -o nocow=on", "-f qcow2 -o nocow=on,extent_size_hint=2M", "-f qed -o extent_size_hint=0",
        "-f vmdk -o nocow=off,subformat=monolithicFlat", "-f raw -o extent_size_hint=4095M,preallocation=falloc"})
    void printsQemuImgsLine(String options) throws Exception {
        for (String base : List.of("raw", "qcow2", "vmdk")) {
            assertEquals(0, Qemu.run(dir, "qemu-img", "create", "-q", "-f", base, "base." + base, "1M").status());
        }
        List<String> args = new ArrayList<>(List.of("create"));
        args.addAll(Arrays.asList(options.split(" ")));
        args.add("out.img");
        if (!options.contains("size=")) {
            args.add(options.contains("-b ") ? "1000" : "100000"); // unrounded sizes are shown as given
        }
        List<String> qemu = new ArrayList<>(args);
        qemu.add(0, "qemu-img");
        Run theirs = Qemu.run(dir, qemu.toArray(String[]::new));
        deleteOutputs();
        List<String> ours = new ArrayList<>(args);
        ours.set(ours.indexOf("out.img"), dir.resolve("out.img").toString());
        Run run = ImgToolTest.img(ours.toArray(String[]::new));
        deleteOutputs();
        assertEquals(theirs.status(), run.status(), run.err() + " / qemu-img: " + theirs.err());
        assertEquals(theirs.out().replace("'out.img'", "'" + dir.resolve("out.img") + "'"), run.out());
    }

    private void deleteOutputs() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().startsWith("base.")).toList()) {
                Files.delete(f);
            }
        }
    }
}
