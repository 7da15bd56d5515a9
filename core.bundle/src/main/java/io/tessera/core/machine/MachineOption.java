package io.tessera.core.machine;

/**
 * An option a machine type accepts at creation ({@code memory=512M}, {@code smp=2}).
 *
 * @param name option name
 * @param description what it does and what values are valid
 * @param defaultValue value when not given
 */
public record MachineOption(String name, String description, String defaultValue) {
}
