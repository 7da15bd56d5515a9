package io.tessera.core.block;

/** What {@link BlockNode#check} may repair, as {@code qemu-img check -r}. */
public enum BlockRepair {
    /** Only report. */
    NONE,
    /** Repair leaks (free unreferenced space). */
    LEAKS,
    /** Repair leaks and errors. */
    ALL
}
