package io.tessera.tcg.internal;

import io.tessera.tcg.Barrier;
import io.tessera.tcg.CompiledUnit;
import io.tessera.tcg.FastPath;
import io.tessera.tcg.GlobalBinding;
import io.tessera.tcg.Helper;
import io.tessera.tcg.IrOp;
import io.tessera.tcg.IrRuntime;
import io.tessera.tcg.IrUnit;
import io.tessera.tcg.MemOp;
import io.tessera.tcg.Opcode;
import io.tessera.tcg.SoftTlb;
import io.tessera.tcg.Type;
import io.tessera.tcg.Cond;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Emits one unit as the bytecode of a class implementing {@link CompiledUnit}. Globals and
 * temporaries are JVM locals; globals are loaded from the state object at entry and after
 * helpers that sync them, and written back at exits, before such helpers and when a guest
 * instruction faults. A fault is an exception out of a load, store or helper: the exception
 * table sends it to a handler for its guest instruction, which sets the pc and instruction
 * count the INSN_START op named, writes the globals back and rethrows.
 */
public final class BytecodeEmitter implements Opcodes {

    private static final String UNIT = "io/tessera/tcg/CompiledUnit";
    private static final String TLB = "io/tessera/tcg/SoftTlb";
    private static final String RUNTIME = "io/tessera/tcg/IrRuntime";
    private static final String SEGMENT = "java/lang/foreign/MemorySegment";
    private static final String HOST_MEMORY = "io/tessera/tcg/HostMemory";
    private static final int THIS = 0;
    private static final int STATE_ARG = 1;
    private static final int MEMORY = 2;
    private static final int STATE = 3;
    private static final int EXIT = 4;
    private static final int THROWN = 5;
    private static final int INDEX = 6;
    /** The instruction count at entry (a unit that counts itself). */
    private static final int COUNT_AT_ENTRY = 7;
    /** The unit's block, and the block a chain link leads to, in the chaining exit. */
    private static final int OWN_BLOCK = 9;
    private static final int NEXT_BLOCK = 10;
    private static final int FIRST_TEMP = 11;
    private static final String BLOCK = "io/tessera/tcg/TranslatedBlock";
    private static final String BLOCK_TYPE = "L" + BLOCK + ";";

    private final IrUnit unit;
    private final String className;
    private final String stateType;
    private final int[] slot;
    private final boolean[] read;
    private final boolean[] written;
    private final List<Object> constants = new ArrayList<>();
    private final Label[] labels;
    private MethodVisitor mv;
    private int maxLocals;

    // The exception range of the current guest instruction, open while ops that may fault are emitted.
    private record FaultSite(long pc, long correction, Label handler) {
    }

    private FaultSite site;
    private final List<FaultSite> sites = new ArrayList<>();
    private Label rangeStart;
    private final Label exitLabel = new Label();
    private final Label faultLabel = new Label();

    private BytecodeEmitter(IrUnit unit, String className) {
        this.unit = unit;
        this.className = className;
        this.stateType = org.objectweb.asm.Type.getInternalName(unit.stateClass());
        int n = unit.temps();
        slot = new int[n];
        read = new boolean[n];
        written = new boolean[n];
        labels = new Label[unit.labelCount()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = new Label();
        }
        maxLocals = assignSlots();
    }

    /**
     * Gives each temporary a JVM local. Globals and temporaries that live across a label get
     * their own; the others (most: they live within one guest instruction) share locals whose
     * last reader has passed, which keeps HotSpot's register allocators within their limits.
     *
     * @return the number of locals used
     */
    private int assignSlots() {
        int n = unit.temps();
        boolean[] own = needsInitialValue();
        int[] lastUse = new int[n];
        Arrays.fill(lastUse, -1);
        List<IrOp> ops = unit.ops();
        for (int i = 0; i < ops.size(); i++) {
            for (int t : ops.get(i).in) {
                lastUse[t] = i;
            }
        }
        int next = FIRST_TEMP;
        boolean[] assigned = new boolean[n];
        for (int t = 0; t < n; t++) {
            if (unit.isGlobal(t) || own[t]) {
                slot[t] = next;
                assigned[t] = true;
                next += unit.type(t) == Type.I64 ? 2 : 1;
            }
        }
        java.util.ArrayDeque<Integer> free64 = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<Integer> free32 = new java.util.ArrayDeque<>();
        for (int i = 0; i < ops.size(); i++) {
            IrOp op = ops.get(i);
            // Every op stores its output after its last read of its inputs: an input's local
            // may be the output's.
            for (int t : op.in) {
                if (lastUse[t] == i && !own[t] && !unit.isGlobal(t) && assigned[t]) {
                    (unit.type(t) == Type.I64 ? free64 : free32).push(slot[t]);
                    assigned[t] = false;
                }
            }
            int out = op.out;
            if (out >= 0 && !own[out] && !unit.isGlobal(out)) {
                boolean wide = unit.type(out) == Type.I64;
                if (!assigned[out]) {
                    Integer reuse = (wide ? free64 : free32).poll();
                    if (reuse != null) {
                        slot[out] = reuse;
                    } else {
                        slot[out] = next;
                        next += wide ? 2 : 1;
                    }
                    assigned[out] = true;
                }
                if (lastUse[out] <= i) {
                    // Not read after this: its local is free again at once.
                    (wide ? free64 : free32).push(slot[out]);
                    assigned[out] = false;
                }
            }
        }
        return next;
    }

