package io.tessera.isa.riscv.fp;

/** {@link Fp32} against the exact reference on random operands, every operation and mode. */
class Fp32RandomTest extends RandomOpsTestBase {

    @Override
    RefFp ref() {
        return RefFp.S;
    }

    @Override
    RefFp other() {
        return RefFp.D;
    }

    @Override
    long seedOffset() {
        return 32;
    }

    private static long u(int v) {
        return v & 0xffff_ffffL;
    }

    @Override
    Impl impl() {
        return new Impl() {
            @Override
            public long add(long a, long b, int rm, FpFlags f) {
                return u(Fp32.add((int) a, (int) b, rm, f));
            }

            @Override
            public long sub(long a, long b, int rm, FpFlags f) {
                return u(Fp32.sub((int) a, (int) b, rm, f));
            }

            @Override
            public long mul(long a, long b, int rm, FpFlags f) {
                return u(Fp32.mul((int) a, (int) b, rm, f));
            }

            @Override
            public long div(long a, long b, int rm, FpFlags f) {
                return u(Fp32.div((int) a, (int) b, rm, f));
            }

            @Override
            public long sqrt(long a, int rm, FpFlags f) {
                return u(Fp32.sqrt((int) a, rm, f));
            }

            @Override
            public long fma(int kind, long a, long b, long c, int rm, FpFlags f) {
                return u(switch (kind) {
                    case 0 -> Fp32.fmadd((int) a, (int) b, (int) c, rm, f);
                    case 1 -> Fp32.fmsub((int) a, (int) b, (int) c, rm, f);
                    case 2 -> Fp32.fnmsub((int) a, (int) b, (int) c, rm, f);
                    default -> Fp32.fnmadd((int) a, (int) b, (int) c, rm, f);
                });
            }

            @Override
            public long min(long a, long b, FpFlags f) {
                return u(Fp32.min((int) a, (int) b, f));
            }

            @Override
            public long max(long a, long b, FpFlags f) {
                return u(Fp32.max((int) a, (int) b, f));
            }

            @Override
            public int cmp(int kind, long a, long b, FpFlags f) {
                return switch (kind) {
                    case 0 -> Fp32.eq((int) a, (int) b, f);
                    case 1 -> Fp32.lt((int) a, (int) b, f);
                    default -> Fp32.le((int) a, (int) b, f);
                };
            }

            @Override
            public int classify(long a) {
                return Fp32.classify((int) a);
            }

            @Override
            public long toInt(int kind, long a, int rm, FpFlags f) {
                return switch (kind) {
                    case 0 -> Fp32.toInt32((int) a, rm, f);
                    case 1 -> Fp32.toUint32((int) a, rm, f);
                    case 2 -> Fp32.toInt64((int) a, rm, f);
                    default -> Fp32.toUint64((int) a, rm, f);
                };
            }

            @Override
            public long fromInt(int kind, long v, int rm, FpFlags f) {
                return u(switch (kind) {
                    case 0 -> Fp32.fromInt32((int) v, rm, f);
                    case 1 -> Fp32.fromUint32((int) v, rm, f);
                    case 2 -> Fp32.fromInt64(v, rm, f);
                    default -> Fp32.fromUint64(v, rm, f);
                });
            }

            @Override
            public long convert(long a, int rm, FpFlags f) {
                return Fp32.toFp64((int) a, f);
            }

            @Override
            public long hostProduct(long a, long b) {
                return u(Float.floatToRawIntBits(Float.intBitsToFloat((int) a) * Float.intBitsToFloat((int) b)));
            }
        };
    }
}
