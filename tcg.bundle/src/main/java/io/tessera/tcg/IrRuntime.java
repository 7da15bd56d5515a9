package io.tessera.tcg;

/**
 * The IR's semantics of the operations the JVM has no single instruction for, in one place:
 * the optimizer folds constants with these methods and generated code calls them, so both
 * always agree. Public because generated classes call them.
 */
public final class IrRuntime {

    private IrRuntime() {
    }

    /** Signed quotient: all ones for a zero divisor, the dividend for MIN / -1. */
    public static long div64(long a, long b) {
        return b == 0 ? -1 : (a == Long.MIN_VALUE && b == -1) ? a : a / b;
    }

    /** Unsigned quotient: all ones for a zero divisor. */
    public static long divu64(long a, long b) {
        return b == 0 ? -1 : Long.divideUnsigned(a, b);
    }

    /** Signed remainder: the dividend for a zero divisor, 0 for MIN % -1. */
    public static long rem64(long a, long b) {
        return b == 0 ? a : (a == Long.MIN_VALUE && b == -1) ? 0 : a % b;
    }

    /** Unsigned remainder: the dividend for a zero divisor. */
    public static long remu64(long a, long b) {
        return b == 0 ? a : Long.remainderUnsigned(a, b);
    }

    /** 32-bit {@link #div64}. */
    public static int div32(int a, int b) {
        return b == 0 ? -1 : (a == Integer.MIN_VALUE && b == -1) ? a : a / b;
    }

    /** 32-bit {@link #divu64}. */
    public static int divu32(int a, int b) {
        return b == 0 ? -1 : Integer.divideUnsigned(a, b);
    }

    /** 32-bit {@link #rem64}. */
    public static int rem32(int a, int b) {
        return b == 0 ? a : (a == Integer.MIN_VALUE && b == -1) ? 0 : a % b;
    }

    /** 32-bit {@link #remu64}. */
    public static int remu32(int a, int b) {
        return b == 0 ? a : Integer.remainderUnsigned(a, b);
    }

    /**
     * Evaluates a pure op on constant inputs, as generated code computes it.
     *
     * @return the result, normalized to the op's output type
     * @throws IllegalArgumentException for an op that is not pure arithmetic
     */
    public static long evaluate(Opcode opcode, Type type, Cond cond, long[] in) {
        boolean w = type == Type.I32;
        long a = in.length > 0 ? in[0] : 0;
        long b = in.length > 1 ? in[1] : 0;
        long r = switch (opcode) {
            case MOV -> a;
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case MULSH -> Math.multiplyHigh(a, b);
            case MULUH -> Math.unsignedMultiplyHigh(a, b);
            case DIV -> w ? div32((int) a, (int) b) : div64(a, b);
            case DIVU -> w ? divu32((int) a, (int) b) : divu64(a, b);
            case REM -> w ? rem32((int) a, (int) b) : rem64(a, b);
            case REMU -> w ? remu32((int) a, (int) b) : remu64(a, b);
            case AND -> a & b;
            case OR -> a | b;
            case XOR -> a ^ b;
            case ANDC -> a & ~b;
            case ORC -> a | ~b;
            case SHL -> w ? (int) a << b : a << b;
            case SHR -> w ? (int) a >>> b : a >>> b;
            case SAR -> w ? (int) a >> b : a >> b;
            case ROTL -> w ? Integer.rotateLeft((int) a, (int) b) : Long.rotateLeft(a, (int) b);
            case ROTR -> w ? Integer.rotateRight((int) a, (int) b) : Long.rotateRight(a, (int) b);
            case NEG -> -a;
            case NOT -> ~a;
            case CLZ -> w ? Integer.numberOfLeadingZeros((int) a) : Long.numberOfLeadingZeros(a);
            case CTZ -> w ? Integer.numberOfTrailingZeros((int) a) : Long.numberOfTrailingZeros(a);
            case CTPOP -> w ? Integer.bitCount((int) a) : Long.bitCount(a);
            case BSWAP -> w ? Integer.reverseBytes((int) a) : Long.reverseBytes(a);
            case EXT8S -> (byte) a;
            case EXT16S -> (short) a;
            case EXT32S -> (int) a;
            case EXT8U -> a & 0xff;
            case EXT16U -> a & 0xffff;
            case EXT32U -> a & 0xffff_ffffL;
            case EXTS_I32_I64 -> (int) a;
            case EXTU_I32_I64 -> a & 0xffff_ffffL;
            case TRUNC_I64_I32 -> (int) a;
            case SETCOND -> cond.test(type, a, b) ? 1 : 0;
            case MOVCOND -> cond.test(type, a, b) ? in[2] : in[3];
            default -> throw new IllegalArgumentException(opcode + " is not pure arithmetic");
        };
        Type out = opcode == Opcode.TRUNC_I64_I32 ? Type.I32 : opcode == Opcode.EXTS_I32_I64 || opcode == Opcode.EXTU_I32_I64 ? Type.I64 : type;
        return out.normalize(r);
    }
}