    /** The class file and the constants its constructor takes. */
    public record Result(byte[] classFile, Object[] constants) {
    }

    /**
     * Emits {@code unit} as class {@code className} (internal name, in the package of the
     * lookup that will define it).
     */
    public static Result emit(IrUnit unit, String className) {
        return new BytecodeEmitter(unit, className).emitClass();
    }

    private Result emitClass() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                // Frames merge only our own reference locals, whose common type is Object.
                return a.equals(b) ? a : "java/lang/Object";
            }
        };
        cw.visit(V21, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, className, null, UNIT, null);
        cw.visitField(ACC_PRIVATE | ACC_FINAL, "constants", "[Ljava/lang/Object;", null, null).visitEnd();
        MethodVisitor init = cw.visitMethod(ACC_PUBLIC, "<init>", "([Ljava/lang/Object;)V", null, null);
        init.visitCode();
        init.visitVarInsn(ALOAD, 0);
        // A unit that chains directly counts itself (its runner sees only a chain's first unit).
        init.visitInsn(chaining() ? ICONST_1 : ICONST_0);
        init.visitMethodInsn(INVOKESPECIAL, UNIT, "<init>", "(Z)V", false);
        init.visitVarInsn(ALOAD, 0);
        init.visitVarInsn(ALOAD, 1);
        init.visitFieldInsn(PUTFIELD, className, "constants", "[Ljava/lang/Object;");
        init.visitInsn(RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        mv = cw.visitMethod(ACC_PUBLIC | ACC_FINAL, "run", "(Ljava/lang/Object;L" + TLB + ";)I", null, null);
        mv.visitCode();
        emitBody();
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return new Result(cw.toByteArray(), constants.toArray());
    }

    private void scanUses() {
        for (IrOp op : unit.ops()) {
            for (int t : op.in) {
                read[t] = true;
            }
            if (op.out >= 0) {
                written[op.out] = true;
            }
        }
        // The chaining exit compares the count with the limit.
        if (chaining()) {
            read[unit.chainLimitGlobal()] = true;
        }
        // The fault handlers set the pc and raise the count.
        int pc = unit.pcGlobal();
        int count = unit.countGlobal();
        if (pc >= 0) {
            read[pc] = written[pc] = true;
        }
        if (count >= 0) {
            read[count] = written[count] = true;
        }
    }

    /** Temporaries a verifier could see read where no path has set them must start with a value. */
    private boolean[] needsInitialValue() {
        int n = unit.temps();
        int[] defBlock = new int[n];
        Arrays.fill(defBlock, -1);
        boolean[] need = new boolean[n];
        int block = 0;
        for (IrOp op : unit.ops()) {
            if (op.opcode == Opcode.LABEL) {
                block++;
            }
            for (int t : op.in) {
                if (defBlock[t] != block) {
                    need[t] = true;
                }
            }
            if (op.out >= 0) {
                if (defBlock[op.out] >= 0 && defBlock[op.out] != block) {
                    need[op.out] = true;
                }
                defBlock[op.out] = block;
            }
        }
        return need;
    }

    private void emitBody() {
        scanUses();
        mv.visitVarInsn(ALOAD, STATE_ARG);
        mv.visitTypeInsn(CHECKCAST, stateType);
        mv.visitVarInsn(ASTORE, STATE);
        mv.visitInsn(ICONST_M1);
        mv.visitVarInsn(ISTORE, EXIT);
        loadGlobals();
        if (chaining()) {
            load(unit.countGlobal());
            mv.visitVarInsn(LSTORE, COUNT_AT_ENTRY);
        }
        boolean[] need = needsInitialValue();
        for (int t = 0; t < unit.temps(); t++) {
            if (!unit.isGlobal(t) && need[t]) {
                if (unit.type(t) == Type.I64) {
                    mv.visitInsn(LCONST_0);
                    mv.visitVarInsn(LSTORE, slot[t]);
                } else {
                    mv.visitInsn(ICONST_0);
                    mv.visitVarInsn(ISTORE, slot[t]);
                }
            }
        }
        boolean flowsOn = true;
        for (IrOp op : unit.ops()) {
            emitOp(op);
            flowsOn = !op.opcode.endsFlow();
        }
        closeRange();
        if (flowsOn) {
            mv.visitJumpInsn(GOTO, exitLabel);
        }
        // Exits: write back, return the slot.
        mv.visitLabel(exitLabel);
        storeGlobals();
        if (chaining()) {
            emitChainingExit();
        } else {
            mv.visitVarInsn(ILOAD, EXIT);
            mv.visitInsn(IRETURN);
        }
        // Faults: each guest instruction's handler fixes pc and count, then all write back and rethrow.
        if (!sites.isEmpty()) {
            for (FaultSite s : sites) {
                mv.visitLabel(s.handler());
                mv.visitVarInsn(ASTORE, THROWN);
                if (unit.pcGlobal() >= 0) {
                    push64(s.pc());
                    mv.visitVarInsn(LSTORE, slot[unit.pcGlobal()]);
                }
                if (unit.countGlobal() >= 0 && s.correction() != 0) {
                    load(unit.countGlobal());
                    push64(s.correction());
                    mv.visitInsn(LADD);
                    mv.visitVarInsn(LSTORE, slot[unit.countGlobal()]);
                }
                mv.visitJumpInsn(GOTO, faultLabel);
            }
            mv.visitLabel(faultLabel);
            storeGlobals();
            mv.visitVarInsn(ALOAD, THROWN);
            mv.visitTypeInsn(CHECKCAST, "java/lang/Throwable");
            mv.visitInsn(ATHROW);
        }
    }

    private boolean chaining() {
        return unit.chainLimitGlobal() >= 0;
    }

    /**
     * The exit of a unit that chains directly ({@link IrUnit#chainDirect}), after the globals
     * are written back: the unit counts its run and its instructions; then a GOTO_TB exit whose
     * chain link leads to a block that admits direct entry calls that block's code and returns
     * what it returns, while the count is below the limit and the vCPU's chain budget lasts.
     * Each slot has its own call site, so that each site sees one receiver class (HotSpot's
     * inline cache, not a virtual dispatch). Otherwise the unit names itself in
     * {@link SoftTlb#exited} and returns its slot to the runner. This code lies outside every
     * fault range: a fault in a unit entered from here is made exact by that unit's handlers
     * and passes through.
     */
    private void emitChainingExit() {
        Label toRunner = new Label();
        Label unbound = new Label();
        mv.visitVarInsn(ALOAD, THIS);
        mv.visitFieldInsn(GETFIELD, UNIT, "block", BLOCK_TYPE);
        mv.visitInsn(DUP);
        mv.visitVarInsn(ASTORE, OWN_BLOCK);
        mv.visitJumpInsn(IFNULL, unbound);
        mv.visitVarInsn(ALOAD, OWN_BLOCK);
        mv.visitInsn(DUP);
        mv.visitFieldInsn(GETFIELD, BLOCK, "executions", "I");
        mv.visitInsn(ICONST_1);
        mv.visitInsn(IADD);
        mv.visitFieldInsn(PUTFIELD, BLOCK, "executions", "I");
        mv.visitVarInsn(ALOAD, OWN_BLOCK);
        mv.visitInsn(DUP);
        mv.visitFieldInsn(GETFIELD, BLOCK, "executedInstructions", "J");
        load(unit.countGlobal());
        mv.visitVarInsn(LLOAD, COUNT_AT_ENTRY);
        mv.visitInsn(LSUB);
        mv.visitInsn(LADD);
        mv.visitFieldInsn(PUTFIELD, BLOCK, "executedInstructions", "J");
        int slots = unit.exitSlots();
        if (slots > 0) {
            mv.visitVarInsn(ILOAD, EXIT);
            mv.visitJumpInsn(IFLT, toRunner);
            load(unit.countGlobal());
            load(unit.chainLimitGlobal());
            mv.visitInsn(LSUB);
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFGE, toRunner);
            Label[] cases = new Label[slots];
            for (int i = 0; i < slots; i++) {
                cases[i] = new Label();
            }
            mv.visitVarInsn(ILOAD, EXIT);
            mv.visitTableSwitchInsn(0, slots - 1, toRunner, cases);
            for (int i = 0; i < slots; i++) {
                mv.visitLabel(cases[i]);
                mv.visitVarInsn(ALOAD, OWN_BLOCK);
                mv.visitFieldInsn(GETFIELD, BLOCK, "links", "[" + BLOCK_TYPE);
                pushInt(i);
                mv.visitInsn(AALOAD);
                mv.visitInsn(DUP);
                mv.visitVarInsn(ASTORE, NEXT_BLOCK);
                mv.visitJumpInsn(IFNULL, toRunner);
                mv.visitVarInsn(ALOAD, NEXT_BLOCK);
                mv.visitFieldInsn(GETFIELD, BLOCK, "direct", "Z");
                mv.visitJumpInsn(IFEQ, toRunner);
                mv.visitVarInsn(ALOAD, MEMORY);
                mv.visitInsn(DUP);
                mv.visitFieldInsn(GETFIELD, TLB, "chainBudget", "I");
                mv.visitInsn(ICONST_1);
                mv.visitInsn(ISUB);
                mv.visitInsn(DUP_X1);
                mv.visitFieldInsn(PUTFIELD, TLB, "chainBudget", "I");
                mv.visitJumpInsn(IFLT, toRunner);
                mv.visitVarInsn(ALOAD, MEMORY);
                mv.visitMethodInsn(INVOKEVIRTUAL, TLB, "revalidate", "()V", false);
                mv.visitVarInsn(ALOAD, NEXT_BLOCK);
                mv.visitFieldInsn(GETFIELD, BLOCK, "code", "L" + UNIT + ";");
                mv.visitVarInsn(ALOAD, STATE_ARG);
                mv.visitVarInsn(ALOAD, MEMORY);
                mv.visitMethodInsn(INVOKEVIRTUAL, UNIT, "run", "(Ljava/lang/Object;L" + TLB + ";)I", false);
                mv.visitInsn(IRETURN);
            }
        }
        mv.visitLabel(toRunner);
        mv.visitVarInsn(ALOAD, MEMORY);
        mv.visitVarInsn(ALOAD, OWN_BLOCK);
        mv.visitFieldInsn(PUTFIELD, TLB, "exited", BLOCK_TYPE);
        mv.visitLabel(unbound);
        mv.visitVarInsn(ILOAD, EXIT);
        mv.visitInsn(IRETURN);
    }

    private void loadGlobals() {
        for (int t = 0; t < unit.temps(); t++) {
            if (unit.isGlobal(t) && (read[t] || written[t])) {
                GlobalBinding b = unit.binding(t);
                mv.visitVarInsn(ALOAD, STATE);
                if (b.index() < 0) {
                    mv.visitFieldInsn(GETFIELD, org.objectweb.asm.Type.getInternalName(b.owner()), b.field(), "J");
                } else {
                    mv.visitFieldInsn(GETFIELD, org.objectweb.asm.Type.getInternalName(b.owner()), b.field(), "[J");
                    pushInt(b.index());
                    mv.visitInsn(LALOAD);
                }
                mv.visitVarInsn(LSTORE, slot[t]);
            }
        }
    }

    private void storeGlobals() {
        for (int t = 0; t < unit.temps(); t++) {
            if (unit.isGlobal(t) && written[t]) {
                GlobalBinding b = unit.binding(t);
                mv.visitVarInsn(ALOAD, STATE);
                if (b.index() < 0) {
                    mv.visitVarInsn(LLOAD, slot[t]);
                    mv.visitFieldInsn(PUTFIELD, org.objectweb.asm.Type.getInternalName(b.owner()), b.field(), "J");
                } else {
                    mv.visitFieldInsn(GETFIELD, org.objectweb.asm.Type.getInternalName(b.owner()), b.field(), "[J");
                    pushInt(b.index());
                    mv.visitVarInsn(LLOAD, slot[t]);
                    mv.visitInsn(LASTORE);
                }
            }
        }
    }

    // ---- fault ranges

    private void openRange() {
        if (rangeStart == null && site != null) {
            rangeStart = new Label();
            mv.visitLabel(rangeStart);
        }
    }

    private void closeRange() {
        if (rangeStart != null) {
            Label end = new Label();
            mv.visitLabel(end);
            mv.visitTryCatchBlock(rangeStart, end, site.handler(), null);
            if (sites.isEmpty() || sites.get(sites.size() - 1) != site) {
                sites.add(site);
            }
            rangeStart = null;
        }
    }

    // ---- ops

    private void load(int t) {
        mv.visitVarInsn(unit.type(t) == Type.I64 ? LLOAD : ILOAD, slot[t]);
    }

    private void store(int t) {
        mv.visitVarInsn(unit.type(t) == Type.I64 ? LSTORE : ISTORE, slot[t]);
    }

    private void push64(long v) {
        if (v == 0 || v == 1) {
            mv.visitInsn(v == 0 ? LCONST_0 : LCONST_1);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    private void pushInt(int v) {
        if (v >= -1 && v <= 5) {
            mv.visitInsn(ICONST_0 + v);
        } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            mv.visitIntInsn(BIPUSH, v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            mv.visitIntInsn(SIPUSH, v);
        } else {
            mv.visitLdcInsn(v);
        }
    }

    private void push(Type type, long v) {
        if (type == Type.I64) {
            push64(v);
        } else {
            pushInt((int) v);
        }
    }

    private void emitOp(IrOp op) {
        boolean w = op.type == Type.I64;
        switch (op.opcode) {
            case MOV -> {
                load(op.in[0]);
                store(op.out);
            }
            case MOVI -> {
                push(op.type, op.aux);
                store(op.out);
            }
            case ADD, SUB, MUL, AND, OR, XOR -> {
                load(op.in[0]);
                load(op.in[1]);
                mv.visitInsn(switch (op.opcode) {
                    case ADD -> w ? LADD : IADD;
                    case SUB -> w ? LSUB : ISUB;
                    case MUL -> w ? LMUL : IMUL;
                    case AND -> w ? LAND : IAND;
                    case OR -> w ? LOR : IOR;
                    default -> w ? LXOR : IXOR;
                });
                store(op.out);
            }
            case ANDC, ORC -> {
                load(op.in[0]);
                load(op.in[1]);
                push(op.type, -1);
                mv.visitInsn(w ? LXOR : IXOR);
                mv.visitInsn(op.opcode == Opcode.ANDC ? (w ? LAND : IAND) : (w ? LOR : IOR));
                store(op.out);
            }
            case SHL, SHR, SAR -> {
                load(op.in[0]);
                load(op.in[1]);
                if (w) {
                    mv.visitInsn(L2I);
                }
                mv.visitInsn(switch (op.opcode) {
                    case SHL -> w ? LSHL : ISHL;
                    case SHR -> w ? LUSHR : IUSHR;
                    default -> w ? LSHR : ISHR;
                });
                store(op.out);
            }
            case ROTL, ROTR -> {
                load(op.in[0]);
                load(op.in[1]);
                if (w) {
                    mv.visitInsn(L2I);
                }
                String name = op.opcode == Opcode.ROTL ? "rotateLeft" : "rotateRight";
                mv.visitMethodInsn(INVOKESTATIC, w ? "java/lang/Long" : "java/lang/Integer", name, w ? "(JI)J" : "(II)I", false);
                store(op.out);
            }
            case MULSH, MULUH -> {
                load(op.in[0]);
                load(op.in[1]);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", op.opcode == Opcode.MULSH ? "multiplyHigh" : "unsignedMultiplyHigh", "(JJ)J", false);
                store(op.out);
            }
            case DIV, DIVU, REM, REMU -> {
                load(op.in[0]);
                load(op.in[1]);
                String name = op.opcode.name().toLowerCase(java.util.Locale.ROOT) + (w ? "64" : "32");
                mv.visitMethodInsn(INVOKESTATIC, RUNTIME, name, w ? "(JJ)J" : "(II)I", false);
                store(op.out);
            }
            case NEG -> {
                load(op.in[0]);
                mv.visitInsn(w ? LNEG : INEG);
                store(op.out);
            }
            case NOT -> {
                load(op.in[0]);
                push(op.type, -1);
                mv.visitInsn(w ? LXOR : IXOR);
                store(op.out);
            }
            case CLZ, CTZ, CTPOP, BSWAP -> {
                load(op.in[0]);
                String name = switch (op.opcode) {
                    case CLZ -> "numberOfLeadingZeros";
                    case CTZ -> "numberOfTrailingZeros";
                    case CTPOP -> "bitCount";
                    default -> "reverseBytes";
                };
                if (op.opcode == Opcode.BSWAP) {
                    mv.visitMethodInsn(INVOKESTATIC, w ? "java/lang/Long" : "java/lang/Integer", name, w ? "(J)J" : "(I)I", false);
                } else {
                    mv.visitMethodInsn(INVOKESTATIC, w ? "java/lang/Long" : "java/lang/Integer", name, w ? "(J)I" : "(I)I", false);
                    if (w) {
                        mv.visitInsn(I2L);
                    }
                }
                store(op.out);
            }
            case EXT8S, EXT16S, EXT32S, EXT8U, EXT16U, EXT32U -> {
                load(op.in[0]);
                emitExtend(op.opcode, w);
                store(op.out);
            }
            case EXTS_I32_I64 -> {
                load(op.in[0]);
                mv.visitInsn(I2L);
                store(op.out);
            }
            case EXTU_I32_I64 -> {
                load(op.in[0]);
                mv.visitInsn(I2L);
                push64(0xffff_ffffL);
                mv.visitInsn(LAND);
                store(op.out);
            }
            case TRUNC_I64_I32 -> {
                load(op.in[0]);
                mv.visitInsn(L2I);
                store(op.out);
            }
            case SETCOND -> {
                Label yes = new Label();
                Label done = new Label();
                jumpIf(op.cond, op.type, op.in[0], op.in[1], yes);
                push(op.type, 0);
                mv.visitJumpInsn(GOTO, done);
                mv.visitLabel(yes);
                push(op.type, 1);
                mv.visitLabel(done);
                store(op.out);
            }
            case MOVCOND -> {
                Label yes = new Label();
                Label done = new Label();
                jumpIf(op.cond, op.type, op.in[0], op.in[1], yes);
                load(op.in[3]);
                mv.visitJumpInsn(GOTO, done);
                mv.visitLabel(yes);
                load(op.in[2]);
                mv.visitLabel(done);
                store(op.out);
            }
            case BRCOND -> jumpIf(op.cond, op.type, op.in[0], op.in[1], labels[op.label.id()]);
            case BR -> mv.visitJumpInsn(GOTO, labels[op.label.id()]);
            case LABEL -> mv.visitLabel(labels[op.label.id()]);
            case LD -> {
                openRange();
                emitLoad(op);
            }
            case ST -> {
                openRange();
                emitStore(op);
            }
            case MB -> {
                String fence = switch (Barrier.fence((int) op.aux)) {
                    case NONE -> null;
                    case ACQUIRE -> "acquireFence";
                    case RELEASE -> "releaseFence";
                    case ACQUIRE_RELEASE -> "acquireFence";
                    case FULL -> "fullFence";
                };
                if (fence != null) {
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/invoke/VarHandle", fence, "()V", false);
                }
                if (Barrier.fence((int) op.aux) == Barrier.Fence.ACQUIRE_RELEASE) {
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/invoke/VarHandle", "releaseFence", "()V", false);
                }
            }
            case CALL -> emitCall(op);
            case INSN_START -> {
                closeRange();
                site = new FaultSite(op.aux, op.aux2, new Label());
            }
            case GOTO_TB -> {
                pushInt((int) op.aux);
                mv.visitVarInsn(ISTORE, EXIT);
                mv.visitJumpInsn(GOTO, exitLabel);
            }
            case EXIT_TB -> {
                mv.visitInsn(ICONST_M1);
                mv.visitVarInsn(ISTORE, EXIT);
                mv.visitJumpInsn(GOTO, exitLabel);
            }
        }
    }

    private void emitExtend(Opcode opcode, boolean w) {
        if (w) {
            switch (opcode) {
                case EXT8S -> {
                    mv.visitInsn(L2I);
                    mv.visitInsn(I2B);
                    mv.visitInsn(I2L);
                }
                case EXT16S -> {
                    mv.visitInsn(L2I);
                    mv.visitInsn(I2S);
                    mv.visitInsn(I2L);
                }
                case EXT32S -> {
                    mv.visitInsn(L2I);
                    mv.visitInsn(I2L);
                }
                case EXT8U -> {
                    push64(0xff);
                    mv.visitInsn(LAND);
                }
                case EXT16U -> {
                    push64(0xffff);
                    mv.visitInsn(LAND);
                }
                default -> {
                    push64(0xffff_ffffL);
                    mv.visitInsn(LAND);
                }
            }
        } else {
            switch (opcode) {
                case EXT8S -> mv.visitInsn(I2B);
                case EXT16S -> mv.visitInsn(I2S);
                case EXT8U -> {
                    pushInt(0xff);
                    mv.visitInsn(IAND);
                }
                case EXT16U -> {
                    pushInt(0xffff);
                    mv.visitInsn(IAND);
                }
                default -> {
                }
            }
        }
    }

    /** Jumps to {@code target} when {@code a cond b}. */
    private void jumpIf(Cond cond, Type type, int a, int b, Label target) {
        boolean w = type == Type.I64;
        load(a);
        load(b);
        if (cond.unsigned()) {
            mv.visitMethodInsn(INVOKESTATIC, w ? "java/lang/Long" : "java/lang/Integer", "compareUnsigned", w ? "(JJ)I" : "(II)I", false);
            mv.visitJumpInsn(switch (cond) {
                case LTU -> IFLT;
                case GEU -> IFGE;
                case LEU -> IFLE;
                default -> IFGT;
            }, target);
            return;
        }
        if (w) {
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(switch (cond) {
                case EQ -> IFEQ;
                case NE -> IFNE;
                case LT -> IFLT;
                case GE -> IFGE;
                case LE -> IFLE;
                default -> IFGT;
            }, target);
        } else {
            mv.visitJumpInsn(switch (cond) {
                case EQ -> IF_ICMPEQ;
                case NE -> IF_ICMPNE;
                case LT -> IF_ICMPLT;
                case GE -> IF_ICMPGE;
                case LE -> IF_ICMPLE;
                default -> IF_ICMPGT;
            }, target);
        }
    }

    private static String layoutField(MemOp m) {
        return switch (m.size()) {
            case 1 -> "BYTE";
            case 2 -> m.bigEndian() ? "SHORT_BE" : "SHORT_LE";
            case 4 -> m.bigEndian() ? "INT_BE" : "INT_LE";
            default -> m.bigEndian() ? "LONG_BE" : "LONG_LE";
        };
    }

    private static String layoutType(MemOp m) {
        return switch (m.size()) {
            case 1 -> "Ljava/lang/foreign/ValueLayout$OfByte;";
            case 2 -> "Ljava/lang/foreign/ValueLayout$OfShort;";
            case 4 -> "Ljava/lang/foreign/ValueLayout$OfInt;";
            default -> "Ljava/lang/foreign/ValueLayout$OfLong;";
        };
    }

    private static char valueType(MemOp m) {
        return switch (m.size()) {
            case 1 -> 'B';
            case 2 -> 'S';
            case 4 -> 'I';
            default -> 'J';
        };
    }

    /**
     * The inline TLB check: leaves nothing on the stack, the entry index in INDEX, and jumps
     * to {@code slow} on a miss or a misaligned access (which the slow path does, page
     * crossings included).
     */
    private void tlbCheck(int address, MemOp m, String tags, Label slow) {
        load(address);
        pushInt(SoftTlb.PAGE_BITS);
        mv.visitInsn(LUSHR);
        mv.visitInsn(L2I);
        pushInt(SoftTlb.INDEX_MASK);
        mv.visitInsn(IAND);
        mv.visitVarInsn(ISTORE, INDEX);
        mv.visitVarInsn(ALOAD, MEMORY);
        mv.visitFieldInsn(GETFIELD, TLB, tags, "[J");
        mv.visitVarInsn(ILOAD, INDEX);
        mv.visitInsn(LALOAD);
        load(address);
        pushInt(SoftTlb.PAGE_BITS);
        mv.visitInsn(LUSHR);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFNE, slow);
        if (m.size() > 1) {
            load(address);
            mv.visitInsn(L2I);
            pushInt(m.size() - 1);
            mv.visitInsn(IAND);
            mv.visitJumpInsn(IFNE, slow);
        }
    }

    /** Pushes the entry's page words and the index of the word holding the address. */
    private void wordAccess(int address, String words) {
        mv.visitVarInsn(ALOAD, MEMORY);
        mv.visitFieldInsn(GETFIELD, TLB, words, "[[J");
        mv.visitVarInsn(ILOAD, INDEX);
        mv.visitInsn(AALOAD);
        load(address);
        mv.visitInsn(L2I);
        pushInt(3);
        mv.visitInsn(IUSHR);
        pushInt(SoftTlb.PAGE_SIZE / 8 - 1);
        mv.visitInsn(IAND);
    }

    /** Pushes the entry's segment, the layout and the offset in the page: the arguments of get/set. */
    private void segmentAccess(int address, MemOp m, String pages) {
        mv.visitVarInsn(ALOAD, MEMORY);
        mv.visitFieldInsn(GETFIELD, TLB, pages, "[Ljava/lang/foreign/MemorySegment;");
        mv.visitVarInsn(ILOAD, INDEX);
        mv.visitInsn(AALOAD);
        mv.visitFieldInsn(GETSTATIC, TLB, layoutField(m), layoutType(m));
        load(address);
        push64(SoftTlb.PAGE_SIZE - 1);
        mv.visitInsn(LAND);
    }

    /**
     * Pushes the host address a {@link FastPath#SEGMENT} entry maps {@code address} to (the
     * page's host address from {@code hosts}, plus the offset in the page), for
     * {@link io.tessera.tcg.HostMemory}.
     */
    private void hostAddress(int address, String hosts) {
        mv.visitVarInsn(ALOAD, MEMORY);
        mv.visitFieldInsn(GETFIELD, TLB, hosts, "[J");
        mv.visitVarInsn(ILOAD, INDEX);
        mv.visitInsn(LALOAD);
        load(address);
        push64(SoftTlb.PAGE_SIZE - 1);
        mv.visitInsn(LAND);
        mv.visitInsn(LADD);
    }

    private void emitLoad(IrOp op) {
        MemOp m = op.memOp;
        int address = op.in[0];
        Label slow = new Label();
        Label done = new Label();
        if (unit.fastPath() == FastPath.SEGMENT && (!m.bigEndian() || m.size() == 1)) {
            tlbCheck(address, m, "readTags", slow);
            hostAddress(address, "readHosts");
            char v = valueType(m);
            mv.visitMethodInsn(INVOKESTATIC, HOST_MEMORY, "get" + accessName(m), "(J)" + v, false);
            if (v != 'J') {
                // Sign-extended by I2L; the unsigned loads then mask.
                mv.visitInsn(I2L);
                if (!m.signed()) {
                    emitExtend(m.size() == 1 ? Opcode.EXT8U : m.size() == 2 ? Opcode.EXT16U : Opcode.EXT32U, true);
                }
            }
            mv.visitJumpInsn(GOTO, done);
        } else if (!m.bigEndian() || m.size() == 1) {
            // The page's words hold the guest's little-endian bytes in host (little-endian) order.
            tlbCheck(address, m, "readTags", slow);
            wordAccess(address, "readWords");
            mv.visitInsn(LALOAD);
            if (m.size() < 8) {
                bitShiftInWord(address);
                mv.visitInsn(LUSHR);
                if (m.signed()) {
                    emitExtend(m.size() == 1 ? Opcode.EXT8S : m.size() == 2 ? Opcode.EXT16S : Opcode.EXT32S, true);
                } else {
                    emitExtend(m.size() == 1 ? Opcode.EXT8U : m.size() == 2 ? Opcode.EXT16U : Opcode.EXT32U, true);
                }
            }
            mv.visitJumpInsn(GOTO, done);
        }
        mv.visitLabel(slow);
        mv.visitVarInsn(ALOAD, MEMORY);
        load(address);
        pushInt(m.size());
        mv.visitMethodInsn(INVOKEVIRTUAL, TLB, "loadSlow", "(JI)J", false);
        if (m.bigEndian() && m.size() > 1) {
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Long", "reverseBytes", "(J)J", false);
            pushInt(64 - 8 * m.size());
            mv.visitInsn(LUSHR);
        }
        if (m.signed() && m.size() < 8) {
            emitExtend(m.size() == 1 ? Opcode.EXT8S : m.size() == 2 ? Opcode.EXT16S : Opcode.EXT32S, true);
        }
        mv.visitLabel(done);
        store(op.out);
    }

    private void emitStore(IrOp op) {
        MemOp m = op.memOp;
        int address = op.in[0];
        int value = op.in[1];
        Label slow = new Label();
        Label done = new Label();
        if (unit.fastPath() == FastPath.SEGMENT && (!m.bigEndian() || m.size() == 1)) {
            tlbCheck(address, m, "writeTags", slow);
            hostAddress(address, "writeHosts");
            narrowStoreValue(value, m);
            mv.visitMethodInsn(INVOKESTATIC, HOST_MEMORY, "set" + accessName(m), "(J" + valueType(m) + ")V", false);
            mv.visitJumpInsn(GOTO, done);
        } else if (!m.bigEndian() || m.size() == 1) {
            tlbCheck(address, m, "writeTags", slow);
            if (m.size() == 8) {
                wordAccess(address, "writeWords");
                load(value);
                mv.visitInsn(LASTORE);
            } else {
                // With no other writer, a narrower store merges into its word; otherwise it must
                // not rewrite its neighbours: through the segment, byte-wide.
                Label shared = new Label();
                mv.visitVarInsn(ALOAD, MEMORY);
                mv.visitFieldInsn(GETFIELD, TLB, "soleWriter", "Z");
                mv.visitJumpInsn(IFEQ, shared);
                mergeIntoWord(address, value, m);
                mv.visitJumpInsn(GOTO, done);
                mv.visitLabel(shared);
                segmentAccess(address, m, "writePages");
                narrowStoreValue(value, m);
                mv.visitMethodInsn(INVOKEINTERFACE, SEGMENT, "set", "(" + layoutType(m) + "J" + valueType(m) + ")V", true);
            }
            mv.visitJumpInsn(GOTO, done);
        }
        mv.visitLabel(slow);
        mv.visitVarInsn(ALOAD, MEMORY);
        load(address);
        pushInt(m.size());
        load(value);
        if (m.bigEndian() && m.size() > 1) {
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Long", "reverseBytes", "(J)J", false);
            pushInt(64 - 8 * m.size());
            mv.visitInsn(LUSHR);
        }
        mv.visitMethodInsn(INVOKEVIRTUAL, TLB, "storeSlow", "(JIJ)V", false);
        mv.visitLabel(done);
    }

    /**
     * An aligned store narrower than 8 bytes as a read, merge and write of the word holding it:
     * {@code word = word & ~(mask << shift) | (value & mask) << shift}.
     */
    private void mergeIntoWord(int address, int value, MemOp m) {
        long mask = -1L >>> (64 - 8 * m.size());
        wordAccess(address, "writeWords");
        mv.visitInsn(DUP2);
        mv.visitInsn(LALOAD);
        push64(mask);
        bitShiftInWord(address);
        mv.visitInsn(LSHL);
        push64(-1);
        mv.visitInsn(LXOR);
        mv.visitInsn(LAND);
        load(value);
        push64(mask);
        mv.visitInsn(LAND);
        bitShiftInWord(address);
        mv.visitInsn(LSHL);
        mv.visitInsn(LOR);
        mv.visitInsn(LASTORE);
    }

    /** Pushes the bit position of the address's byte in its little-endian word. */
    private void bitShiftInWord(int address) {
        load(address);
        mv.visitInsn(L2I);
        pushInt(7);
        mv.visitInsn(IAND);
        pushInt(3);
        mv.visitInsn(ISHL);
    }

    /** Pushes the stored value as a value of the store's width ({@link #valueType}). */
    private void narrowStoreValue(int value, MemOp m) {
        load(value);
        char v = valueType(m);
        if (v != 'J') {
            mv.visitInsn(L2I);
            if (v == 'B') {
                mv.visitInsn(I2B);
            } else if (v == 'S') {
                mv.visitInsn(I2S);
            }
        }
    }

    /** The name of the access of the store's or load's width in {@link io.tessera.tcg.HostMemory}, after get or set. */
    private static String accessName(MemOp m) {
        return switch (m.size()) {
            case 1 -> "Byte";
            case 2 -> "Short";
            case 4 -> "Int";
            default -> "Long";
        };
    }

    private void emitCall(IrOp op) {
        Helper h = op.helper;
        boolean sync = h.is(Helper.SYNC_GLOBALS);
        if (sync) {
            closeRange();
            storeGlobals();
        } else {
            openRange();
        }
        Class<?>[] params = h.method().getParameterTypes();
        int next = 0;
        for (int i = 0; i < op.args.length; i++) {
            switch (op.args[i]) {
                case IrUnit.Arg.Temp t -> load(op.in[next++]);
                case IrUnit.Arg.State s -> mv.visitVarInsn(ALOAD, STATE);
                case IrUnit.Arg.Memory m -> mv.visitVarInsn(ALOAD, MEMORY);
                case IrUnit.Arg.Constant c -> {
                    int index = constants.size();
                    constants.add(c.value());
                    mv.visitVarInsn(ALOAD, THIS);
                    mv.visitFieldInsn(GETFIELD, className, "constants", "[Ljava/lang/Object;");
                    pushInt(index);
                    mv.visitInsn(AALOAD);
                    mv.visitTypeInsn(CHECKCAST, org.objectweb.asm.Type.getInternalName(params[i]));
                }
            }
        }
        mv.visitMethodInsn(INVOKESTATIC, org.objectweb.asm.Type.getInternalName(h.method().getDeclaringClass()), h.method().getName(),
                org.objectweb.asm.Type.getMethodDescriptor(h.method()), h.method().getDeclaringClass().isInterface());
        if (op.out >= 0) {
            store(op.out);
        }
        if (sync) {
            loadGlobals();
        }
    }

    /** @return the locals the method uses (for statistics) */
    int maxLocals() {
        return maxLocals;
    }
}
