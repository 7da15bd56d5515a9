package io.tessera.core.isa;

import java.util.Objects;

/**
 * The description of one CPU register, enough for the GDB stub's target description and for
 * the monitor's {@code info registers}.
 *
 * @param name the register's name as GDB knows it, for example {@code "pc"} or {@code "x5"}
 * @param gdbNumber the register's number in GDB's {@code g}/{@code p} packets, or {@code -1}
 *        when the register is not exposed to GDB
 * @param bitWidth the register's width in bits, 1 to 64
 * @param group the GDB register group, for example {@code "general"}, {@code "float"} or
 *        {@code "system"}
 */
public record RegisterInfo(String name, int gdbNumber, int bitWidth, String group) {

    /** Checks the values. */
    public RegisterInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(group, "group");
        if (name.isBlank()) {
            throw new IllegalArgumentException("blank register name");
        }
        if (gdbNumber < -1) {
            throw new IllegalArgumentException("register " + name + ": GDB number " + gdbNumber + " is below -1");
        }
        if (bitWidth < 1 || bitWidth > 64) {
            throw new IllegalArgumentException("register " + name + ": width " + bitWidth + " is not 1..64 bits");
        }
    }
}
