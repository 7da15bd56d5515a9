package io.tessera.tcg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A translation unit's IR: temporaries, guest globals, labels and a list of ops, built by an
 * ISA front end with the methods here and then optimized and compiled by {@link UnitCompiler}.
 * The builder methods that compute something return a new temporary holding the result.
 *
 * <p>Globals are I64 temporaries bound to guest state ({@link GlobalBinding}); their values
 * survive exits, branches and helper calls. Other temporaries hold values only for the ops
 * that use them, but keep them across branches inside the unit.
 */
public final class IrUnit {

    /** What a helper parameter receives. */
    public sealed interface Arg {
        /** The next input temporary of the CALL op. */
        record Temp() implements Arg {
        }

        /** The unit's state object. */
        record State() implements Arg {
        }

        /** The unit's {@link SoftTlb}. */
        record Memory() implements Arg {
        }

        /**
         * An object fixed at translation time.
         *
         * @param value the object
         */
        record Constant(Object value) implements Arg {
        }
    }

    /** A temporary argument. */
    public static final Arg TEMP = new Arg.Temp();
    /** The state object as an argument. */
    public static final Arg STATE = new Arg.State();
    /** The soft TLB as an argument. */
    public static final Arg MEMORY = new Arg.Memory();

    private final Class<?> stateClass;
    private final List<Type> types = new ArrayList<>();
    private final List<GlobalBinding> bindings = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<IrOp> ops = new ArrayList<>();
    private int labels;
    private int exitSlots;
    private int pcGlobal = -1;
    private int countGlobal = -1;
    private FastPath fastPath = FastPath.WORDS;
    private int chainLimit = -1;

    /** @param stateClass the class of the state object globals are bound to */
    public IrUnit(Class<?> stateClass) {
        this.stateClass = Objects.requireNonNull(stateClass);
    }

    /** @return the class of the state object */
    public Class<?> stateClass() {
        return stateClass;
    }

    /** Declares an I64 global bound to guest state. */
    public int global(String name, GlobalBinding binding) {
        if (!binding.owner().isAssignableFrom(stateClass)) {
            throw new IllegalArgumentException("global " + name + " is bound to " + binding.owner().getName() + ", not to the state class " + stateClass.getName());
        }
        int t = newTemp(Type.I64, name);
        bindings.set(t, binding);
        return t;
    }

    /**
     * Names the globals that precise faults fix: the pc (set to INSN_START's address) and the
     * instruction count (raised by INSN_START's correction); count may be -1.
     */
    public void faultState(int pc, int count) {
        requireGlobal(pc);
        if (count >= 0) {
            requireGlobal(count);
        }
        this.pcGlobal = pc;
        this.countGlobal = count;
    }

    private void requireGlobal(int t) {
        if (!isGlobal(t)) {
            throw new IllegalArgumentException("%" + t + " is not a global");
        }
    }

    /** @return a new temporary */
    public int temp(Type type) {
        return newTemp(type, null);
    }

    private int newTemp(Type type, String name) {
        types.add(type);
        bindings.add(null);
        names.add(name);
        return types.size() - 1;
    }

    /** @return the number of temporaries, globals included */
    public int temps() {
        return types.size();
    }

    /** @return the type of temporary {@code t} */
    public Type type(int t) {
        return types.get(t);
    }

    /** @return whether {@code t} is a global */
    public boolean isGlobal(int t) {
        return bindings.get(t) != null;
    }

    /** @return the binding of global {@code t} */
    public GlobalBinding binding(int t) {
        return bindings.get(t);
    }

    /** @return the name of global {@code t}, or "%" and its number */
    public String name(int t) {
        String n = names.get(t);
        return n != null ? n : "%" + t;
    }

    /** @return the pc global of precise faults, or -1 */
    public int pcGlobal() {
        return pcGlobal;
    }

    /** Chooses the kind of {@link SoftTlb} entry the unit's inline loads and stores read ({@link FastPath#WORDS} unless set). */
    public void fastPath(FastPath path) {
        this.fastPath = Objects.requireNonNull(path);
    }

    /** @return the kind of {@link SoftTlb} entry the unit's inline loads and stores read */
    public FastPath fastPath() {
        return fastPath;
    }

    /**
     * Makes the unit's GOTO_TB exits go on into the unit their chain link leads to
     * ({@link TranslatedBlock#links}) when that one is {@link TranslatedBlock#direct}, the
     * instruction count is still below {@code limit} and the vCPU's
     * {@link SoftTlb#chainBudget} is not spent, calling it with the globals written back,
     * instead of returning to the runner; the unit then counts its own runs and instructions.
     * Needs the count global of {@link #faultState}.
     *
     * @param limit the global holding the count at which control must return to the runner
     */
    public void chainDirect(int limit) {
        requireGlobal(limit);
        if (countGlobal < 0) {
            throw new IllegalStateException("chainDirect needs the instruction-count global: call faultState(pc, count) first");
        }
        this.chainLimit = limit;
    }

