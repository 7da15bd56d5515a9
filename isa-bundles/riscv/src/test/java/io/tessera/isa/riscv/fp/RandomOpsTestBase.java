package io.tessera.isa.riscv.fp;

import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compares every operation of one format, in every rounding mode, with the exact reference
 * {@link RefFp} on random operands from {@link FpGen}: result bits and flags must match exactly.
 * The number of cases per operation is {@code tessera.fp.cases} (each run in all five modes).
 */
abstract class RandomOpsTestBase {

    /** One format's operations, with encodings carried in longs (binary32 in the low 32 bits). */
    interface Impl {
        long add(long a, long b, int rm, FpFlags f);

        long sub(long a, long b, int rm, FpFlags f);

        long mul(long a, long b, int rm, FpFlags f);

        long div(long a, long b, int rm, FpFlags f);

        long sqrt(long a, int rm, FpFlags f);

        /** kind 0 fmadd, 1 fmsub, 2 fnmsub, 3 fnmadd. */
        long fma(int kind, long a, long b, long c, int rm, FpFlags f);

        long min(long a, long b, FpFlags f);

        long max(long a, long b, FpFlags f);

        /** kind 0 eq, 1 lt, 2 le. */
        int cmp(int kind, long a, long b, FpFlags f);

        int classify(long a);

        /** kind 0 w, 1 wu, 2 l, 3 lu. */
        long toInt(int kind, long a, int rm, FpFlags f);

        /** kind 0 w, 1 wu, 2 l, 3 lu. */
        long fromInt(int kind, long v, int rm, FpFlags f);

        /** To the other format. */
        long convert(long a, int rm, FpFlags f);

        /** The host's round-to-nearest product, to aim fma addends. */
        long hostProduct(long a, long b);
    }

    abstract RefFp ref();

    abstract RefFp other();

    abstract Impl impl();

    abstract long seedOffset();

    static final int CASES = FpGen.cases(3000);

    private final List<String> failures = new ArrayList<>();
    private int failureCount;
    private long checks;

    FpGen gen(int op) {
        return new FpGen(ref(), FpGen.seed() + seedOffset() * 1000 + op);
    }

    private void check(String what, long expectedBits, int expectedFlags, long bits, int flags) {
        checks++;
        if (expectedBits != bits || expectedFlags != flags) {
            failureCount++;
            if (failures.size() < 12) {
                failures.add(String.format("%s: expected %x %s, got %x %s", what, expectedBits,
                        FpFlags.toString(expectedFlags), bits, FpFlags.toString(flags)));
            }
        }
    }

    private void check(String what, RefFp.Res expected, long bits, int flags) {
        check(what, expected.bits(), expected.flags(), bits, flags);
    }

    private void done(String op) {
        if (failureCount > 0) {
            fail(op + ": " + failureCount + " of " + checks + " checks failed:\n" + String.join("\n", failures));
        }
        if (checks < CASES) {
            fail(op + ": only " + checks + " checks");
        }
    }

    private static String hex(long v) {
        return Long.toHexString(v);
    }

    // ------------------------------------------------------------------ arithmetic

    @Test
    void add() {
        FpGen g = gen(1);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        for (int i = 0; i < CASES; i++) {
            long a = g.next();
            long b = g.addend(a);
            if (g.rnd.nextBoolean()) {
                long t = a;
                a = b;
                b = t;
            }
            for (int rm = 0; rm < 5; rm++) {
                f.clear();
                long res = impl().add(a, b, rm, f);
                check("add " + hex(a) + " " + hex(b) + " rm" + rm, r.add(a, b, rm), res, f.get());
            }
        }
        done("add");
    }

    @Test
    void sub() {
        FpGen g = gen(2);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        for (int i = 0; i < CASES; i++) {
            long a = g.next();
            long b = g.addend(a) ^ r.signBit;
            for (int rm = 0; rm < 5; rm++) {
                f.clear();
                long res = impl().sub(a, b, rm, f);
                check("sub " + hex(a) + " " + hex(b) + " rm" + rm, r.sub(a, b, rm), res, f.get());
            }
        }
        done("sub");
    }

    @Test
    void mul() {
        FpGen g = gen(3);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        for (int i = 0; i < CASES; i++) {
            long a = g.next();
            long b = g.factor(a);
            for (int rm = 0; rm < 5; rm++) {
                f.clear();
                long res = impl().mul(a, b, rm, f);
                check("mul " + hex(a) + " " + hex(b) + " rm" + rm, r.mul(a, b, rm), res, f.get());
            }
        }
        done("mul");
    }

    @Test
    void div() {
        FpGen g = gen(4);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        for (int i = 0; i < CASES; i++) {
            long a = g.next();
            long b = g.divisor(a);
            for (int rm = 0; rm < 5; rm++) {
                f.clear();
                long res = impl().div(a, b, rm, f);
                check("div " + hex(a) + " " + hex(b) + " rm" + rm, r.div(a, b, rm), res, f.get());
            }
        }
        done("div");
    }

    @Test
    void sqrt() {
        FpGen g = gen(5);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        for (int i = 0; i < CASES; i++) {
            long a = g.next();
            if (g.rnd.nextInt(4) != 0) {
                a &= ~r.signBit;                       // mostly positive operands
            }
            if (g.rnd.nextInt(4) == 0) {
                // a perfect square or a square's neighbour
                long m = g.moderate(r.bias / 2);
                FpFlags ignore = new FpFlags();
                a = impl().mul(m, m, 0, ignore) & ~r.signBit;
                int d = g.rnd.nextInt(3) - 1;
                a += d;
            }
            for (int rm = 0; rm < 5; rm++) {
                f.clear();
                long res = impl().sqrt(a, rm, f);
                check("sqrt " + hex(a) + " rm" + rm, r.sqrt(a, rm), res, f.get());
            }
        }
        done("sqrt");
    }

