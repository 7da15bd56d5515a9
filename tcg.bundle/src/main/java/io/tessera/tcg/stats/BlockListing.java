package io.tessera.tcg.stats;

import java.util.List;

/**
 * One translation described: its guest code disassembled, its IR before and after the
 * optimizer and the class file it compiled to. Made by translating the block again with a
 * recorder (the same path as the translator's dump), not kept for every block.
 *
 * @param pc guest pc of its entry
 * @param flags its translation flags
 * @param guestBlocks guest basic blocks in it
 * @param guest the guest instructions, one line each ({@code pc: disassembly})
 * @param irBefore the IR as the front end built it
 * @param irAfter the IR after the optimizer
 * @param classFile the class file of its hidden class
 * @param opsBefore IR ops before optimization
 * @param opsAfter IR ops after optimization
 * @param nanos time the compilation took
 * @param exitTargets entry pcs its direct exits lead to, by exit slot
 */
public record BlockListing(long pc, long flags, int guestBlocks, List<String> guest, String irBefore, String irAfter, byte[] classFile,
        int opsBefore, int opsAfter, long nanos, List<Long> exitTargets) {

    /** Copies the lists. */
    public BlockListing {
        guest = List.copyOf(guest);
        exitTargets = List.copyOf(exitTargets);
    }

    /** @return the heading line: entry, blocks, IR ops, class-file bytes, time */
    public String heading() {
        return String.format("==== unit 0x%x: %d blocks, %d IR ops -> %d, %d class-file bytes, %.2f ms", pc, guestBlocks, opsBefore, opsAfter,
                classFile.length, nanos / 1e6);
    }

    /**
     * @param withBytecode whether to add the JVM bytecode section
     * @return the heading, then sections: guest, IR, IR optimized (and bytecode)
     */
    public String text(boolean withBytecode) {
        StringBuilder s = new StringBuilder(heading()).append('\n');
        s.append("-- guest\n");
        guest.forEach(line -> s.append("  ").append(line).append('\n'));
        s.append("-- IR\n").append(irBefore);
        s.append("-- IR, optimized\n").append(irAfter);
        if (withBytecode) {
            s.append("-- JVM bytecode\n").append(BytecodePrinter.print(classFile));
        }
        return s.toString();
    }
}