    /** @return the limit global of {@link #chainDirect}, or -1 when exits return to the runner */
    public int chainLimitGlobal() {
        return chainLimit;
    }

    /** @return the instruction-count global of precise faults, or -1 */
    public int countGlobal() {
        return countGlobal;
    }

    /** @return the ops, in order; the optimizer edits this list */
    public List<IrOp> ops() {
        return ops;
    }

    /** @return the number of labels made */
    public int labelCount() {
        return labels;
    }

    /** @return one more than the highest GOTO_TB slot used */
    public int exitSlots() {
        return exitSlots;
    }

    private IrOp emit(Opcode opcode, Type type, int out, int... in) {
        for (int t : in) {
            if (t < 0 || t >= types.size()) {
                throw new IllegalArgumentException(opcode + ": no temporary %" + t);
            }
        }
        IrOp op = new IrOp(opcode, type, out, in);
        ops.add(op);
        return op;
    }

    private void requireType(Opcode opcode, Type type, int... temps) {
        for (int t : temps) {
            if (types.get(t) != type) {
                throw new IllegalArgumentException(opcode + " at " + type + ": %" + t + " is " + types.get(t));
            }
        }
    }

    // ---- values

    /** @return a temporary holding {@code value} */
    public int constant(Type type, long value) {
        int out = temp(type);
        emit(Opcode.MOVI, type, out).aux = type.normalize(value);
        return out;
    }

    /** Sets {@code out} (often a global) to {@code value}. */
    public void movi(int out, long value) {
        Type type = types.get(out);
        emit(Opcode.MOVI, type, out).aux = type.normalize(value);
    }

    /** Copies {@code source} to {@code out} (same type). */
    public void mov(int out, int source) {
        Type type = types.get(out);
        requireType(Opcode.MOV, type, source);
        emit(Opcode.MOV, type, out, source);
    }

    /** @return {@code a op b} for a two-operand arithmetic, logic or shift opcode */
    public int binary(Opcode opcode, int a, int b) {
        if (opcode.inputs() != 2 || !opcode.hasOutput() || opcode == Opcode.SETCOND || opcode == Opcode.ST) {
            throw new IllegalArgumentException(opcode + " is not a two-operand operation");
        }
        Type type = types.get(a);
        requireType(opcode, type, b);
        if ((opcode == Opcode.MULSH || opcode == Opcode.MULUH) && type != Type.I64) {
            throw new IllegalArgumentException(opcode + " is defined for I64 only");
        }
        int out = temp(type);
        emit(opcode, type, out, a, b);
        return out;
    }

    /** @return {@code op a} for a one-operand opcode (NEG, NOT, CLZ, CTZ, CTPOP, BSWAP, EXTnn, and the conversions) */
    public int unary(Opcode opcode, int a) {
        if (opcode.inputs() != 1 || opcode == Opcode.MOV || opcode == Opcode.LD) {
            throw new IllegalArgumentException(opcode + " is not a one-operand operation");
        }
        Type in = types.get(a);
        Type out = switch (opcode) {
            case EXTS_I32_I64, EXTU_I32_I64 -> {
                requireType(opcode, Type.I32, a);
                yield Type.I64;
            }
            case TRUNC_I64_I32 -> {
                requireType(opcode, Type.I64, a);
                yield Type.I32;
            }
            case EXT32S, EXT32U -> {
                requireType(opcode, Type.I64, a);
                yield Type.I64;
            }
            default -> in;
        };
        int t = temp(out);
        emit(opcode, opcode == Opcode.EXTS_I32_I64 || opcode == Opcode.EXTU_I32_I64 ? Type.I64 : out, t, a);
        return t;
    }

    /** @return {@code (a cond b) ? 1 : 0}, of a's type */
    public int setcond(Cond cond, int a, int b) {
        Type type = types.get(a);
        requireType(Opcode.SETCOND, type, b);
        int out = temp(type);
        emit(Opcode.SETCOND, type, out, a, b).cond = cond;
        return out;
    }

    /** @return {@code (a cond b) ? ifTrue : ifFalse}, all of one type */
    public int movcond(Cond cond, int a, int b, int ifTrue, int ifFalse) {
        Type type = types.get(a);
        requireType(Opcode.MOVCOND, type, b, ifTrue, ifFalse);
        int out = temp(type);
        emit(Opcode.MOVCOND, type, out, a, b, ifTrue, ifFalse).cond = cond;
        return out;
    }

    // ---- control flow

    /** @return a new label, to place with {@link #label(Label)} */
    public Label newLabel() {
        return new Label(labels++);
    }

    /** Places {@code label} here. */
    public void label(Label label) {
        emit(Opcode.LABEL, null, -1).label = label;
    }

