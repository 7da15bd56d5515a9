package io.tessera.tcg;

/** A branch target inside one unit; placed once with {@link IrUnit#label(Label)}. */
public final class Label {
    final int id;

    Label(int id) {
        this.id = id;
    }

    /** @return its number in its unit */
    public int id() {
        return id;
    }

    @Override
    public String toString() {
        return "L" + id;
    }
}
