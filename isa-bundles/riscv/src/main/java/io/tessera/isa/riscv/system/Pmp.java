package io.tessera.isa.riscv.system;

import io.tessera.isa.riscv.Csr;

/**
 * Physical memory protection: 16 entries (pmpcfg0/pmpcfg2 and pmpaddr0..15) with OFF, TOR,
 * NA4 and NAPOT matching and locking, as OpenSBI programs them. The lowest-numbered entry
 * that matches any byte of an access decides it, and must match all its bytes; M-mode is
 * bound only by locked entries; S- and U-mode accesses that no entry matches fail.
 */
final class Pmp {

    static final int ENTRIES = 16;
    static final int READ = 1, WRITE = 2, EXEC = 4;
    private static final int MODE_SHIFT = 3, OFF = 0, TOR = 1, NA4 = 2, NAPOT = 3, LOCK = 0x80;
    /** pmpaddr holds physical address bits 55:2. */
    private static final long ADDRESS_MASK = (1L << 54) - 1;

    /** What an entry says about a range: all of it allowed, denied, or split between rules. */
    enum Decision { ALLOW, DENY, PARTIAL }

    private final int[] config = new int[ENTRIES];
    private final long[] address = new long[ENTRIES];
    private final long[] low = new long[ENTRIES];
    private final long[] high = new long[ENTRIES];
    private boolean anyActive;

    /** Reads pmpcfgN; on RV64 only the even ones exist, each holding eight entries. */
    long readConfig(int register) {
        long value = 0;
        int first = register * 4;
        for (int i = 0; i < 8; i++) {
            value |= (long) config[first + i] << (8 * i);
        }
        return value;
    }

    void writeConfig(int register, long value) {
        int first = register * 4;
        for (int i = 0; i < 8; i++) {
            int entry = first + i;
            if ((config[entry] & LOCK) != 0) {
                continue;
            }
            int cfg = (int) (value >>> (8 * i)) & 0x9f;
            // W without R is reserved: the write-only combination is dropped to no access.
            if ((cfg & (READ | WRITE)) == WRITE) {
                cfg &= ~(READ | WRITE);
            }
            config[entry] = cfg;
        }
        recompute();
    }

    long readAddress(int entry) {
        return address[entry];
    }

    void writeAddress(int entry, long value) {
        boolean locked = (config[entry] & LOCK) != 0
                || (entry + 1 < ENTRIES && (config[entry + 1] & LOCK) != 0 && mode(entry + 1) == TOR);
        if (!locked) {
            address[entry] = value & ADDRESS_MASK;
            recompute();
        }
    }

    void reset() {
        java.util.Arrays.fill(config, 0);
        java.util.Arrays.fill(address, 0);
        recompute();
    }

    private int mode(int entry) {
        return (config[entry] >>> MODE_SHIFT) & 3;
    }

    private void recompute() {
        anyActive = false;
        for (int i = 0; i < ENTRIES; i++) {
            long a = address[i];
            switch (mode(i)) {
                case TOR -> {
                    low[i] = i == 0 ? 0 : address[i - 1] << 2;
                    high[i] = a << 2;
                }
                case NA4 -> {
                    low[i] = a << 2;
                    high[i] = (a << 2) + 4;
                }
                case NAPOT -> {
                    int ones = Long.numberOfTrailingZeros(~a);
                    long size = ones >= 54 ? 1L << 56 : 8L << ones;
                    low[i] = (a & ~((1L << ones) - 1)) << 2 & -size;
                    high[i] = low[i] + size;
                }
                default -> {
                    low[i] = 0;
                    high[i] = 0;
                }
            }
            anyActive |= mode(i) != OFF;
        }
    }

    /**
     * Decides an access of {@code length} bytes at {@code start} (or a whole page, for the TLB)
     * of the given kind ({@link #READ}, {@link #WRITE}, {@link #EXEC}) at a privilege level.
     */
    Decision decide(long start, long length, int access, int privilege) {
        if (anyActive) {
            long end = start + length;
            for (int i = 0; i < ENTRIES; i++) {
                if (mode(i) == OFF || low[i] >= high[i] || end <= low[i] || start >= high[i]) {
                    continue;
                }
                if (start < low[i] || end > high[i]) {
                    return Decision.PARTIAL;
                }
                if (privilege == Csr.PRV_M && (config[i] & LOCK) == 0) {
                    return Decision.ALLOW;
                }
                return (config[i] & access) != 0 ? Decision.ALLOW : Decision.DENY;
            }
        }
        return privilege == Csr.PRV_M ? Decision.ALLOW : Decision.DENY;
    }

    /** @return whether an access is allowed (one split between entries is not) */
    boolean allows(long start, int length, int access, int privilege) {
        return decide(start, length, access, privilege) == Decision.ALLOW;
    }
}