    /** Branches to {@code target}. */
    public void br(Label target) {
        emit(Opcode.BR, null, -1).label = target;
    }

    /** Branches to {@code target} when {@code a cond b}. */
    public void brcond(Cond cond, int a, int b, Label target) {
        Type type = types.get(a);
        requireType(Opcode.BRCOND, type, b);
        IrOp op = emit(Opcode.BRCOND, type, -1, a, b);
        op.cond = cond;
        op.label = target;
    }

    /** Starts a guest instruction at {@code pc}; {@code countCorrection}: see {@link Opcode#INSN_START}. */
    public void insnStart(long pc, long countCorrection) {
        IrOp op = emit(Opcode.INSN_START, null, -1);
        op.aux = pc;
        op.aux2 = countCorrection;
    }

    /** Leaves through exit slot {@code slot} (chainable). */
    public void gotoTb(int slot) {
        if (slot < 0) {
            throw new IllegalArgumentException("exit slot " + slot + " is negative");
        }
        emit(Opcode.GOTO_TB, null, -1).aux = slot;
        exitSlots = Math.max(exitSlots, slot + 1);
    }

    /** Leaves without chaining. */
    public void exitTb() {
        emit(Opcode.EXIT_TB, null, -1);
    }

    // ---- memory

    /** @return the I64 loaded from guest address {@code address} */
    public int load(MemOp memOp, int address) {
        requireType(Opcode.LD, Type.I64, address);
        int out = temp(Type.I64);
        emit(Opcode.LD, Type.I64, out, address).memOp = memOp;
        return out;
    }

    /** Stores the low bytes of {@code value} at guest address {@code address}. */
    public void store(MemOp memOp, int address, int value) {
        requireType(Opcode.ST, Type.I64, address, value);
        emit(Opcode.ST, Type.I64, -1, address, value).memOp = memOp;
    }

    /** A memory barrier with {@link Barrier} bits. */
    public void barrier(int bits) {
        Barrier.fence(bits);
        emit(Opcode.MB, null, -1).aux = bits;
    }

    // ---- helpers

    /**
     * Calls {@code helper} with {@code args} (one per parameter; {@link #TEMP} ones take
     * {@code temps} in order).
     *
     * @return the result temporary, or -1 for a void helper
     */
    public int call(Helper helper, Arg[] args, int... temps) {
        Class<?>[] params = helper.method().getParameterTypes();
        if (params.length != args.length) {
            throw new IllegalArgumentException(helper + " takes " + params.length + " arguments, given " + args.length);
        }
        int next = 0;
        for (int i = 0; i < args.length; i++) {
            Class<?> p = params[i];
            switch (args[i]) {
                case Arg.Temp t -> {
                    if (next >= temps.length) {
                        throw new IllegalArgumentException(helper + ": too few temporaries for its TEMP arguments");
                    }
                    Type want = p == long.class ? Type.I64 : p == int.class ? Type.I32 : null;
                    if (want == null || types.get(temps[next]) != want) {
                        throw new IllegalArgumentException(helper + " argument " + i + " is " + p + ", given %" + temps[next] + " of " + types.get(temps[next]));
                    }
                    next++;
                }
                case Arg.State s -> {
                    if (!p.isAssignableFrom(stateClass)) {
                        throw new IllegalArgumentException(helper + " argument " + i + " is " + p.getName() + ", not the state " + stateClass.getName());
                    }
                }
                case Arg.Memory m -> {
                    if (!p.isAssignableFrom(SoftTlb.class)) {
                        throw new IllegalArgumentException(helper + " argument " + i + " is " + p.getName() + ", not a SoftTlb");
                    }
                }
                case Arg.Constant c -> {
                    if (!p.isInstance(c.value())) {
                        throw new IllegalArgumentException(helper + " argument " + i + " is " + p.getName() + ", given " + c.value());
                    }
                }
            }
        }
        if (next != temps.length) {
            throw new IllegalArgumentException(helper + ": " + (temps.length - next) + " temporaries more than TEMP arguments");
        }
        Type result = helper.resultType();
        int out = result == null ? -1 : temp(result);
        IrOp op = emit(Opcode.CALL, result, out, temps);
        op.helper = helper;
        op.args = args.clone();
        return out;
    }

    /** @return the ops as text, one a line, temporaries as %N and globals by name (the IR column of a dump) */
    public String dump() {
        StringBuilder s = new StringBuilder();
        for (IrOp op : ops) {
            String line = op.toString();
            for (int t = 0; t < types.size(); t++) {
                if (isGlobal(t)) {
                    line = line.replaceAll("%" + t + "(?![0-9])", names.get(t));
                }
            }
            s.append(op.opcode == Opcode.LABEL || op.opcode == Opcode.INSN_START ? "" : "  ").append(line).append('\n');
        }
        return s.toString();
    }
}
