package io.tessera.tcg;

/** Comparison conditions of setcond, movcond and brcond; the U ones compare unsigned. */
public enum Cond {
    EQ, NE, LT, GE, LE, GT, LTU, GEU, LEU, GTU;

    /** @return whether {@code a cond b} holds at the given width */
    public boolean test(Type type, long a, long b) {
        if (type == Type.I32) {
            int x = (int) a;
            int y = (int) b;
            return switch (this) {
                case EQ -> x == y;
                case NE -> x != y;
                case LT -> x < y;
                case GE -> x >= y;
                case LE -> x <= y;
                case GT -> x > y;
                case LTU -> Integer.compareUnsigned(x, y) < 0;
                case GEU -> Integer.compareUnsigned(x, y) >= 0;
                case LEU -> Integer.compareUnsigned(x, y) <= 0;
                case GTU -> Integer.compareUnsigned(x, y) > 0;
            };
        }
        return switch (this) {
            case EQ -> a == b;
            case NE -> a != b;
            case LT -> a < b;
            case GE -> a >= b;
            case LE -> a <= b;
            case GT -> a > b;
            case LTU -> Long.compareUnsigned(a, b) < 0;
            case GEU -> Long.compareUnsigned(a, b) >= 0;
            case LEU -> Long.compareUnsigned(a, b) <= 0;
            case GTU -> Long.compareUnsigned(a, b) > 0;
        };
    }

    /** @return the condition that holds exactly when this one does not */
    public Cond invert() {
        return switch (this) {
            case EQ -> NE;
            case NE -> EQ;
            case LT -> GE;
            case GE -> LT;
            case LE -> GT;
            case GT -> LE;
            case LTU -> GEU;
            case GEU -> LTU;
            case LEU -> GTU;
            case GTU -> LEU;
        };
    }

    /** @return whether this compares unsigned */
    public boolean unsigned() {
        return this == LTU || this == GEU || this == LEU || this == GTU;
    }
}
