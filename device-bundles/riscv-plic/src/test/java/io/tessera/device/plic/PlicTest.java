package io.tessera.device.plic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.core.irq.IrqLine;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlicTest {

    private final boolean[] outputs = new boolean[2];
    private final Plic plic = new Plic(96, 3, List.of(level -> outputs[0] = level, level -> outputs[1] = level));

    private static long priority(int source) {
        return 4L * source;
    }

    private static long enable(int context, int word) {
        return Plic.ENABLE + Plic.ENABLE_STRIDE * context + 4L * word;
    }

    private static long threshold(int context) {
        return Plic.CONTEXT + Plic.CONTEXT_STRIDE * context;
    }

    private static long claim(int context) {
        return threshold(context) + 4;
    }

    @Test
    void aSourceReachesOnlyTheContextsThatEnableIt() {
        plic.write(priority(10), 4, 1);
        plic.write(enable(1, 0), 4, 1 << 10);
        plic.line(10).raise();
        assertFalse(outputs[0]);
        assertTrue(outputs[1]);
        assertEquals(1 << 10, plic.read(Plic.PENDING, 4));
    }

    @Test
    void priorityZeroAndTheThresholdMask() {
        plic.write(enable(0, 0), 4, 1 << 5);
        plic.line(5).raise();
        assertFalse(outputs[0], "priority 0 never interrupts");
        plic.write(priority(5), 4, 3);
        assertTrue(outputs[0]);
        plic.write(threshold(0), 4, 3);
        assertFalse(outputs[0], "only priorities above the threshold interrupt");
        plic.write(priority(5), 4, 0xff);
        assertEquals(7, plic.read(priority(5), 4), "three priority bits");
        assertTrue(outputs[0]);
    }

    @Test
    void claimTakesTheHighestPriorityThenTheLowestId() {
        for (int source : new int[] {3, 4, 40}) {
            plic.write(priority(source), 4, source == 40 ? 5 : 2);
            plic.line(source).raise();
        }
        plic.write(enable(0, 0), 4, (1 << 3) | (1 << 4));
        plic.write(enable(0, 1), 4, 1 << (40 - 32));
        assertEquals(40, plic.read(claim(0), 4));
        assertEquals(3, plic.read(claim(0), 4));
        assertEquals(4, plic.read(claim(0), 4));
        assertEquals(0, plic.read(claim(0), 4));
        assertFalse(outputs[0]);
    }

    @Test
    void aLevelStillHighAtCompleteIsPendingAgain() {
        IrqLine line = plic.line(7);
        plic.write(priority(7), 4, 1);
        plic.write(enable(0, 0), 4, 1 << 7);
        line.raise();
        assertEquals(7, plic.read(claim(0), 4));
        assertFalse(outputs[0], "a claimed source is not pending");
        plic.write(claim(0), 4, 7);
        assertTrue(outputs[0], "the line is still high");
        assertEquals(7, plic.read(claim(0), 4));
        line.lower();
        plic.write(claim(0), 4, 7);
        assertFalse(outputs[0]);
        assertEquals(0, plic.read(claim(0), 4));
    }

    @Test
    void aCompletionEndsTheClaimEvenFromAContextThatNoLongerEnablesTheSource() {
        plic.write(priority(10), 4, 1);
        plic.write(enable(1, 0), 4, 1 << 10);
        plic.line(10).raise();
        assertEquals(10, plic.read(claim(1), 4));
        // The interrupt moves to context 0 while claimed, as Linux moves it between harts.
        plic.write(enable(1, 0), 4, 0);
        plic.write(enable(0, 0), 4, 1 << 10);
        plic.write(claim(1), 4, 10);
        assertTrue(outputs[0], "the completion released the source");
        assertEquals(10, plic.read(claim(0), 4));
    }

    @Test
    void sourceZeroAndReadOnlyBitsCannotBeSet() {
        plic.write(enable(0, 0), 4, 0xffff_ffffL);
        assertEquals(0xffff_fffeL, plic.read(enable(0, 0), 4));
        plic.write(enable(0, 2), 4, 0xffff_ffffL);
        assertEquals(0xffff_ffffL, plic.read(enable(0, 2), 4));
        plic.write(priority(0), 4, 7);
        assertEquals(0, plic.read(priority(0), 4));
        plic.write(Plic.PENDING, 4, 0xffff);
        assertEquals(0, plic.read(Plic.PENDING, 4));
        assertEquals(0, plic.read(priority(1), 1), "byte accesses are ignored");
        assertThrows(IllegalArgumentException.class, () -> plic.line(0));
        assertThrows(IllegalArgumentException.class, () -> plic.line(96));
    }

    @Test
    void stateRoundTripKeepsClaimsAndEnables() {
        plic.write(priority(9), 4, 4);
        plic.write(enable(1, 0), 4, 1 << 9);
        plic.write(threshold(1), 4, 1);
        plic.line(9).raise();
        assertEquals(9, plic.read(claim(1), 4));
        int[][] saved = plic.save();
        boolean[] restoredOutputs = new boolean[2];
        Plic other = new Plic(96, 3, List.of(level -> restoredOutputs[0] = level, level -> restoredOutputs[1] = level));
        other.restore(saved[0], saved[1], saved[2], new int[][] {saved[3], saved[4]});
        other.line(9).raise();
        assertFalse(restoredOutputs[1], "source 9 is still claimed");
        other.write(claim(1), 4, 9);
        assertTrue(restoredOutputs[1]);
        assertEquals(4, other.read(priority(9), 4));
    }
}
