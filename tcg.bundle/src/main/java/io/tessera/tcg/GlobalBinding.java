package io.tessera.tcg;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * Where a guest global (a register) lives between units: a {@code long} field of the state
 * object, or an element of a {@code long[]} field of it. A unit loads its globals into JVM
 * locals at entry and writes the ones it changed back at every exit.
 *
 * @param owner the class declaring the field
 * @param field the field's name
 * @param index the array element, or -1 for a plain {@code long} field
 */
public record GlobalBinding(Class<?> owner, String field, int index) {

    /** @return a binding to the {@code long} field {@code name} of {@code owner} */
    public static GlobalBinding field(Class<?> owner, String name) {
        check(owner, name, long.class);
        return new GlobalBinding(owner, name, -1);
    }

    /** @return a binding to element {@code index} of the {@code long[]} field {@code name} of {@code owner} */
    public static GlobalBinding arrayElement(Class<?> owner, String name, int index) {
        check(owner, name, long[].class);
        if (index < 0) {
            throw new IllegalArgumentException("array index " + index + " of " + owner.getName() + "." + name + " is negative");
        }
        return new GlobalBinding(owner, name, index);
    }

    private static void check(Class<?> owner, String name, Class<?> type) {
        Field f;
        try {
            f = owner.getField(name);
        } catch (NoSuchFieldException e) {
            throw new IllegalArgumentException(owner.getName() + " has no public field '" + name + "'", e);
        }
        if (f.getType() != type || Modifier.isStatic(f.getModifiers())) {
            throw new IllegalArgumentException(owner.getName() + "." + name + " is " + f.getType().getName()
                    + (Modifier.isStatic(f.getModifiers()) ? " (static)" : "") + "; a global needs an instance field of type " + type.getSimpleName());
        }
    }
}
