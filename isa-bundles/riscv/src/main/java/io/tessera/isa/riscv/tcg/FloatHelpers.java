package io.tessera.isa.riscv.tcg;

import io.tessera.isa.riscv.Csr;
import io.tessera.isa.riscv.Insn;
import io.tessera.isa.riscv.Interpreter;
import io.tessera.isa.riscv.RiscvHart;
import io.tessera.isa.riscv.fp.FpFlags;

/**
 * Floating-point arithmetic for translated code, on the host's IEEE 754 doubles and floats
 * where that is exact, else the interpreter's own arithmetic ({@link Interpreter#floatResult}).
 *
 * <p>The host computes the same result as RISC-V's round-to-nearest-even for every operation
 * here; what it does not give is the flags. So the host's result is taken only when it cannot
 * change fflags: the rounding mode is RNE (static, or dynamic with frm RNE), mstatus.FS is
 * Dirty already, NX is set already (it is sticky, and numerical code sets it on its first
 * inexact operation), and the result is finite and normal, strictly above the smallest normal
 * (so no overflow, no underflow with tininess after rounding, no invalid operation, no
 * division by zero: each of those gives an infinite, NaN, zero or tiny result). Everything
 * else, and the first inexact operation, goes through the interpreter, which raises the flags.
 * Singles must be properly NaN-boxed for the host path (an unboxed operand is the canonical
 * NaN, whose result is never normal).
 */
public final class FloatHelpers {

    private static final long BOXED = 0xffff_ffff_0000_0000L;

    private FloatHelpers() {
    }

    /** Whether an operation of {@code insn} may take the host's result when it is normal. */
    private static boolean hostRounding(RiscvHart hart, Insn insn) {
        int rm = (int) insn.imm();
        return (hart.fflags.get() & FpFlags.NX) != 0 && (hart.mstatus & Csr.MSTATUS_FS) == Csr.MSTATUS_FS
                && (rm == 0 || rm == 7 && hart.frm == 0);
    }

    private static boolean normal(double r) {
        double m = Math.abs(r);
        return m > Double.MIN_NORMAL && m <= Double.MAX_VALUE;
    }

    private static boolean normal(float r) {
        float m = Math.abs(r);
        return m > Float.MIN_NORMAL && m <= Float.MAX_VALUE;
    }

    private static double d(long bits) {
        return Double.longBitsToDouble(bits);
    }

    /** The single in a NaN-boxed register value; a value that is not boxed gives a NaN (then the slow path). */
    private static float s(long bits) {
        return (bits & BOXED) == BOXED ? Float.intBitsToFloat((int) bits) : Float.NaN;
    }

    private static long box(float r) {
        return BOXED | Float.floatToRawIntBits(r) & 0xffff_ffffL;
    }

    private static long slow(RiscvHart hart, Insn insn, long a, long b, long c) {
        return Interpreter.floatResult(hart, insn, 0, a, b, c);
    }

    /** fadd.d */
    public static long addD(RiscvHart hart, Insn insn, long a, long b) {
        double r = d(a) + d(b);
        // An exact zero (x + -x) is exact in every mode's sign rule that RNE shares with the host.
        return hostRounding(hart, insn) && (normal(r) || r == 0) ? Double.doubleToRawLongBits(r) : slow(hart, insn, a, b, 0);
    }

    /** fsub.d */
    public static long subD(RiscvHart hart, Insn insn, long a, long b) {
        double r = d(a) - d(b);
        return hostRounding(hart, insn) && (normal(r) || r == 0) ? Double.doubleToRawLongBits(r) : slow(hart, insn, a, b, 0);
    }

    /** fmul.d */
    public static long mulD(RiscvHart hart, Insn insn, long a, long b) {
        double r = d(a) * d(b);
        return hostRounding(hart, insn) && normal(r) ? Double.doubleToRawLongBits(r) : slow(hart, insn, a, b, 0);
    }

    /** fdiv.d */
    public static long divD(RiscvHart hart, Insn insn, long a, long b) {
        double r = d(a) / d(b);
        return hostRounding(hart, insn) && normal(r) ? Double.doubleToRawLongBits(r) : slow(hart, insn, a, b, 0);
    }

