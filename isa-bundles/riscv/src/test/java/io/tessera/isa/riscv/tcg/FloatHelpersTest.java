package io.tessera.isa.riscv.tcg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.isa.riscv.Csr;
import io.tessera.isa.riscv.GuestFault;
import io.tessera.isa.riscv.Insn;
import io.tessera.isa.riscv.Interpreter;
import io.tessera.isa.riscv.Op;
import io.tessera.isa.riscv.RiscvHart;
import io.tessera.isa.riscv.fp.FpFlags;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The host-arithmetic helpers give exactly what the interpreter gives: the same result bits,
 * the same fflags and mstatus after, the same fault, for operands near every edge (zeros,
 * subnormals, the smallest normals, huge values, infinities, NaNs signaling and quiet, singles
 * not NaN-boxed), every rounding mode static and dynamic, with NX set before and not, FS
 * Dirty and not.
 */
class FloatHelpersTest {

    private static final Op[] RESULT_OPS = {Op.FADD_D, Op.FSUB_D, Op.FMUL_D, Op.FDIV_D, Op.FSQRT_D, Op.FMADD_D, Op.FMSUB_D,
        Op.FNMSUB_D, Op.FNMADD_D, Op.FADD_S, Op.FSUB_S, Op.FMUL_S, Op.FDIV_S, Op.FSQRT_S, Op.FMADD_S, Op.FMSUB_S, Op.FNMSUB_S,
        Op.FNMADD_S};
    private static final Op[] COMPARE_OPS = {Op.FEQ_D, Op.FLT_D, Op.FLE_D, Op.FEQ_S, Op.FLT_S, Op.FLE_S};

    private static boolean single(Op op) {
        return op.name().endsWith("_S");
    }

