package io.tessera.isa.riscv.fp;

/** {@link Fp64} against the exact reference on random operands, every operation and mode. */
class Fp64RandomTest extends RandomOpsTestBase {

    @Override
    RefFp ref() {
        return RefFp.D;
    }

    @Override
    RefFp other() {
        return RefFp.S;
    }

    @Override
    long seedOffset() {
        return 64;
    }

    @Override
    Impl impl() {
        return new Impl() {
            @Override
            public long add(long a, long b, int rm, FpFlags f) {
                return Fp64.add(a, b, rm, f);
            }

            @Override
            public long sub(long a, long b, int rm, FpFlags f) {
                return Fp64.sub(a, b, rm, f);
            }

            @Override
            public long mul(long a, long b, int rm, FpFlags f) {
                return Fp64.mul(a, b, rm, f);
            }

            @Override
            public long div(long a, long b, int rm, FpFlags f) {
                return Fp64.div(a, b, rm, f);
            }

            @Override
            public long sqrt(long a, int rm, FpFlags f) {
                return Fp64.sqrt(a, rm, f);
            }

            @Override
            public long fma(int kind, long a, long b, long c, int rm, FpFlags f) {
                return switch (kind) {
                    case 0 -> Fp64.fmadd(a, b, c, rm, f);
                    case 1 -> Fp64.fmsub(a, b, c, rm, f);
                    case 2 -> Fp64.fnmsub(a, b, c, rm, f);
                    default -> Fp64.fnmadd(a, b, c, rm, f);
                };
            }

            @Override
            public long min(long a, long b, FpFlags f) {
                return Fp64.min(a, b, f);
            }

            @Override
            public long max(long a, long b, FpFlags f) {
                return Fp64.max(a, b, f);
            }

            @Override
            public int cmp(int kind, long a, long b, FpFlags f) {
                return switch (kind) {
                    case 0 -> Fp64.eq(a, b, f);
                    case 1 -> Fp64.lt(a, b, f);
                    default -> Fp64.le(a, b, f);
                };
            }

            @Override
            public int classify(long a) {
                return Fp64.classify(a);
            }

            @Override
            public long toInt(int kind, long a, int rm, FpFlags f) {
                return switch (kind) {
                    case 0 -> Fp64.toInt32(a, rm, f);
                    case 1 -> Fp64.toUint32(a, rm, f);
                    case 2 -> Fp64.toInt64(a, rm, f);
                    default -> Fp64.toUint64(a, rm, f);
                };
            }

            @Override
            public long fromInt(int kind, long v, int rm, FpFlags f) {
                return switch (kind) {
                    case 0 -> Fp64.fromInt32((int) v);
                    case 1 -> Fp64.fromUint32((int) v);
                    case 2 -> Fp64.fromInt64(v, rm, f);
                    default -> Fp64.fromUint64(v, rm, f);
                };
            }

            @Override
            public long convert(long a, int rm, FpFlags f) {
                return Fp64.toFp32(a, rm, f) & 0xffff_ffffL;
            }

            @Override
            public long hostProduct(long a, long b) {
                return Double.doubleToRawLongBits(Double.longBitsToDouble(a) * Double.longBitsToDouble(b));
            }
        };
    }
}