    /** fsqrt.d */
    public static long sqrtD(RiscvHart hart, Insn insn, long a) {
        double r = Math.sqrt(d(a));
        return hostRounding(hart, insn) && normal(r) ? Double.doubleToRawLongBits(r) : slow(hart, insn, a, 0, 0);
    }

    /**
     * fmadd.d, fmsub.d, fnmsub.d, fnmadd.d: {@code ±(a × b) ± c} with one rounding (negating an
     * operand is exact).
     */
    public static long fusedD(RiscvHart hart, Insn insn, long a, long b, long c) {
        double x = d(a);
        double z = d(c);
        double r = switch (insn.op()) {
            case FMADD_D -> Math.fma(x, d(b), z);
            case FMSUB_D -> Math.fma(x, d(b), -z);
            case FNMSUB_D -> Math.fma(-x, d(b), z);
            default -> Math.fma(-x, d(b), -z);
        };
        return hostRounding(hart, insn) && normal(r) ? Double.doubleToRawLongBits(r) : slow(hart, insn, a, b, c);
    }

    /** fadd.s */
    public static long addS(RiscvHart hart, Insn insn, long a, long b) {
        float r = s(a) + s(b);
        return hostRounding(hart, insn) && (normal(r) || r == 0) ? box(r) : slow(hart, insn, a, b, 0);
    }

    /** fsub.s */
    public static long subS(RiscvHart hart, Insn insn, long a, long b) {
        float r = s(a) - s(b);
        return hostRounding(hart, insn) && (normal(r) || r == 0) ? box(r) : slow(hart, insn, a, b, 0);
    }

    /** fmul.s */
    public static long mulS(RiscvHart hart, Insn insn, long a, long b) {
        float r = s(a) * s(b);
        return hostRounding(hart, insn) && normal(r) ? box(r) : slow(hart, insn, a, b, 0);
    }

    /** fdiv.s */
    public static long divS(RiscvHart hart, Insn insn, long a, long b) {
        float r = s(a) / s(b);
        return hostRounding(hart, insn) && normal(r) ? box(r) : slow(hart, insn, a, b, 0);
    }

    /** fsqrt.s: the double square root rounded to single is the single square root (53 bits > 2 × 24 + 2). */
    public static long sqrtS(RiscvHart hart, Insn insn, long a) {
        float r = (float) Math.sqrt(s(a));
        return hostRounding(hart, insn) && normal(r) ? box(r) : slow(hart, insn, a, 0, 0);
    }

    /** fmadd.s, fmsub.s, fnmsub.s, fnmadd.s. */
    public static long fusedS(RiscvHart hart, Insn insn, long a, long b, long c) {
        float x = s(a);
        float z = s(c);
        float r = switch (insn.op()) {
            case FMADD_S -> Math.fma(x, s(b), z);
            case FMSUB_S -> Math.fma(x, s(b), -z);
            case FNMSUB_S -> Math.fma(-x, s(b), z);
            default -> Math.fma(-x, s(b), -z);
        };
        return hostRounding(hart, insn) && normal(r) ? box(r) : slow(hart, insn, a, b, c);
    }

    /**
     * feq, flt, fle (.s and .d): with no NaN operand the host compares as RISC-V does and no
     * flag is raised; a NaN (signaling or not: flt and fle raise NV for both) goes through the
     * interpreter.
     */
    public static long compare(RiscvHart hart, Insn insn, long a, long b) {
        if ((hart.mstatus & Csr.MSTATUS_FS) == Csr.MSTATUS_FS) {
            boolean single = switch (insn.op()) {
                case FEQ_S, FLT_S, FLE_S -> true;
                default -> false;
            };
            double x = single ? s(a) : d(a);
            double y = single ? s(b) : d(b);
            if (x == x && y == y) {
                boolean r = switch (insn.op()) {
                    case FEQ_S, FEQ_D -> x == y;
                    case FLT_S, FLT_D -> x < y;
                    default -> x <= y;
                };
                return r ? 1 : 0;
            }
        }
        return Interpreter.floatToInteger(hart, insn, a, b);
    }
}
