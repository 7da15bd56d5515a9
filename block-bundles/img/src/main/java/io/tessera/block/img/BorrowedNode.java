package io.tessera.block.img;

import io.tessera.core.block.BlockNode;
import io.tessera.core.block.ForwardingBlockNode;

/**
 * A protocol node lent to a format node that would own it: every request goes to the node
 * behind it but {@link #close()}, which its real owner does. The in-place conversion reads the
 * old format through the very node that holds the image's locks, since closing a second channel
 * on the same file would drop them (POSIX locks belong to the process, not the channel).
 */
final class BorrowedNode extends ForwardingBlockNode {

    BorrowedNode(BlockNode node) {
        super(node);
    }

    /** Leaves the node open: it is its lender's to close. */
    @Override
    public void close() {
    }
}
