package io.tessera.device.testcounter;

/** Which revision of the counter's code this bundle carries. */
final class CounterRevision {
    static final int NUMBER = 1;

    private CounterRevision() {
    }
}
