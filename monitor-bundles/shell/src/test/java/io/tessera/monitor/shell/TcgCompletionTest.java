package io.tessera.monitor.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.core.device.DeviceManager;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineManager;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tab completion of the tcg command: verbs, then machine names and flags, and the sort orders after -s. */
class TcgCompletionTest {

    /** An interface's stand-in whose method {@code name} returns {@code list}, its other list methods empty lists. */
    @SuppressWarnings("unchecked")
    private static <T> T returning(Class<T> type, String name, List<?> list) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> method.getName().equals(name) ? list : method.getReturnType() == List.class ? List.of() : null);
    }

    private final Machine vm = (Machine) Proxy.newProxyInstance(Machine.class.getClassLoader(), new Class<?>[] {Machine.class},
            (proxy, method, args) -> method.getName().equals("name") ? "vm" : null);
    private final CommandCompletion completion = new CommandCompletion(returning(MachineManager.class, "machines", List.of(vm)),
            returning(DeviceManager.class, "types", List.of()));

    @Test
    void verbsThenMachinesAndFlagsThenSortOrders() {
        assertEquals(List.of("blocks", "block", "coverset", "cfg", "stats", "help"), completion.completions("tcg", List.of("tcg", ""), 1));
        assertEquals(List.of("vm", "-s", "-n"), completion.completions("tcg", List.of("tcg", "blocks", ""), 2));
        assertEquals(List.of("-s", "-n"), completion.completions("tcg", List.of("tcg", "blocks", "vm", ""), 3));
        assertEquals(List.of("executions", "expansion", "time", "insns"),
                completion.completions("tcg", List.of("tcg", "blocks", "vm", "-s", ""), 4));
        assertEquals(List.of("vm", "-d", "-o"), completion.completions("tcg", List.of("tcg", "cfg", ""), 2));
        assertEquals(List.of("vm"), completion.completions("tcg", List.of("tcg", "coverset", ""), 2));
        assertEquals(List.of(), completion.completions("tcg", List.of("tcg", "help", ""), 2));
    }

    @Test
    void machineCreateOffersTheAcceleratorOption() {
        assertEquals(List.of("accel=", "reboot="), completion.completions("machine", List.of("machine", "create", "m", "spike", ""), 4));
    }
}
