package io.tessera.device.testing;

import io.tessera.core.irq.IrqLine;

/** An interrupt line that remembers its level and how many times it rose. */
public final class RecordingIrqLine implements IrqLine {

    private volatile boolean level;
    private volatile int raises;

    /** A low line that has never risen. */
    public RecordingIrqLine() {
    }

    @Override
    public synchronized void set(boolean level) {
        if (level && !this.level) {
            raises++;
        }
        this.level = level;
    }

    @Override
    public boolean level() {
        return level;
    }

    /** @return how many times the line went from low to high */
    public int raises() {
        return raises;
    }
}
