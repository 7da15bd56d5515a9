package io.tessera.isa.riscv.tcg;

import io.tessera.isa.riscv.Decoder;
import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.GuestMemory;
import io.tessera.isa.riscv.Insn;
import io.tessera.isa.riscv.Op;
import io.tessera.isa.riscv.RiscvHart;
import io.tessera.tcg.Barrier;
import io.tessera.tcg.Cond;
import io.tessera.tcg.GlobalBinding;
import io.tessera.tcg.IrUnit;
import io.tessera.tcg.Label;
import io.tessera.tcg.MemOp;
import io.tessera.tcg.Opcode;
import io.tessera.tcg.FastPath;
import io.tessera.tcg.SoftTlb;
import io.tessera.tcg.TranslatedBlock;
import io.tessera.tcg.Type;
import io.tessera.tcg.UnitCompiler;
import io.tessera.tcg.stats.BlockListing;
import java.lang.invoke.MethodHandles;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;

/**
 * The RISC-V front end: translates a region of guest code into one unit. A region is the
 * basic block at the entry pc and the blocks its direct branches and jumps reach, up to a
 * bound, so that a loop becomes a loop of the generated method (HotSpot then optimizes across
 * the guest's branches). Branches inside the region are IR branches; the others leave the
 * unit through chainable exits; indirect jumps and system instructions leave it unchained.
 * Each loop head checks the hart's run limit. Instructions with much state (floating-point
 * arithmetic, CSRs, atomics, ecall) call the interpreter through {@link TcgHelpers}.
 */
public final class RiscvTranslator {

    private static final MethodHandles.Lookup HOST = MethodHandles.lookup();

    /** Guest instructions in one basic block at most. */
    static final int MAX_BLOCK_INSNS = 64;

    private final int maxBlocks;
    private final int maxInsns;
    private final java.io.PrintStream dump;
    private final boolean chainDirect;

    /**
     * @param maxBlocks guest basic blocks in one region at most (1: plain blocks)
     * @param maxInsns guest instructions in one region at most
     */
    public RiscvTranslator(int maxBlocks, int maxInsns) {
        this(maxBlocks, maxInsns, null);
    }

    /**
     * @param maxBlocks guest basic blocks in one region at most (1: plain blocks)
     * @param maxInsns guest instructions in one region at most
     * @param dump where each translation is described (guest code, IR before and after the
     *        optimizer, class-file size), or null
     */
    public RiscvTranslator(int maxBlocks, int maxInsns, java.io.PrintStream dump) {
        this(maxBlocks, maxInsns, dump, false);
    }

    /**
     * @param maxBlocks guest basic blocks in one region at most (1: plain blocks)
     * @param maxInsns guest instructions in one region at most
     * @param dump where each translation is described, or null
     * @param chainDirect whether user-mode units go on into the next unit through their chain
     *        links without returning to the runner ({@link io.tessera.tcg.IrUnit#chainDirect})
     */
    public RiscvTranslator(int maxBlocks, int maxInsns, java.io.PrintStream dump, boolean chainDirect) {
        this.dump = dump;
        this.chainDirect = chainDirect;
        if (maxBlocks < 1 || maxInsns < 1) {
            throw new IllegalArgumentException("region bounds " + maxBlocks + " blocks, " + maxInsns + " instructions: both must be at least 1");
        }
        this.maxBlocks = maxBlocks;
        this.maxInsns = maxInsns;
    }

    /** How a guest block ends. */
    private enum End {
        /** Runs on into the next pc (a bound or a fetch that faults). */
        FALL_THROUGH,
        /** A conditional branch. */
        BRANCH,
        /** JAL. */
        JUMP,
        /** JALR. */
        INDIRECT,
        /** An instruction after which the runner must look again (ecall, CSRs, fence.i, system). */
        SYSTEM
    }

    private record Block(long pc, List<Insn> insns, List<Long> pcs, End end, long next) {
        long lastPc() {
            return pcs.get(pcs.size() - 1);
        }

        Insn last() {
            return insns.get(insns.size() - 1);
        }

        long branchTarget() {
            return lastPc() + last().imm();
        }
    }

    /**
     * Translates the basic block at {@code entry}.
     *
     * @return the block, or null when the entry's instruction cannot be fetched (the
     *         interpreter then raises the fault)
     */
    public TranslatedBlock translateBlock(long entry, long flags, GuestMemory memory) {
        return translate(entry, flags, memory, false);
    }

    /**
     * Translates the loop whose head is {@code entry}: the blocks reachable from it (direct
     * branches and jumps, not calls) from which it can be reached again, as one method.
     *
     * @return the region, or null when no loop goes through {@code entry}
     */
    public TranslatedBlock translateLoop(long entry, long flags, GuestMemory memory) {
        return translate(entry, flags, memory, true);
    }

    /**
     * Translates the loop whose head is {@code entry}, as {@link #translateLoop(long, long,
     * GuestMemory)}, following indirect jumps (calls through pointers, returns) to the target
     * each was seen to take: the region holds that target's blocks, and the jump goes there
     * inside the method when its target is the one seen, else leaves the unit. A loop that
     * calls a function through a pointer then runs, call and return included, in one method.
     *
     * @param observedTarget the target the indirect jump ending the basic block at a pc took
     *        last, or -1 when unknown
     * @return the region, or null when no loop goes through {@code entry}
     */
    public TranslatedBlock translateLoop(long entry, long flags, GuestMemory memory, LongUnaryOperator observedTarget) {
        return translate(entry, flags, memory, true, null, dump == null ? null : listing -> dump.print(listing.text(true)), observedTarget);
    }

