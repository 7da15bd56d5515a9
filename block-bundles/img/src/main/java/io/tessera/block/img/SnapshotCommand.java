package io.tessera.block.img;

import io.tessera.core.block.BlockGraph;
import io.tessera.core.block.BlockNode;
import io.tessera.core.block.BlockSnapshotInfo;
import io.tessera.core.block.BlockSnapshots;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code snapshot -l | -c NAME | -a NAME | -d NAME}: qemu-img's internal snapshot verbs, with its
 * rules for finding a snapshot (apply takes an id or else a name, delete a name only, as
 * qemu-img 7.2 does) and its messages. Without an action it does nothing, and like qemu-img 7.2
 * it takes no {@code -f}: the format is probed.
 */
final class SnapshotCommand {

    private final BlockGraph graph;
    private final PrintStream out;

    SnapshotCommand(BlockGraph graph, PrintStream out) {
        this.graph = graph;
        this.out = out;
    }

    int run(List<String> args) throws Options.UsageException, IOException {
        Options o = new Options(args, ImgMain.list("a", "c", "d"), ImgMain.list("l", "q", "U"));
        long actions = List.of("l", "a", "c", "d").stream().filter(o::has).count()
                + List.of("a", "c", "d").stream().mapToLong(a -> Math.max(0, o.all(a).size() - 1)).sum();
        if (actions > 1) {
            throw new Options.UsageException("Cannot mix '-l', '-a', '-c', '-d'");
        }
        if (o.positional().size() != 1) {
            throw new Options.UsageException("Expecting one image file name");
        }
        String file = o.positional().get(0);
        if (actions == 0) {
            return 0;
        }
        boolean list = o.has("l");
        try (BlockNode node = graph.open(file, "", list, Map.of())) {
            Optional<BlockSnapshots> snapshots = node.internalSnapshots();
            if (list) {
                List<BlockSnapshotInfo> all = snapshots.isPresent() ? snapshots.get().list() : List.of();
                if (!all.isEmpty()) {
                    out.println("Snapshot list:");
                    InfoCommand.snapshotTable(out, all);
                }
            } else if (o.has("c")) {
                create(snapshots, o.get("c", ""));
            } else if (o.has("a")) {
                apply(snapshots, o.get("a", ""));
            } else {
                delete(snapshots, o.get("d", ""));
            }
        }
        return 0;
    }

    private static void create(Optional<BlockSnapshots> snapshots, String name) throws IOException {
        if (snapshots.isEmpty()) {
            throw new IOException("Could not create snapshot '" + name + "': -95 (Operation not supported)");
        }
        // qemu-img takes the time in microseconds.
        Instant now = Instant.now();
        try {
            snapshots.get().create(name, now.getEpochSecond(), now.getNano() / 1000 * 1000L);
        } catch (IOException e) {
            throw new IOException("Could not create snapshot '" + name + "': " + e.getMessage(), e);
        }
    }

    private static void apply(Optional<BlockSnapshots> snapshots, String idOrName) throws IOException {
        if (snapshots.isEmpty()) {
            throw new IOException("Could not apply snapshot '" + idOrName + "': Block driver does not support snapshots");
        }
        List<BlockSnapshotInfo> all = snapshots.get().list();
        Optional<BlockSnapshotInfo> found = all.stream().filter(s -> s.id().equals(idOrName)).findFirst()
                .or(() -> all.stream().filter(s -> s.name().equals(idOrName)).findFirst());
        if (found.isEmpty()) {
            throw new IOException("Could not apply snapshot '" + idOrName + "': Failed to load snapshot: No such file or directory");
        }
        try {
            snapshots.get().apply(found.get().id());
        } catch (IOException e) {
            throw new IOException("Could not apply snapshot '" + idOrName + "': " + e.getMessage(), e);
        }
    }

    private static void delete(Optional<BlockSnapshots> snapshots, String name) throws IOException {
        Optional<BlockSnapshotInfo> found = snapshots.isEmpty() ? Optional.empty()
                : snapshots.get().list().stream().filter(s -> s.name().equals(name)).findFirst();
        if (found.isEmpty()) {
            throw new IOException("Could not delete snapshot '" + name + "': snapshot not found");
        }
        try {
            snapshots.get().delete(found.get().id());
        } catch (IOException e) {
            throw new IOException("Could not delete snapshot '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * {@code convert -l}: makes the read-only source read an internal snapshot, named as
     * {@code snapshot.id=ID}, {@code snapshot.name=NAME} (both: both must match), or a plain
     * {@code ID_OR_NAME} (an id first, then a name).
     */
    static void loadForConvert(BlockNode source, String param) throws Options.UsageException, IOException {
        String id = null;
        String name = null;
        if (param.startsWith("snapshot.")) {
            for (String item : param.split(",")) {
                int eq = item.indexOf('=');
                String key = eq < 0 ? item : item.substring(0, eq);
                String value = eq < 0 ? "" : item.substring(eq + 1);
                switch (key) {
                    case "snapshot.id" -> id = value;
                    case "snapshot.name" -> name = value;
                    default -> throw new Options.UsageException("Failed in parsing snapshot param '" + param + "': invalid parameter '"
                            + key + "' (valid: snapshot.id, snapshot.name)");
                }
            }
        }
        Optional<BlockSnapshots> snapshots = source.internalSnapshots();
        if (snapshots.isEmpty()) {
            throw new IOException("Failed to load snapshot: Block format '" + source.format()
                    + "' used by device '' does not support temporarily loading internal snapshots");
        }
        List<BlockSnapshotInfo> all = snapshots.get().list();
        Optional<BlockSnapshotInfo> found;
        if (id == null && name == null) {
            found = all.stream().filter(s -> s.id().equals(param)).findFirst()
                    .or(() -> all.stream().filter(s -> s.name().equals(param)).findFirst());
        } else {
            String wantedId = id;
            String wantedName = name;
            found = all.stream().filter(s -> (wantedId == null || s.id().equals(wantedId)) && (wantedName == null || s.name().equals(wantedName)))
                    .findFirst();
        }
        if (found.isEmpty()) {
            throw new IOException("Failed to load snapshot: Can't find snapshot");
        }
        snapshots.get().loadTemporarily(found.get().id());
    }
}