    /** A double near an edge half the time, random bits otherwise. */
    private static long doubleOperand(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> r.nextLong();
            case 1 -> r.nextBoolean() ? 0 : Long.MIN_VALUE;
            case 2 -> r.nextLong() & 0x800f_ffff_ffff_ffffL; // subnormal (or zero)
            case 3 -> (r.nextLong() & 0x800f_ffff_ffff_ffffL) | ((long) (1 + r.nextInt(60)) << 52); // tiny normals
            case 4 -> (r.nextLong() & 0x800f_ffff_ffff_ffffL) | ((long) (0x7fe - r.nextInt(60)) << 52); // huge
            case 5 -> (r.nextLong() & 0x800f_ffff_ffff_ffffL) | 0x7ff0_0000_0000_0000L; // infinities and NaNs
            default -> Double.doubleToRawLongBits((r.nextDouble() - 0.5) * Math.scalb(1.0, r.nextInt(40) - 20));
        };
    }

    /** A NaN-boxed single near an edge, random bits otherwise, and now and then a value that is not boxed. */
    private static long singleOperand(SplittableRandom r) {
        int bits = switch (r.nextInt(8)) {
            case 0 -> r.nextInt();
            case 1 -> r.nextBoolean() ? 0 : Integer.MIN_VALUE;
            case 2 -> r.nextInt() & 0x807f_ffff;
            case 3 -> (r.nextInt() & 0x807f_ffff) | (1 + r.nextInt(20)) << 23;
            case 4 -> (r.nextInt() & 0x807f_ffff) | (0xfe - r.nextInt(20)) << 23;
            case 5 -> (r.nextInt() & 0x807f_ffff) | 0x7f80_0000;
            default -> Float.floatToRawIntBits((float) ((r.nextDouble() - 0.5) * Math.scalb(1.0, r.nextInt(40) - 20)));
        };
        long boxed = 0xffff_ffff_0000_0000L | bits & 0xffff_ffffL;
        return r.nextInt(50) == 0 ? boxed ^ 1L << (32 + r.nextInt(32)) : boxed;
    }

    private record Outcome(long value, int flags, long mstatus, String fault) {
    }

    @FunctionalInterface
    private interface Operation {
        long apply(RiscvHart hart);
    }

    private static Outcome run(RiscvHart hart, Operation operation) {
        try {
            long value = operation.apply(hart);
            return new Outcome(value, hart.fflags.get(), hart.mstatus, null);
        } catch (GuestFault fault) {
            return new Outcome(0, hart.fflags.get(), hart.mstatus, fault.cause() + "/" + fault.tval());
        }
    }

    private static RiscvHart hart(SplittableRandom r, int frm) {
        RiscvHart hart = new RiscvHart(0, null);
        hart.frm = frm;
        hart.fflags.set(r.nextInt(3) == 0 ? 0 : r.nextInt(32) | FpFlags.NX);
        // FS Off (a fault), Initial, Clean, and most often Dirty.
        hart.mstatus = r.nextInt(8) == 0 ? (long) r.nextInt(4) << 13 & Csr.MSTATUS_FS : Csr.MSTATUS_FS;
        return hart;
    }

    private static Insn insn(Op op, int rm) {
        return new Insn(op, 1, 2, 3, rm, 4, 0);
    }

    @Test
    void resultsAndFlagsAreTheInterpreters() {
        SplittableRandom r = new SplittableRandom(20261122);
        int hostResults = 0;
        for (int i = 0; i < 400_000; i++) {
            Op op = RESULT_OPS[r.nextInt(RESULT_OPS.length)];
            boolean single = single(op);
            long a = single ? singleOperand(r) : doubleOperand(r);
            long b = single ? singleOperand(r) : doubleOperand(r);
            long c = single ? singleOperand(r) : doubleOperand(r);
            if (r.nextInt(4) == 0) {
                b = a ^ Long.MIN_VALUE; // x + -x, x / -x, x * -x
            }
            int rm = r.nextInt(4) == 0 ? r.nextInt(8) : r.nextBoolean() ? 0 : 7;
            int frm = r.nextInt(4) == 0 ? r.nextInt(8) : 0;
            Insn insn = insn(op, rm);
            io.tessera.tcg.Helper helper = TcgHelpers.hostFloat(insn);
            if (helper == null) {
                continue;
            }
            long seed = r.nextLong();
            RiscvHart reference = hart(new SplittableRandom(seed), frm);
            RiscvHart translated = hart(new SplittableRandom(seed), frm);
            final long fa = a;
            final long fb = b;
            Outcome expected = run(reference, h -> Interpreter.floatResult(h, insn, 0, fa, fb, c));
            Outcome actual = run(translated, h -> {
                try {
                    Object[] args = switch (helper.method().getParameterCount()) {
                        case 3 -> new Object[] {h, insn, fa};
                        case 4 -> new Object[] {h, insn, fa, fb};
                        default -> new Object[] {h, insn, fa, fb, c};
                    };
                    return (long) helper.method().invoke(null, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw (RuntimeException) e.getCause();
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(expected, actual, () -> String.format("%s rm %d frm %d of %016x %016x %016x", op, rm, frm, fa, fb, c));
            hostResults++;
        }
        assertEquals(true, hostResults > 100_000, "operations compared: " + hostResults);
    }

    @Test
    void comparisonsAreTheInterpreters() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            Op op = COMPARE_OPS[r.nextInt(COMPARE_OPS.length)];
            boolean single = single(op);
            long a = single ? singleOperand(r) : doubleOperand(r);
            long b = r.nextInt(4) == 0 ? a : single ? singleOperand(r) : doubleOperand(r);
            Insn insn = insn(op, 0);
            long seed = r.nextLong();
            RiscvHart reference = hart(new SplittableRandom(seed), 0);
            RiscvHart translated = hart(new SplittableRandom(seed), 0);
            Outcome expected = run(reference, h -> Interpreter.floatToInteger(h, insn, a, b));
            Outcome actual = run(translated, h -> FloatHelpers.compare(h, insn, a, b));
            assertEquals(expected, actual, () -> String.format("%s of %016x %016x", op, a, b));
        }
    }
}