    /**
     * What system mode needs of a translation: its code stays in the entry's virtual page
     * (the page's mapping is the one the runner looked up; the next page's may differ), the
     * unit is indexed by the physical page the code came from, and floating-point
     * instructions go through the interpreter (its mstatus.FS check and dirtying) unless FS is
     * Dirty already, which the flags then say.
     *
     * @param physicalPage the page number ({@link SoftTlb#PAGE_BITS}) that the entry's virtual page maps to
     * @param floatDirect whether floating-point instructions may be translated inline (FS is Dirty)
     */
    public record PageScope(long physicalPage, boolean floatDirect) {
    }

    /**
     * Translates the basic block at {@code entry} ({@code loop}: the loop it heads), within
     * {@code scope}.
     *
     * @return the block or region, or null when the entry's instruction cannot be fetched
     *         within the page (or, for a loop, when none goes through the entry)
     */
    public TranslatedBlock translateInPage(long entry, long flags, GuestMemory memory, boolean loop, PageScope scope) {
        return translate(entry, flags, memory, loop, scope);
    }

    /**
     * Translates as {@link #translateInPage} (or, with no scope, as {@link #translateBlock} and
     * {@link #translateLoop}) without caching anything, and describes the result: guest code,
     * IR before and after the optimizer, class file. The translator's dump goes the same way.
     *
     * @param scope what system mode needs, or null for user mode
     * @return the listing, or null when nothing could be translated at {@code entry}
     */
    public BlockListing describe(long entry, long flags, GuestMemory memory, boolean loop, PageScope scope) {
        BlockListing[] recorded = new BlockListing[1];
        translate(entry, flags, memory, loop, scope, listing -> recorded[0] = listing);
        return recorded[0];
    }

    private TranslatedBlock translate(long entry, long flags, GuestMemory memory, boolean loop) {
        return translate(entry, flags, memory, loop, null);
    }

    private TranslatedBlock translate(long entry, long flags, GuestMemory memory, boolean loop, PageScope scope) {
        return translate(entry, flags, memory, loop, scope, dump == null ? null : listing -> dump.print(listing.text(true)));
    }

    /** @param recorder what gets the translation's description, or null (then none is made) */
    private TranslatedBlock translate(long entry, long flags, GuestMemory memory, boolean loop, PageScope scope,
            Consumer<BlockListing> recorder) {
        return translate(entry, flags, memory, loop, scope, recorder, null);
    }

    /** @param observedTarget where each block's indirect jump went last (-1: unknown), or null: indirect jumps leave the unit */
    private TranslatedBlock translate(long entry, long flags, GuestMemory memory, boolean loop, PageScope scope,
            Consumer<BlockListing> recorder, LongUnaryOperator observedTarget) {
        int blockLimit = loop ? maxBlocks : 1;
        // Indirect jumps followed to the target they took last: block pc to that target.
        Map<Long, Long> speculated = new HashMap<>();
        Map<Long, Block> region = new HashMap<>();
        List<Block> order = new ArrayList<>();
        TreeSet<Long> pages = new TreeSet<>();
        ArrayDeque<Long> work = new ArrayDeque<>();
        work.add(entry);
        int insns = 0;
        while (!work.isEmpty() && order.size() < blockLimit && insns < maxInsns) {
            long pc = work.poll();
            if (region.containsKey(pc) || scope != null && !samePage(pc, entry)) {
                continue;
            }
            Block b = decodeBlock(pc, memory, pages, Math.min(MAX_BLOCK_INSNS, maxInsns - insns), scope != null);
            if (b == null) {
                if (pc == entry) {
                    return null;
                }
                continue;
            }
            region.put(pc, b);
            order.add(b);
            insns += b.insns().size();
            switch (b.end()) {
                case BRANCH -> {
                    work.add(b.branchTarget());
                    work.add(b.next());
                }
                case JUMP -> {
                    // A call leads into another function: its loops are its own region's, unless
                    // its return comes back (an observed indirect target), which keepLoop decides.
                    if (b.last().rd() == 0 || observedTarget != null) {
                        work.add(b.branchTarget());
                    }
                }
                case FALL_THROUGH -> work.add(b.next());
                case INDIRECT -> {
                    long target = observedTarget == null ? -1 : observedTarget.applyAsLong(b.pc());
                    if (target != -1) {
                        speculated.put(b.pc(), target);
                        work.add(target);
                    }
                }
                default -> {
                }
            }
        }
        if (loop) {
            keepLoop(entry, region, order, speculated);
            if (!region.containsKey(entry)) {
                return null;
            }
            insns = order.stream().mapToInt(b -> b.insns().size()).sum();
        }
        speculated.keySet().retainAll(region.keySet());
        Emitter emitter = new Emitter(region, order, scope == null || scope.floatDirect(), speculated);
        IrUnit unit = emitter.emit();
        if (scope != null) {
            // A machine's RAM is one off-heap segment: its pages are entries at an offset.
            unit.fastPath(FastPath.SEGMENT);
        } else if (chainDirect) {
            // User mode: an exit goes on into the unit its link leads to while the run limit allows.
            unit.chainDirect(emitter.runLimit);
        }
        String irBefore = recorder == null ? null : unit.dump();
        UnitCompiler.Compiled compiled = UnitCompiler.compile(unit, HOST, true);
        long[] exitTargets = new long[unit.exitSlots()];
        emitter.exitSlots.forEach((target, slot) -> exitTargets[slot] = target);
        if (recorder != null) {
            recorder.accept(describe(entry, flags, order, irBefore, unit, compiled, exitTargets));
        }
        long[] pageArray = scope != null ? new long[] {scope.physicalPage()} : pages.stream().mapToLong(Long::longValue).toArray();
        return new TranslatedBlock(entry, flags, pageArray, compiled, exitTargets, insns, order.size());
    }