    private void fmaKind(int kind) {
        FpGen g = gen(10 + kind);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        boolean negProduct = kind >= 2;
        boolean negAddend = kind == 1 || kind == 3;
        for (int i = 0; i < CASES; i++) {
            long a = g.next();
            long b = g.rnd.nextBoolean() ? g.factor(a) : g.next();
            long product = impl().hostProduct(a, b);
            if (negProduct) {
                product ^= r.signBit;
            }
            long c = g.fmaAddend(a, b, product);
            if (negAddend) {
                c ^= r.signBit;                        // aim the addend at the computed sum
            }
            for (int rm = 0; rm < 5; rm++) {
                f.clear();
                long res = impl().fma(kind, a, b, c, rm, f);
                check("fma" + kind + " " + hex(a) + " " + hex(b) + " " + hex(c) + " rm" + rm,
                        r.fma(a, b, c, negProduct, negAddend, rm), res, f.get());
            }
        }
        done("fma" + kind);
    }

    @Test
    void fmadd() {
        fmaKind(0);
    }

    @Test
    void fmsub() {
        fmaKind(1);
    }

    @Test
    void fnmsub() {
        fmaKind(2);
    }

    @Test
    void fnmadd() {
        fmaKind(3);
    }

    /** fma with moderate operands only, where the product and addend overlap (the integer path's alignment). */
    @Test
    void fmaOverlapping() {
        FpGen g = gen(20);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        for (int i = 0; i < CASES; i++) {
            long a = g.moderate(8);
            long b = g.moderate(8);
            long c = g.fmaAddend(a, b, impl().hostProduct(a, b));
            for (int rm = 0; rm < 5; rm++) {
                f.clear();
                long res = impl().fma(0, a, b, c, rm, f);
                check("fmadd " + hex(a) + " " + hex(b) + " " + hex(c) + " rm" + rm,
                        r.fma(a, b, c, false, false, rm), res, f.get());
            }
        }
        done("fmaOverlapping");
    }

    // ------------------------------------------------------------------ min, max, compare, classify

    @Test
    void minMaxCompareClassify() {
        FpGen g = gen(30);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        for (int i = 0; i < CASES * 2; i++) {
            long a = g.next();
            long b = switch (g.rnd.nextInt(4)) {
                case 0 -> a;
                case 1 -> a ^ r.signBit;
                case 2 -> g.addend(a);
                default -> g.next();
            };
            f.clear();
            long res = impl().min(a, b, f);
            check("min " + hex(a) + " " + hex(b), r.minMax(a, b, false), res, f.get());
            f.clear();
            res = impl().max(a, b, f);
            check("max " + hex(a) + " " + hex(b), r.minMax(a, b, true), res, f.get());
            for (int k = 0; k < 3; k++) {
                f.clear();
                int c = impl().cmp(k, a, b, f);
                check("cmp" + k + " " + hex(a) + " " + hex(b), r.cmp(a, b, k), c, f.get());
            }
            check("classify " + hex(a), r.classify(a), 0, impl().classify(a), 0);
        }
        done("minMaxCompareClassify");
    }

    // ------------------------------------------------------------------ conversions

    @Test
    void toInteger() {
        FpGen g = gen(40);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        int[] widths = {32, 32, 64, 64};
        for (int i = 0; i < CASES; i++) {
            long a = g.rnd.nextBoolean() ? g.nearInteger() : g.next();
            for (int kind = 0; kind < 4; kind++) {
                for (int rm = 0; rm < 5; rm++) {
                    f.clear();
                    long res = impl().toInt(kind, a, rm, f);
                    check("toInt" + kind + " " + hex(a) + " rm" + rm,
                            r.toInt(a, widths[kind], kind % 2 == 0, rm), res, f.get());
                }
            }
        }
        done("toInteger");
    }

    @Test
    void fromInteger() {
        FpGen g = gen(41);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        for (int i = 0; i < CASES; i++) {
            long v = g.integer();
            if (g.rnd.nextInt(3) == 0) {
                v = (int) v;
            }
            for (int kind = 0; kind < 4; kind++) {
                BigInteger exact = switch (kind) {
                    case 0 -> BigInteger.valueOf((int) v);
                    case 1 -> BigInteger.valueOf(v & 0xffff_ffffL);
                    case 2 -> BigInteger.valueOf(v);
                    default -> new BigInteger(Long.toUnsignedString(v));
                };
                for (int rm = 0; rm < 5; rm++) {
                    f.clear();
                    long res = impl().fromInt(kind, v, rm, f);
                    check("fromInt" + kind + " " + hex(v) + " rm" + rm, r.fromInt(exact, rm), res, f.get());
                }
            }
        }
        done("fromInteger");
    }

    @Test
    void convertFormat() {
        FpGen g = gen(42);
        RefFp r = ref();
        FpFlags f = new FpFlags();
        for (int i = 0; i < CASES; i++) {
            long a = g.next();
            for (int rm = 0; rm < 5; rm++) {
                f.clear();
                long res = impl().convert(a, rm, f);
                check("convert " + hex(a) + " rm" + rm, r.convert(a, other(), rm), res, f.get());
            }
        }
        done("convertFormat");
    }
}
