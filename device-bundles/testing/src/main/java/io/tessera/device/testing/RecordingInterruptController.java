package io.tessera.device.testing;

import io.tessera.core.irq.InterruptController;

/** An interrupt controller whose inputs are {@link RecordingIrqLine}s, for a test to look at. */
public final class RecordingInterruptController implements InterruptController {

    private final String id;
    private final RecordingIrqLine[] lines;

    /**
     * A controller named {@code plic0}, the name device configurations default to.
     *
     * @param lineCount how many inputs it has, numbered from 0
     */
    public RecordingInterruptController(int lineCount) {
        this("plic0", lineCount);
    }

    /**
     * A controller with the given id.
     *
     * @param id the controller's id
     * @param lineCount how many inputs it has, numbered from 0
     */
    public RecordingInterruptController(String id, int lineCount) {
        this.id = id;
        this.lines = new RecordingIrqLine[lineCount];
        for (int i = 0; i < lineCount; i++) {
            lines[i] = new RecordingIrqLine();
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int lineCount() {
        return lines.length;
    }

    /** @throws IllegalArgumentException if there is no input {@code number} */
    @Override
    public RecordingIrqLine line(int number) {
        if (number < 0 || number >= lines.length) {
            throw new IllegalArgumentException(id + " has no input " + number + "; inputs are 0.." + (lines.length - 1));
        }
        return lines[number];
    }
}
