package io.tessera.isa.riscv.user;

/**
 * What the threads of a process share with their memory (and a vfork child with its parent
 * until it execs): the pages, the futex queues, the program break and where mmap looks for room.
 */
final class AddressSpace {

    final PageTable pages;
    final Futexes futexes = new Futexes();
    long brkStart;
    long brk;
    long mmapHint = ProgramLoader.MMAP_BASE;

    AddressSpace(PageTable pages) {
        this.pages = pages;
    }

    /** @return a copy for a forked child: its pages shared copy-on-write, no waiters */
    AddressSpace fork() {
        synchronized (this) {
            AddressSpace copy = new AddressSpace(pages.fork());
            copy.brkStart = brkStart;
            copy.brk = brk;
            copy.mmapHint = mmapHint;
            return copy;
        }
    }
}