    /** A translation described: the guest code disassembled, the IR before and after the optimizer, what it compiled to. */
    private static BlockListing describe(long entry, long flags, List<Block> order, String irBefore, IrUnit unit,
            UnitCompiler.Compiled compiled, long[] exitTargets) {
        List<String> guest = new ArrayList<>();
        for (Block b : order) {
            for (int i = 0; i < b.insns().size(); i++) {
                guest.add(String.format("%x:  %s", b.pcs().get(i), io.tessera.isa.riscv.Disassembler.format(b.insns().get(i), b.pcs().get(i))));
            }
        }
        return new BlockListing(entry, flags, order.size(), guest, irBefore, unit.dump(), compiled.classFile(), compiled.opsBefore(),
                compiled.opsAfter(), compiled.nanos(), java.util.Arrays.stream(exitTargets).boxed().toList());
    }

    /** Successors of {@code b} a region may hold ({@code speculated}: the indirect jumps followed). */
    private static List<Long> successors(Block b, Map<Long, Long> speculated) {
        return switch (b.end()) {
            case BRANCH -> List.of(b.branchTarget(), b.next());
            case JUMP -> List.of(b.branchTarget());
            case FALL_THROUGH -> List.of(b.next());
            case INDIRECT -> speculated.containsKey(b.pc()) ? List.of(speculated.get(b.pc())) : List.of();
            default -> List.of();
        };
    }

