package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockImageInfo;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockSnapshotInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code info}: what qemu-img prints about an image, with its JSON field names. */
final class InfoCommand {

    private final BlockGraph graph;
    private final PrintStream out;

    InfoCommand(BlockGraph graph, PrintStream out) {
        this.graph = graph;
        this.out = out;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("f", "output", "U"), ImgMain.list("force-share"));
        String file = ImgMain.onlyFile(o, "info");
        String output = o.get("output", "human");
        DiskUsage.warmUp(Path.of(file));
        try (BlockNode node = graph.open(file, o.get("f", ""), true, Map.of())) {
            BlockImageInfo info = node.imageInfo();
            if (output.equals("json")) {
                out.println(Json.write(json(file, node, info)));
            } else if (output.equals("human")) {
                human(file, node, info);
            } else {
                throw new Options.UsageException("--output must be human or json, not '" + output + "'");
            }
        }
        return 0;
    }

    private Map<String, Object> json(String file, BlockNode node, BlockImageInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!info.snapshots().isEmpty()) {
            List<Object> list = new ArrayList<>();
            for (BlockSnapshotInfo s : info.snapshots()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("icount", Math.max(0, s.icount()));
                e.put("vm-clock-nsec", s.vmClockNanoseconds() % 1_000_000_000L);
                e.put("name", s.name());
                e.put("date-sec", s.dateSeconds());
                e.put("date-nsec", s.dateNanoseconds());
                e.put("vm-clock-sec", s.vmClockNanoseconds() / 1_000_000_000L);
                e.put("id", s.id());
                e.put("vm-state-size", s.vmStateSize());
                list.add(e);
            }
            m.put("snapshots", list);
        }
        if (info.backingFormat() != null) {
            m.put("backing-filename-format", info.backingFormat());
        }
        m.put("virtual-size", node.size());
        m.put("filename", file);
        if (info.clusterSize() > 0) {
            m.put("cluster-size", info.clusterSize());
        }
        m.put("format", node.format());
        m.put("actual-size", diskUsage(file, info));
        if (!info.formatSpecific().isEmpty()) {
            Map<String, Object> specific = new LinkedHashMap<>();
            specific.put("type", node.format());
            specific.put("data", info.formatSpecific());
            m.put("format-specific", specific);
        }
        if (info.backingFilename() != null) {
            m.put("full-backing-filename", fullBacking(file, info.backingFilename()));
            m.put("backing-filename", info.backingFilename());
        }
        m.put("dirty-flag", info.dirty());
        return m;
    }

    /** The backing file as QEMU resolves it: relative to the overlay's directory. */
    static String fullBacking(String file, String backing) {
        try {
            return BlockGraph.resolveRelative(file, backing);
        } catch (io.tessera.core.block.BlockFormatException e) {
            return backing;
        }
    }

    private void human(String file, BlockNode node, BlockImageInfo info) {
        out.println("image: " + file);
        out.println("file format: " + node.format());
        out.println("virtual size: " + Sizes.human(node.size()) + " (" + node.size() + " bytes)");
        out.println("disk size: " + Sizes.human(diskUsage(file, info)));
        if (info.clusterSize() > 0) {
            out.println("cluster_size: " + info.clusterSize());
        }
        if (info.backingFilename() != null) {
            String full = fullBacking(file, info.backingFilename());
            out.println("backing file: " + info.backingFilename() + (full.equals(info.backingFilename()) ? "" : " (actual path: " + full + ")"));
            if (info.backingFormat() != null) {
                out.println("backing file format: " + info.backingFormat());
            }
        }
        if (info.dirty()) {
            out.println("cleanly shut down: no");
        }
        if (!info.snapshots().isEmpty()) {
            out.println("Snapshot list:");
            snapshotTable(out, info.snapshots());
        }
        if (!info.formatSpecific().isEmpty()) {
            out.println("Format specific information:");
            for (Map.Entry<String, Object> e : info.formatSpecific().entrySet()) {
                printSpecific(e.getKey(), e.getValue(), 1);
            }
        }
    }

    private void printSpecific(String key, Object value, int depth) {
        String pad = "    ".repeat(depth);
        String label = key.replace('-', ' ');
        if (value instanceof List<?> list) {
            out.println(pad + label + ":");
            int i = 0;
            for (Object item : list) {
                out.println(pad + "    [" + i++ + "]:");
                if (item instanceof Map<?, ?> m) {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        printSpecific(e.getKey().toString(), e.getValue(), depth + 2);
                    }
                }
            }
        } else {
            out.println(pad + label + ": " + value);
        }
    }

    /**
     * The host space an image takes: its file and, as qemu-img counts it, the extent files its
     * format-specific "extents" list names (a vmdk's), each once.
     */
    private static long diskUsage(String file, BlockImageInfo info) {
        long total = DiskUsage.of(Path.of(file));
        java.util.Set<Path> counted = new java.util.HashSet<>(List.of(Path.of(file).toAbsolutePath().normalize()));
        if (info.formatSpecific().get("extents") instanceof List<?> extents) {
            for (Object e : extents) {
                if (e instanceof Map<?, ?> extent && extent.get("filename") instanceof String name
                        && counted.add(Path.of(name).toAbsolutePath().normalize())) {
                    total += DiskUsage.of(Path.of(name));
                }
            }
        }
        return total;
    }

    /** The snapshot table qemu-img prints in info and snapshot -l. */
    static void snapshotTable(PrintStream out, List<BlockSnapshotInfo> snapshots) {
        out.printf("%-10s%-17s%8s%20s%13s%11s%n", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT");
        DateTimeFormatter date = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
        for (BlockSnapshotInfo s : snapshots) {
            long clock = s.vmClockNanoseconds();
            long ms = clock / 1_000_000;
            String vmClock = String.format("%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
            out.printf("%-9s %-16s %8s%20s%13s%11s%n", s.id(), s.name(), Sizes.human(s.vmStateSize()),
                    date.format(Instant.ofEpochSecond(s.dateSeconds())), vmClock, s.icount() < 0 ? "" : Long.toString(s.icount()));
        }
    }
}
