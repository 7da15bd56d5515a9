package io.tessera.device.aclint;

import io.tessera.isa.riscv.platform.RiscvCpu;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Harts that only record their interrupt inputs. */
final class FakeHarts {

    /** The levels of each fake hart's inputs, by cause. */
    final List<Map<Integer, Boolean>> levels = new ArrayList<>();
    final List<RiscvCpu> harts = new ArrayList<>();

    FakeHarts(int count) {
        for (int i = 0; i < count; i++) {
            Map<Integer, Boolean> inputs = new HashMap<>();
            levels.add(inputs);
            harts.add((RiscvCpu) Proxy.newProxyInstance(RiscvCpu.class.getClassLoader(), new Class<?>[] {RiscvCpu.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("setInterruptPending")) {
                            synchronized (inputs) {
                                inputs.put((Integer) args[0], (Boolean) args[1]);
                            }
                            return null;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    }));
        }
    }

    boolean level(int hart, int cause) {
        synchronized (levels.get(hart)) {
            return levels.get(hart).getOrDefault(cause, false);
        }
    }
}
