package io.tessera.block.img;

/**
 * Ends a tool's process with its exit status. {@link Runtime#exit} logs the exit through
 * {@link System.Logger} (JDK 21 and later), which sets up {@code java.util.logging} first: about
 * 300 classes and tens of milliseconds, more than some verbs take. The tools register no shutdown
 * hooks and close every image before {@code main} returns, so the process is halted once the two
 * standard streams are flushed.
 */
final class ToolExit {

    private ToolExit() {
    }

    static void exit(int status) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }
}
