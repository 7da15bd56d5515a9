package io.tessera.tcg;

import io.tessera.tcg.internal.BytecodeEmitter;
import io.tessera.tcg.internal.Optimizer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Optimizes a unit's IR and compiles it into a hidden class defined through the front end's
 * lookup: in the front end's package and class loader, so that generated code sees the guest
 * state class and helpers, and not strongly reachable, so that the class can be unloaded once
 * the cache drops the unit.
 */
public final class UnitCompiler {

    private UnitCompiler() {
    }

    /**
     * A compiled unit and what its compilation cost.
     *
     * @param code the unit, ready to run
     * @param classFile the class file bytes (for dumps)
     * @param opsBefore IR ops before optimization
     * @param opsAfter IR ops after optimization
     * @param nanos time spent optimizing, emitting and defining the class
     */
    public record Compiled(CompiledUnit code, byte[] classFile, int opsBefore, int opsAfter, long nanos) {
    }

    /** Runs the optimizer on {@code unit} in place. */
    public static void optimize(IrUnit unit) {
        Optimizer.optimize(unit);
    }

    /**
     * Compiles {@code unit}.
     *
     * @param host a full-privilege lookup of a class in the package the unit's class goes to
     * @param optimize whether to run the optimizer first
     */
    public static Compiled compile(IrUnit unit, MethodHandles.Lookup host, boolean optimize) {
        long start = System.nanoTime();
        int before = Optimizer.countOps(unit);
        if (optimize) {
            Optimizer.optimize(unit);
        }
        int after = Optimizer.countOps(unit);
        String name = host.lookupClass().getPackageName().replace('.', '/') + "/TranslatedUnit";
        BytecodeEmitter.Result result = BytecodeEmitter.emit(unit, name);
        try {
            MethodHandles.Lookup defined = host.defineHiddenClass(result.classFile(), true);
            CompiledUnit code = (CompiledUnit) defined.findConstructor(defined.lookupClass(), MethodType.methodType(void.class, Object[].class))
                    .invoke((Object) result.constants());
            return new Compiled(code, result.classFile(), before, after, System.nanoTime() - start);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not define the class of a translated unit", e);
        }
    }
}