    /** Keeps the blocks from which {@code entry} can be reached again; none when it cannot. */
    private static void keepLoop(long entry, Map<Long, Block> region, List<Block> order, Map<Long, Long> speculated) {
        java.util.Set<Long> reaches = new java.util.HashSet<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Block b : order) {
                if (!reaches.contains(b.pc())) {
                    for (long s : successors(b, speculated)) {
                        if (s == entry || reaches.contains(s)) {
                            reaches.add(b.pc());
                            changed = true;
                            break;
                        }
                    }
                }
            }
        }
        order.removeIf(b -> !reaches.contains(b.pc()));
        region.keySet().retainAll(reaches);
    }

    private static boolean samePage(long a, long b) {
        return ((a ^ b) >>> SoftTlb.PAGE_BITS) == 0;
    }

    /**
     * Decodes the basic block at {@code pc}; null when its first instruction cannot be fetched
     * ({@code inPage}: or does not lie wholly in the start's page).
     */
    private static Block decodeBlock(long start, GuestMemory memory, TreeSet<Long> pages, int max, boolean inPage) {
        List<Insn> insns = new ArrayList<>();
        List<Long> pcs = new ArrayList<>();
        long pc = start;
        while (true) {
            if (insns.size() >= max) {
                return new Block(start, insns, pcs, End.FALL_THROUGH, pc);
            }
            if (inPage && (!samePage(pc, start) || (pc & (SoftTlb.PAGE_SIZE - 1)) == SoftTlb.PAGE_SIZE - 2
                    && Decoder.isFullLength(memory.fetch16(pc)))) {
                return insns.isEmpty() ? null : new Block(start, insns, pcs, End.FALL_THROUGH, pc);
            }
            Insn insn;
            try {
                int low = memory.fetch16(pc);
                int raw = Decoder.isFullLength(low) ? low | (memory.fetch16(pc + 2) << 16) : low;
                insn = Decoder.decode(raw);
            } catch (GuestFault fault) {
                return insns.isEmpty() ? null : new Block(start, insns, pcs, End.FALL_THROUGH, pc);
            }
            pages.add(pc >>> SoftTlb.PAGE_BITS);
            pages.add((pc + insn.length() - 1) >>> SoftTlb.PAGE_BITS);
            insns.add(insn);
            pcs.add(pc);
            pc += insn.length();
            End end = switch (insn.op()) {
                case BEQ, BNE, BLT, BGE, BLTU, BGEU -> End.BRANCH;
                case JAL -> End.JUMP;
                case JALR -> End.INDIRECT;
                case ECALL, EBREAK, ILLEGAL, FENCE_I, MRET, SRET, WFI, SFENCE_VMA, CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI -> End.SYSTEM;
                default -> null;
            };
            if (end != null) {
                return new Block(start, insns, pcs, end, pc);
            }
        }
    }

    /** Builds the IR of one region. */
    private static final class Emitter {
        private final Map<Long, Block> region;
        private final List<Block> order;
        private final IrUnit u = new IrUnit(RiscvHart.class);
        private final int[] x = new int[32];
        private final int[] f = new int[32];
        private final int pc;
        private final int instret;
        private final int runLimit;
        private final Map<Long, Label> labels = new HashMap<>();
        private final Map<Long, Integer> exitSlots = new HashMap<>();
        // Instructions of the current block already added to instret (by calls that sync it).
        private long counted;

        /** Whether floating-point instructions are IR (else the interpreter executes them). */
        private final boolean floatDirect;
        /** The target each indirect jump of the region is expected to take (by the pc of its block). */
        private final Map<Long, Long> speculated;

        Emitter(Map<Long, Block> region, List<Block> order, boolean floatDirect, Map<Long, Long> speculated) {
            this.region = region;
            this.order = order;
            this.floatDirect = floatDirect;
            this.speculated = speculated;
            java.util.Arrays.fill(x, -1);
            java.util.Arrays.fill(f, -1);
            pc = u.global("pc", GlobalBinding.field(RiscvHart.class, "pc"));
            instret = u.global("instret", GlobalBinding.field(RiscvHart.class, "instret"));
            runLimit = u.global("runLimit", GlobalBinding.field(RiscvHart.class, "runLimit"));
            u.faultState(pc, instret);
        }

        IrUnit emit() {
            java.util.Set<Long> targets = loopHeads();
            for (Block b : order) {
                labels.put(b.pc(), u.newLabel());
            }
            for (Block b : order) {
                u.label(labels.get(b.pc()));
                if (targets.contains(b.pc())) {
                    Label go = u.newLabel();
                    u.brcond(Cond.LT, u.binary(Opcode.SUB, instret, runLimit), u.constant(Type.I64, 0), go);
                    u.movi(pc, b.pc());
                    u.exitTb();
                    u.label(go);
                }
                emitBlock(b);
            }
            return u;
        }

        /**
         * The blocks that check the run limit: the targets of the region's retreating edges (an
         * edge to a block still on the stack of a depth-first walk from the entry). Every cycle
         * of the region holds one, so no loop runs on unchecked; forward branches (an if-else
         * inside a loop body) do not check, so that a unit never stops, and the runner never
         * comes in again, in the middle of a loop body (where a second region of the same loop
         * would be formed, headed there).
         */
        private java.util.Set<Long> loopHeads() {
            java.util.Set<Long> heads = new java.util.HashSet<>();
            java.util.Set<Long> done = new java.util.HashSet<>();
            java.util.Set<Long> onStack = new java.util.HashSet<>();
            for (Block root : order) {
                if (done.contains(root.pc())) {
                    continue;
                }
                // Iterative depth-first walk: each frame is a block and the index of its next successor.
                ArrayDeque<Object[]> stack = new ArrayDeque<>();
                stack.push(new Object[] {root, 0});
                onStack.add(root.pc());
                done.add(root.pc());
                while (!stack.isEmpty()) {
                    Object[] frame = stack.peek();
                    Block b = (Block) frame[0];
                    List<Long> next = successors(b, speculated);
                    int i = (Integer) frame[1];
                    if (i == next.size()) {
                        stack.pop();
                        onStack.remove(b.pc());
                        continue;
                    }
                    frame[1] = i + 1;
                    long s = next.get(i);
                    Block target = region.get(s);
                    if (target == null) {
                        continue;
                    }
                    if (onStack.contains(s)) {
                        heads.add(s);
                    } else if (done.add(s)) {
                        onStack.add(s);
                        stack.push(new Object[] {target, 0});
                    }
                }
            }
            return heads;
        }

        // ---- registers

        private int x(int r) {
            if (r == 0) {
                return u.constant(Type.I64, 0);
            }
            if (x[r] < 0) {
                x[r] = u.global(RiscvHart.ABI_NAMES[r], GlobalBinding.arrayElement(RiscvHart.class, "x", r));
            }
            return x[r];
        }

        private void setX(int r, int value) {
            if (r != 0) {
                u.mov(x(r), value);
            }
        }

        private int f(int r) {
            if (f[r] < 0) {
                f[r] = u.global(RiscvHart.FP_ABI_NAMES[r], GlobalBinding.arrayElement(RiscvHart.class, "f", r));
            }
            return f[r];
        }

        private static IrUnit.Arg constant(Insn insn) {
            return new IrUnit.Arg.Constant(insn);
        }

        private int c(long v) {
            return u.constant(Type.I64, v);
        }

        private int bin(Opcode op, int a, int b) {
            return u.binary(op, a, b);
        }

        private int sext32(int v) {
            return u.unary(Opcode.EXT32S, v);
        }

        private int low(int v) {
            return u.unary(Opcode.TRUNC_I64_I32, v);
        }

        private int wide(int v32) {
            return u.unary(Opcode.EXTS_I32_I64, v32);
        }

        // ---- control

        /** Adds the block's instructions not yet counted to instret. */
        private void countUpTo(long n) {
            if (n != counted) {
                u.mov(instret, bin(Opcode.ADD, instret, c(n - counted)));
                counted = n;
            }
        }

        /** Goes to {@code target}: a branch inside the region, or a chainable exit. */
        private void goTo(long target) {
            Label inside = labels.get(target);
            if (inside != null) {
                u.br(inside);
                return;
            }
            u.movi(pc, target);
            u.gotoTb(exitSlots.computeIfAbsent(target, t -> exitSlots.size()));
        }

        private void emitBlock(Block b) {
            counted = 0;
            int n = b.insns().size();
            for (int k = 0; k < n; k++) {
                Insn insn = b.insns().get(k);
                long at = b.pcs().get(k);
                u.insnStart(at, k - counted);
                boolean last = k == n - 1;
                if (last && b.end() != End.FALL_THROUGH) {
                    emitEnd(b, insn, at, k);
                } else {
                    emitInsn(insn, at, k);
                }
            }
            if (b.end() == End.FALL_THROUGH) {
                countUpTo(n);
                goTo(b.next());
            }
        }

        /** An instruction the interpreter executes: the hart's pc and instret are exact first. */
        private void interpret(Insn insn, long at, int k) {
            countUpTo(k);
            u.movi(pc, at);
            u.call(TcgHelpers.INTERPRET, new IrUnit.Arg[] {IrUnit.STATE, IrUnit.MEMORY, new IrUnit.Arg.Constant(insn)});
        }

        private void emitEnd(Block b, Insn insn, long at, int k) {
            int n = k + 1;
            long next = at + insn.length();
            switch (b.end()) {
                case BRANCH -> {
                    int a = x(insn.rs1());
                    int bb = x(insn.rs2());
                    Cond cond = switch (insn.op()) {
                        case BEQ -> Cond.EQ;
                        case BNE -> Cond.NE;
                        case BLT -> Cond.LT;
                        case BGE -> Cond.GE;
                        case BLTU -> Cond.LTU;
                        default -> Cond.GEU;
                    };
                    countUpTo(n);
                    Label taken = u.newLabel();
                    u.brcond(cond, a, bb, taken);
                    goTo(next);
                    u.label(taken);
                    goTo(at + insn.imm());
                }
                case JUMP -> {
                    setX(insn.rd(), c(next));
                    countUpTo(n);
                    goTo(at + insn.imm());
                }
                case INDIRECT -> {
                    int target = bin(Opcode.AND, bin(Opcode.ADD, x(insn.rs1()), c(insn.imm())), c(~1L));
                    setX(insn.rd(), c(next));
                    countUpTo(n);
                    Long expected = speculated.get(b.pc());
                    if (expected != null && labels.containsKey(expected)) {
                        // Where it went last time is in this unit: go on there when it goes there again.
                        Label elsewhere = u.newLabel();
                        u.brcond(Cond.NE, target, c(expected), elsewhere);
                        u.br(labels.get(expected));
                        u.label(elsewhere);
                    }
                    u.mov(pc, target);
                    u.exitTb();
                }
                case SYSTEM -> {
                    interpret(insn, at, k);
                    countUpTo(n);
                    u.exitTb();
                }
                default -> throw new IllegalStateException(b.end().toString());
            }
        }

        /** F and D instructions: the ones mstatus.FS governs. */
        private static boolean isFloat(Op op) {
            return op.name().startsWith("F") && op != Op.FENCE && op != Op.FENCE_I;
        }

        private static MemOp load(Op op) {
            return switch (op) {
                case LB -> MemOp.le(1, true);
                case LH -> MemOp.le(2, true);
                case LW -> MemOp.le(4, true);
                case LBU -> MemOp.le(1, false);
                case LHU -> MemOp.le(2, false);
                case LWU -> MemOp.le(4, false);
                default -> MemOp.le(8, false);
            };
        }

        private void emitInsn(Insn insn, long at, int k) {
            int rd = insn.rd();
            long imm = insn.imm();
            Op op = insn.op();
            if (!floatDirect && isFloat(op)) {
                interpret(insn, at, k);
                return;
            }
            switch (op) {
                case LUI -> setX(rd, c(imm));
                case AUIPC -> setX(rd, c(at + imm));
                case LB, LH, LW, LD, LBU, LHU, LWU -> {
                    int v = u.load(load(op), bin(Opcode.ADD, x(insn.rs1()), c(imm)));
                    setX(rd, v);
                }
                case SB, SH, SW, SD -> {
                    int size = switch (op) {
                        case SB -> 1;
                        case SH -> 2;
                        case SW -> 4;
                        default -> 8;
                    };
                    u.store(MemOp.le(size, false), bin(Opcode.ADD, x(insn.rs1()), c(imm)), x(insn.rs2()));
                }
                case ADDI -> setX(rd, bin(Opcode.ADD, x(insn.rs1()), c(imm)));
                case SLTI -> setX(rd, u.setcond(Cond.LT, x(insn.rs1()), c(imm)));
                case SLTIU -> setX(rd, u.setcond(Cond.LTU, x(insn.rs1()), c(imm)));
                case XORI -> setX(rd, bin(Opcode.XOR, x(insn.rs1()), c(imm)));
                case ORI -> setX(rd, bin(Opcode.OR, x(insn.rs1()), c(imm)));
                case ANDI -> setX(rd, bin(Opcode.AND, x(insn.rs1()), c(imm)));
                case SLLI -> setX(rd, bin(Opcode.SHL, x(insn.rs1()), c(imm)));
                case SRLI -> setX(rd, bin(Opcode.SHR, x(insn.rs1()), c(imm)));
                case SRAI -> setX(rd, bin(Opcode.SAR, x(insn.rs1()), c(imm)));
                case ADD -> setX(rd, bin(Opcode.ADD, x(insn.rs1()), x(insn.rs2())));
                case SUB -> setX(rd, bin(Opcode.SUB, x(insn.rs1()), x(insn.rs2())));
                case SLL -> setX(rd, bin(Opcode.SHL, x(insn.rs1()), x(insn.rs2())));
                case SLT -> setX(rd, u.setcond(Cond.LT, x(insn.rs1()), x(insn.rs2())));
                case SLTU -> setX(rd, u.setcond(Cond.LTU, x(insn.rs1()), x(insn.rs2())));
                case XOR -> setX(rd, bin(Opcode.XOR, x(insn.rs1()), x(insn.rs2())));
                case SRL -> setX(rd, bin(Opcode.SHR, x(insn.rs1()), x(insn.rs2())));
                case SRA -> setX(rd, bin(Opcode.SAR, x(insn.rs1()), x(insn.rs2())));
                case OR -> setX(rd, bin(Opcode.OR, x(insn.rs1()), x(insn.rs2())));
                case AND -> setX(rd, bin(Opcode.AND, x(insn.rs1()), x(insn.rs2())));
                case ADDIW -> setX(rd, sext32(bin(Opcode.ADD, x(insn.rs1()), c(imm))));
                case SLLIW -> setX(rd, wide(u.binary(Opcode.SHL, low(x(insn.rs1())), u.constant(Type.I32, imm))));
                case SRLIW -> setX(rd, wide(u.binary(Opcode.SHR, low(x(insn.rs1())), u.constant(Type.I32, imm))));
                case SRAIW -> setX(rd, wide(u.binary(Opcode.SAR, low(x(insn.rs1())), u.constant(Type.I32, imm))));
                case ADDW -> setX(rd, sext32(bin(Opcode.ADD, x(insn.rs1()), x(insn.rs2()))));
                case SUBW -> setX(rd, sext32(bin(Opcode.SUB, x(insn.rs1()), x(insn.rs2()))));
                case SLLW, SRLW, SRAW, ROLW, RORW, MULW, DIVW, DIVUW, REMW, REMUW -> {
                    Opcode o = switch (op) {
                        case SLLW -> Opcode.SHL;
                        case SRLW -> Opcode.SHR;
                        case SRAW -> Opcode.SAR;
                        case ROLW -> Opcode.ROTL;
                        case RORW -> Opcode.ROTR;
                        case MULW -> Opcode.MUL;
                        case DIVW -> Opcode.DIV;
                        case DIVUW -> Opcode.DIVU;
                        case REMW -> Opcode.REM;
                        default -> Opcode.REMU;
                    };
                    // 32-bit IR ops take shift counts modulo 32 and divide as RISC-V's W forms do.
                    setX(rd, wide(u.binary(o, low(x(insn.rs1())), low(x(insn.rs2())))));
                }
                case FENCE -> {
                    int pred = (int) (imm >>> 4) & 0xf;
                    int succ = (int) imm & 0xf;
                    int bits = 0;
                    // I/O and memory are one here: I and O order as R and W do.
                    boolean pr = (pred & 0xa) != 0;
                    boolean pw = (pred & 0x5) != 0;
                    boolean sr = (succ & 0xa) != 0;
                    boolean sw = (succ & 0x5) != 0;
                    bits |= pr && sr ? Barrier.LD_LD : 0;
                    bits |= pr && sw ? Barrier.LD_ST : 0;
                    bits |= pw && sr ? Barrier.ST_LD : 0;
                    bits |= pw && sw ? Barrier.ST_ST : 0;
                    if (bits != 0) {
                        u.barrier(bits);
                    }
                }
                case MUL -> setX(rd, bin(Opcode.MUL, x(insn.rs1()), x(insn.rs2())));
                case MULH -> setX(rd, bin(Opcode.MULSH, x(insn.rs1()), x(insn.rs2())));
                case MULHU -> setX(rd, bin(Opcode.MULUH, x(insn.rs1()), x(insn.rs2())));
                case MULHSU -> {
                    int a = x(insn.rs1());
                    int b = x(insn.rs2());
                    int high = bin(Opcode.MULSH, a, b);
                    setX(rd, bin(Opcode.ADD, high, u.movcond(Cond.LT, b, c(0), a, c(0))));
                }
                case DIV -> setX(rd, bin(Opcode.DIV, x(insn.rs1()), x(insn.rs2())));
                case DIVU -> setX(rd, bin(Opcode.DIVU, x(insn.rs1()), x(insn.rs2())));
                case REM -> setX(rd, bin(Opcode.REM, x(insn.rs1()), x(insn.rs2())));
                case REMU -> setX(rd, bin(Opcode.REMU, x(insn.rs1()), x(insn.rs2())));
                case SH1ADD, SH2ADD, SH3ADD -> {
                    int shift = op == Op.SH1ADD ? 1 : op == Op.SH2ADD ? 2 : 3;
                    setX(rd, bin(Opcode.ADD, bin(Opcode.SHL, x(insn.rs1()), c(shift)), x(insn.rs2())));
                }
                case ADD_UW -> setX(rd, bin(Opcode.ADD, u.unary(Opcode.EXT32U, x(insn.rs1())), x(insn.rs2())));
                case SH1ADD_UW, SH2ADD_UW, SH3ADD_UW -> {
                    int shift = op == Op.SH1ADD_UW ? 1 : op == Op.SH2ADD_UW ? 2 : 3;
                    setX(rd, bin(Opcode.ADD, bin(Opcode.SHL, u.unary(Opcode.EXT32U, x(insn.rs1())), c(shift)), x(insn.rs2())));
                }
                case SLLI_UW -> setX(rd, bin(Opcode.SHL, u.unary(Opcode.EXT32U, x(insn.rs1())), c(imm)));
                case ANDN -> setX(rd, bin(Opcode.ANDC, x(insn.rs1()), x(insn.rs2())));
                case ORN -> setX(rd, bin(Opcode.ORC, x(insn.rs1()), x(insn.rs2())));
                case XNOR -> setX(rd, u.unary(Opcode.NOT, bin(Opcode.XOR, x(insn.rs1()), x(insn.rs2()))));
                case CLZ -> setX(rd, u.unary(Opcode.CLZ, x(insn.rs1())));
                case CTZ -> setX(rd, u.unary(Opcode.CTZ, x(insn.rs1())));
                case CPOP -> setX(rd, u.unary(Opcode.CTPOP, x(insn.rs1())));
                case CLZW -> setX(rd, wide(u.unary(Opcode.CLZ, low(x(insn.rs1())))));
                case CTZW -> setX(rd, wide(u.unary(Opcode.CTZ, low(x(insn.rs1())))));
                case CPOPW -> setX(rd, wide(u.unary(Opcode.CTPOP, low(x(insn.rs1())))));
                case MAX, MAXU, MIN, MINU -> {
                    int a = x(insn.rs1());
                    int b = x(insn.rs2());
                    Cond cond = switch (op) {
                        case MAX -> Cond.GE;
                        case MAXU -> Cond.GEU;
                        case MIN -> Cond.LE;
                        default -> Cond.LEU;
                    };
                    setX(rd, u.movcond(cond, a, b, a, b));
                }
                case SEXT_B -> setX(rd, u.unary(Opcode.EXT8S, x(insn.rs1())));
                case SEXT_H -> setX(rd, u.unary(Opcode.EXT16S, x(insn.rs1())));
                case ZEXT_H -> setX(rd, u.unary(Opcode.EXT16U, x(insn.rs1())));
                case ROL -> setX(rd, bin(Opcode.ROTL, x(insn.rs1()), x(insn.rs2())));
                case ROR -> setX(rd, bin(Opcode.ROTR, x(insn.rs1()), x(insn.rs2())));
                case RORI -> setX(rd, bin(Opcode.ROTR, x(insn.rs1()), c(imm)));
                case RORIW -> setX(rd, wide(u.binary(Opcode.ROTR, low(x(insn.rs1())), u.constant(Type.I32, imm))));
                case ORC_B -> setX(rd, u.call(TcgHelpers.ORC_B, new IrUnit.Arg[] {IrUnit.TEMP}, x(insn.rs1())));
                case REV8 -> setX(rd, u.unary(Opcode.BSWAP, x(insn.rs1())));
                case BCLR -> setX(rd, bin(Opcode.ANDC, x(insn.rs1()), bin(Opcode.SHL, c(1), x(insn.rs2()))));
                case BCLRI -> setX(rd, bin(Opcode.AND, x(insn.rs1()), c(~(1L << imm))));
                case BEXT -> setX(rd, bin(Opcode.AND, bin(Opcode.SHR, x(insn.rs1()), x(insn.rs2())), c(1)));
                case BEXTI -> setX(rd, bin(Opcode.AND, bin(Opcode.SHR, x(insn.rs1()), c(imm)), c(1)));
                case BINV -> setX(rd, bin(Opcode.XOR, x(insn.rs1()), bin(Opcode.SHL, c(1), x(insn.rs2()))));
                case BINVI -> setX(rd, bin(Opcode.XOR, x(insn.rs1()), c(1L << imm)));
                case BSET -> setX(rd, bin(Opcode.OR, x(insn.rs1()), bin(Opcode.SHL, c(1), x(insn.rs2()))));
                case BSETI -> setX(rd, bin(Opcode.OR, x(insn.rs1()), c(1L << imm)));
                case CZERO_EQZ -> setX(rd, u.movcond(Cond.EQ, x(insn.rs2()), c(0), c(0), x(insn.rs1())));
                case CZERO_NEZ -> setX(rd, u.movcond(Cond.NE, x(insn.rs2()), c(0), c(0), x(insn.rs1())));
                case FLD -> u.mov(f(rd), u.load(MemOp.le(8, false), bin(Opcode.ADD, x(insn.rs1()), c(imm))));
                case FLW -> u.mov(f(rd), bin(Opcode.OR, u.load(MemOp.le(4, false), bin(Opcode.ADD, x(insn.rs1()), c(imm))), c(0xffff_ffff_0000_0000L)));
                case FSD -> u.store(MemOp.le(8, false), bin(Opcode.ADD, x(insn.rs1()), c(imm)), f(insn.rs2()));
                case FSW -> u.store(MemOp.le(4, false), bin(Opcode.ADD, x(insn.rs1()), c(imm)), f(insn.rs2()));
                case FMV_X_D -> setX(rd, f(insn.rs1()));
                case FMV_D_X -> u.mov(f(rd), x(insn.rs1()));
                case FMV_X_W -> setX(rd, sext32(f(insn.rs1())));
                case FMV_W_X -> u.mov(f(rd), bin(Opcode.OR, u.unary(Opcode.EXT32U, x(insn.rs1())), c(0xffff_ffff_0000_0000L)));
                // Floating-point arithmetic is the interpreter's code, called with the operands
                // (the flags and rounding mode it uses are not globals).
                // Doubles' sign injection (fmv.d, fneg.d, fabs.d) is bit arithmetic; singles' unbox first.
                case FSGNJ_D -> u.mov(f(rd), bin(Opcode.OR, bin(Opcode.AND, f(insn.rs1()), c(Long.MAX_VALUE)),
                        bin(Opcode.AND, f(insn.rs2()), c(Long.MIN_VALUE))));
                case FSGNJN_D -> u.mov(f(rd), bin(Opcode.OR, bin(Opcode.AND, f(insn.rs1()), c(Long.MAX_VALUE)),
                        bin(Opcode.ANDC, c(Long.MIN_VALUE), f(insn.rs2()))));
                case FSGNJX_D -> u.mov(f(rd), bin(Opcode.XOR, f(insn.rs1()), bin(Opcode.AND, f(insn.rs2()), c(Long.MIN_VALUE))));
                case FEQ_S, FLT_S, FLE_S, FEQ_D, FLT_D, FLE_D -> setX(rd, u.call(TcgHelpers.FLOAT_COMPARE,
                        new IrUnit.Arg[] {IrUnit.STATE, constant(insn), IrUnit.TEMP, IrUnit.TEMP}, f(insn.rs1()), f(insn.rs2())));
                case FSGNJ_S, FSGNJN_S, FSGNJX_S -> u.mov(f(rd),
                        u.call(TcgHelpers.SIGN_INJECTION, new IrUnit.Arg[] {constant(insn), IrUnit.TEMP, IrUnit.TEMP}, f(insn.rs1()), f(insn.rs2())));
                case FCLASS_S, FCLASS_D -> setX(rd, u.call(TcgHelpers.CLASSIFY, new IrUnit.Arg[] {constant(insn), IrUnit.TEMP}, f(insn.rs1())));
                case FCVT_W_S, FCVT_WU_S, FCVT_L_S, FCVT_LU_S, FCVT_W_D, FCVT_WU_D,
                        FCVT_L_D, FCVT_LU_D -> setX(rd, u.call(TcgHelpers.FLOAT_TO_INTEGER,
                                new IrUnit.Arg[] {IrUnit.STATE, constant(insn), IrUnit.TEMP, IrUnit.TEMP}, f(insn.rs1()), f(insn.rs2())));
                case FADD_S, FSUB_S, FMUL_S, FDIV_S, FSQRT_S, FMIN_S, FMAX_S, FADD_D, FSUB_D, FMUL_D, FDIV_D, FSQRT_D,
                        FMIN_D, FMAX_D, FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D,
                        FCVT_S_W, FCVT_S_WU, FCVT_S_L, FCVT_S_LU, FCVT_D_W, FCVT_D_WU, FCVT_D_L, FCVT_D_LU, FCVT_S_D,
                        FCVT_D_S -> {
                    boolean fused = switch (op) {
                        case FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D -> true;
                        default -> false;
                    };
                    int third = fused ? f(insn.raw() >>> 27) : c(0);
                    io.tessera.tcg.Helper host = TcgHelpers.hostFloat(insn);
                    if (host != null) {
                        // The host's arithmetic where it gives the interpreter's result and flags.
                        boolean unary = op == Op.FSQRT_D || op == Op.FSQRT_S;
                        IrUnit.Arg[] args = fused ? new IrUnit.Arg[] {IrUnit.STATE, constant(insn), IrUnit.TEMP, IrUnit.TEMP, IrUnit.TEMP}
                                : unary ? new IrUnit.Arg[] {IrUnit.STATE, constant(insn), IrUnit.TEMP}
                                : new IrUnit.Arg[] {IrUnit.STATE, constant(insn), IrUnit.TEMP, IrUnit.TEMP};
                        int[] in = fused ? new int[] {f(insn.rs1()), f(insn.rs2()), third}
                                : unary ? new int[] {f(insn.rs1())} : new int[] {f(insn.rs1()), f(insn.rs2())};
                        u.mov(f(rd), u.call(host, args, in));
                        break;
                    }
                    u.mov(f(rd), u.call(TcgHelpers.FLOAT_RESULT, new IrUnit.Arg[] {IrUnit.STATE, constant(insn), IrUnit.TEMP, IrUnit.TEMP,
                        IrUnit.TEMP, IrUnit.TEMP}, x(insn.rs1()), f(insn.rs1()), f(insn.rs2()), third));
                }
                // The rest (atomics, LR/SC) is the interpreter's, run on the hart's state.
                default -> interpret(insn, at, k);
            }
        }
    }
}
