package io.tessera.core.isa;

import java.util.Collection;
import java.util.List;

/**
 * A register name that the CPU does not have, typically from a user at the monitor or a GDB
 * client. The message lists the valid names so the user can correct the request.
 */
public final class UnknownRegisterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String registerName;
    private final String[] validNames;

    /**
     * @param registerName the name that was asked for
     * @param validNames the names the CPU does have, in the order to show them
     */
    public UnknownRegisterException(String registerName, Collection<String> validNames) {
        super("unknown register '" + registerName + "'; valid registers: " + String.join(", ", validNames));
        this.registerName = registerName;
        this.validNames = validNames.toArray(String[]::new);
    }

    /** @return the name that was asked for */
    public String registerName() {
        return registerName;
    }

    /** @return the names the CPU does have, unmodifiable */
    public List<String> validNames() {
        return List.of(validNames);
    }
}
