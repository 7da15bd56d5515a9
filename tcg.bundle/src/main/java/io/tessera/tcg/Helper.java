package io.tessera.tcg;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * A static method generated code may call (the CALL op), for what is not worth IR: rare or
 * complex guest operations. Parameters are {@code long} and {@code int} temporaries, or
 * objects the call site names ({@link IrUnit.Arg}); the result is {@code void}, {@code long},
 * {@code int} or {@code boolean} (an I32 0 or 1).
 *
 * @param method the static method
 * @param flags {@link #PURE}, {@link #SYNC_GLOBALS}
 */
public record Helper(Method method, int flags) {

    /** No side effects and no faults: an unused result lets the optimizer drop the call. */
    public static final int PURE = 1;
    /**
     * The helper reads and writes globals in the state object: the unit writes its globals
     * back before the call and loads them again after it. Exceptions it throws leave the unit
     * with the state as the helper left it (no fault handling of the current instruction).
     */
    public static final int SYNC_GLOBALS = 2;

    public Helper {
        if (!Modifier.isStatic(method.getModifiers()) || !Modifier.isPublic(method.getModifiers())) {
            throw new IllegalArgumentException("helper " + method + " must be public and static");
        }
        Class<?> r = method.getReturnType();
        if (r != void.class && r != long.class && r != int.class && r != boolean.class) {
            throw new IllegalArgumentException("helper " + method + " returns " + r + "; valid: void, long, int, boolean");
        }
    }

    /** @return the helper that is the only public static method named {@code name} of {@code owner} */
    public static Helper of(Class<?> owner, String name, int flags) {
        Method[] found = Arrays.stream(owner.getMethods())
                .filter(m -> m.getName().equals(name) && Modifier.isStatic(m.getModifiers())).toArray(Method[]::new);
        if (found.length != 1) {
            throw new IllegalArgumentException(owner.getName() + " has " + found.length + " public static methods named '" + name + "'; a helper needs exactly one");
        }
        return new Helper(found[0], flags);
    }

    /** @return the type of the result temporary, or null for void */
    public Type resultType() {
        Class<?> r = method.getReturnType();
        return r == void.class ? null : r == long.class ? Type.I64 : Type.I32;
    }

    /** @return whether flag is set */
    public boolean is(int flag) {
        return (flags & flag) != 0;
    }

    @Override
    public String toString() {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName();
    }
}
