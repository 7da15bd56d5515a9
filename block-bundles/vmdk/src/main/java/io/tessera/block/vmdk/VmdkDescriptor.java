package io.tessera.block.vmdk;

import io.tessera.core.block.BlockFormatException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A VMDK descriptor: the text that names the extents of a disk, its content ids and its parent.
 * It is a file of its own (monolithicFlat, twoGbMaxExtent*) or sits inside the first sparse
 * extent (monolithicSparse, streamOptimized). Lines are {@code key=value} settings, extent
 * lines {@code ACCESS SECTORS TYPE ["FILE" [START]]}, or {@code #} comments.
 *
 * @param settings the {@code key=value} lines in order, values without their quotes
 * @param extents the extent lines in order
 */
record VmdkDescriptor(Map<String, String> settings, List<Extent> extents) {

    /** The most extents a descriptor may list: 8 TiB in 2 GiB pieces, far beyond what QEMU or VMware write. */
    static final int MAX_EXTENTS = 4096;
    /** The largest descriptor read, whether embedded or a file of its own. */
    static final int MAX_BYTES = 1 << 20;
    /** A CID meaning "no parent". */
    static final long NO_PARENT_CID = 0xffffffffL;

    /** How an extent may be used. */
    enum Access { RW, RDONLY, NOACCESS }

    /** What stores an extent's data. */
    enum Type { SPARSE, FLAT, ZERO, VMFS, VMFSSPARSE }

    /**
     * One extent line.
     *
     * @param access how the extent may be used
     * @param sectors its length in 512-byte sectors
     * @param type what stores it
     * @param file its file name as written (relative to the descriptor), {@code null} for ZERO
     * @param startSector where a FLAT or VMFS extent starts in its file, in sectors
     */
    record Extent(Access access, long sectors, Type type, String file, long startSector) {
    }

    static VmdkDescriptor parse(String text, String image) throws BlockFormatException {
        Map<String, String> settings = new LinkedHashMap<>();
        List<Extent> extents = new ArrayList<>();
        int lineNumber = 0;
        for (String raw : text.split("\r?\n|\r")) {
            lineNumber++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.chars().allMatch(c -> c == 0)) {
                continue;
            }
            String where = "descriptor of '" + image + "', line " + lineNumber;
            String first = line.split("[ \t]", 2)[0];
            if (isAccess(first)) {
                if (extents.size() == MAX_EXTENTS) {
                    throw new BlockFormatException("the " + where + " lists more than " + MAX_EXTENTS + " extents");
                }
                extents.add(parseExtent(line, where));
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new BlockFormatException("the " + where + " is neither key=value nor an extent "
                        + "(ACCESS SECTORS TYPE \"FILE\" [START] with ACCESS RW, RDONLY or NOACCESS): '" + shorten(line) + "'");
            }
            settings.put(line.substring(0, eq).strip(), unquote(line.substring(eq + 1).strip()));
        }
        if (extents.isEmpty()) {
            throw new BlockFormatException("the descriptor of '" + image + "' lists no extents");
        }
        return new VmdkDescriptor(settings, List.copyOf(extents));
    }

    private static boolean isAccess(String word) {
        return word.equals("RW") || word.equals("RDONLY") || word.equals("NOACCESS");
    }

    private static Extent parseExtent(String line, String where) throws BlockFormatException {
        int quote = line.indexOf('"');
        String head = quote < 0 ? line : line.substring(0, quote);
        String[] words = head.strip().split("[ \t]+");
        if (words.length != 3) {
            throw new BlockFormatException("the extent in the " + where + " must read ACCESS SECTORS TYPE \"FILE\" [START]: '" + shorten(line) + "'");
        }
        Access access = Access.valueOf(words[0]);
        long sectors = number(words[1], "sector count", where);
        Type type;
        try {
            type = Type.valueOf(words[2].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BlockFormatException("the extent in the " + where + " has type '" + shorten(words[2])
                    + "'; supported are SPARSE, FLAT, ZERO, VMFS and VMFSSPARSE");
        }
        String file = null;
        long start = 0;
        if (quote >= 0) {
            int end = line.indexOf('"', quote + 1);
            if (end < 0) {
                throw new BlockFormatException("the file name of the extent in the " + where + " has no closing quote");
            }
            file = line.substring(quote + 1, end);
            String rest = line.substring(end + 1).strip();
            if (!rest.isEmpty()) {
                start = number(rest, "start sector", where);
            }
        }
        if (type != Type.ZERO && (file == null || file.isEmpty())) {
            throw new BlockFormatException("the " + type + " extent in the " + where + " names no file");
        }
        if (start != 0 && type != Type.FLAT && type != Type.VMFS) {
            throw new BlockFormatException("the " + type + " extent in the " + where + " has a start sector; only FLAT and VMFS extents have one");
        }
        return new Extent(access, sectors, type, file, start);
    }

    private static long number(String word, String what, String where) throws BlockFormatException {
        try {
            long n = Long.parseLong(word);
            // Sectors are counted in 512-byte units; keep every byte offset within a long.
            if (n < 0 || n > Long.MAX_VALUE / 512 / MAX_EXTENTS) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BlockFormatException("the " + what + " '" + shorten(word) + "' in the " + where
                    + " is not a number from 0 to " + Long.MAX_VALUE / 512 / MAX_EXTENTS);
        }
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"") ? value.substring(1, value.length() - 1) : value;
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** @return the {@code createType}, or an empty string */
    String createType() {
        return settings.getOrDefault("createType", "");
    }

    /** @return the parent's file name for a delta disk, or {@code null} */
    String parentFileNameHint() {
        String hint = settings.get("parentFileNameHint");
        return hint == null || hint.isEmpty() ? null : hint;
    }

    /** @return a 32-bit content id setting as a number, or {@code fallback} when absent or not hexadecimal */
    long cid(String key, long fallback) {
        String v = settings.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v, 16) & 0xffffffffL;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** @return whether a header could be the start of a text descriptor: what probing looks for */
    static boolean looksLikeDescriptor(byte[] header) {
        String text = new String(header, 0, Math.min(header.length, 2048), java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("# Disk DescriptorFile")) {
                return true;
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            return line.matches("version\\s*=\\s*\"?[1-3]\"?");
        }
        return false;
    }
}
