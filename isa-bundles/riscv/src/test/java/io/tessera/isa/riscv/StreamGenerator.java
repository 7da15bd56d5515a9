package io.tessera.isa.riscv;

import java.util.Random;

/**
 * Writes a random instruction stream from a seed, as a complete assembly program: it loads
 * registers with seeded values, runs the stream (integer, memory, atomics, branches, and, when
 * asked, floating point with each result and its flags appended to a trace), then writes its
 * scratch memory, registers, fcsr and trace to standard output and exits.
 */
final class StreamGenerator {

    /** Bytes of scratch memory the stream loads from and stores to, at the start of its data. */
    static final int SCRATCH = 256;

    private static final String[] R_TYPE = {"add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
        "addw", "subw", "sllw", "srlw", "sraw", "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
        "mulw", "divw", "divuw", "remw", "remuw", "sh1add", "sh2add", "sh3add", "add.uw", "sh1add.uw", "sh2add.uw",
        "sh3add.uw", "andn", "orn", "xnor", "max", "maxu", "min", "minu", "rol", "ror", "rolw", "rorw", "bclr",
        "bext", "binv", "bset"};
    private static final String[] I_TYPE = {"addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"};
    private static final String[] SHIFT64 = {"slli", "srli", "srai", "rori", "bclri", "bexti", "binvi", "bseti", "slli.uw"};
    private static final String[] SHIFT32 = {"slliw", "srliw", "sraiw", "roriw"};
    private static final String[] UNARY = {"clz", "ctz", "cpop", "clzw", "ctzw", "cpopw", "sext.b", "sext.h", "zext.h",
        "orc.b", "rev8"};
    private static final String[] LOADS = {"lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"};
    private static final String[] STORES = {"sb", "sh", "sw", "sd"};
    private static final String[] AMOS = {"amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax",
        "amominu", "amomaxu"};
    private static final String[] BRANCHES = {"beq", "bne", "blt", "bge", "bltu", "bgeu"};
    private static final String[] ROUNDING = {"rne", "rtz", "rdn", "rup", "rmm", "dyn"};
    private static final String[] FP_BINARY = {"fadd", "fsub", "fmul", "fdiv"};
    private static final String[] FP_FUSED = {"fmadd", "fmsub", "fnmsub", "fnmadd"};
    private static final String[] FP_NO_ROUNDING = {"fmin", "fmax", "fsgnj", "fsgnjn", "fsgnjx"};
    private static final String[] FP_COMPARE = {"feq", "flt", "fle"};
    private static final String[] FP_TO_INT = {"fcvt.w", "fcvt.wu", "fcvt.l", "fcvt.lu"};
    private static final String[] INT_TO_FP = {"w", "wu", "l", "lu"};
    /** Bit patterns that exercise IEEE corner cases: zeros, subnormals, infinities, NaNs (quiet and signaling), extremes. */
    private static final long[] FP_INTERESTING = {0, 0x8000_0000_0000_0000L, 0x0000_0000_0000_0001L, 0x000f_ffff_ffff_ffffL,
        0x0010_0000_0000_0000L, 0x7fef_ffff_ffff_ffffL, 0x7ff0_0000_0000_0000L, 0xfff0_0000_0000_0000L,
        0x7ff8_0000_0000_0000L, 0x7ff4_0000_0000_0000L, 0x3ff0_0000_0000_0000L, 0xbff8_0000_0000_0000L,
        0x4330_0000_0000_0001L, 0x43e0_0000_0000_0000L, 0xc3e0_0000_0000_0000L, 0x41e0_0000_0000_0000L,
        0x3fe0_0000_0000_0000L, 0x3ff8_0000_0000_0000L, 0x4004_0000_0000_0000L, 0x3cb0_0000_0000_0000L,
        // NaN-boxed singles: 1.0f, -0.0f, smallest subnormal, max, inf, qNaN, sNaN, 0.5f, 2^31, 16777217
        0xffff_ffff_3f80_0000L, 0xffff_ffff_8000_0000L, 0xffff_ffff_0000_0001L, 0xffff_ffff_7f7f_ffffL,
        0xffff_ffff_7f80_0000L, 0xffff_ffff_7fc0_0000L, 0xffff_ffff_7fa0_0000L, 0xffff_ffff_3f00_0000L,
        0xffff_ffff_4f00_0000L, 0xffff_ffff_4b80_0001L, 0x0000_0000_3f80_0000L};
    private static final long[] INTERESTING = {0, 1, -1, 2, 31, 32, 63, 64, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL,
        -0x8000_0000L, Long.MAX_VALUE, Long.MIN_VALUE, 0x0123_4567_89ab_cdefL, 0xff00_ff00_ff00_ff00L};


    private final Random random;
    private final StringBuilder out = new StringBuilder();
    private final boolean floatingPoint;

    StreamGenerator(long seed, boolean floatingPoint) {
        random = new Random(seed);
        this.floatingPoint = floatingPoint;
    }

    private String reg() {
        return "x" + random.nextInt(32);
    }

    /**
     * A destination: anything but x0, sp (it points at the data) and, in floating-point
     * streams, x30/x31 (the trace pointer and its scratch).
     */
    private String dest() {
        int r;
        do {
            r = random.nextInt(32);
        } while (r == 0 || r == 2 || (floatingPoint && r >= 30));
        return "x" + r;
    }

    private long value() {
        return random.nextInt(3) == 0 ? random.nextLong() : INTERESTING[random.nextInt(INTERESTING.length)]
                + (random.nextBoolean() ? 0 : random.nextInt(5) - 2);
    }

    private void line(String text) {
        out.append('\t').append(text).append('\n');
    }

    private String pick(String[] names) {
        return names[random.nextInt(names.length)];
    }

    void alu() {
        switch (random.nextInt(7)) {
            case 0, 1 -> line(pick(R_TYPE) + " " + dest() + ", " + reg() + ", " + reg());
            case 2 -> line(pick(I_TYPE) + " " + dest() + ", " + reg() + ", " + (random.nextInt(4096) - 2048));
            case 3 -> line(pick(SHIFT64) + " " + dest() + ", " + reg() + ", " + random.nextInt(64));
            case 4 -> line(pick(SHIFT32) + " " + dest() + ", " + reg() + ", " + random.nextInt(32));
            case 5 -> line(pick(UNARY) + " " + dest() + ", " + reg());
            default -> line((random.nextBoolean() ? "lui " : "auipc ") + dest() + ", " + random.nextInt(1 << 20));
        }
    }

    private String freg() {
        return "f" + random.nextInt(32);
    }

    private String rm() {
        return ROUNDING[random.nextInt(ROUNDING.length)];
    }

    /**
     * One floating-point instruction, then its result and the flags it raised appended to
     * the trace (x31 walks the trace; the flags are cleared after each instruction), so that
     * every result is compared, not only what survives to the end.
     */
    void floatingPoint() {
        String fmt = random.nextBoolean() ? ".s" : ".d";
        String fd = freg();
        String xd = dest();
        String result = fd;
        switch (random.nextInt(12)) {
            case 0, 1, 2 -> line(pick(FP_BINARY) + fmt + " " + fd + ", " + freg() + ", " + freg() + ", " + rm());
            case 3 -> line("fsqrt" + fmt + " " + fd + ", " + freg() + ", " + rm());
            case 4 -> line(pick(FP_FUSED) + fmt + " " + fd + ", " + freg() + ", " + freg() + ", " + freg() + ", " + rm());
            case 5 -> line(pick(FP_NO_ROUNDING) + fmt + " " + fd + ", " + freg() + ", " + freg());
            case 6 -> {
                line(pick(FP_COMPARE) + fmt + " " + xd + ", " + freg() + ", " + freg());
                result = xd;
            }
            case 7 -> {
                line(pick(FP_TO_INT) + fmt + " " + xd + ", " + freg() + ", " + rm());
                result = xd;
            }
            case 8 -> {
                String from = pick(INT_TO_FP);
                // int32 -> double is exact: the assembler takes no rounding mode for it
                boolean exact = fmt.equals(".d") && from.startsWith("w");
                line("fcvt" + fmt + "." + from + " " + fd + ", " + reg() + (exact ? "" : ", " + rm()));
            }
            case 9 -> line(fmt.equals(".s") ? "fcvt.s.d " + fd + ", " + freg() + ", " + rm() : "fcvt.d.s " + fd + ", " + freg());
            case 10 -> {
                line((random.nextBoolean() ? "fclass" + fmt + " " : (fmt.equals(".s") ? "fmv.x.w " : "fmv.x.d ")) + xd + ", " + freg());
                result = xd;
            }
            default -> {
                if (random.nextBoolean()) {
                    line((fmt.equals(".s") ? "flw " : "fld ") + fd + ", " + offset(fmt.equals(".s") ? 4 : 8) + "(sp)");
                } else {
                    line((fmt.equals(".s") ? "fsw " : "fsd ") + freg() + ", " + offset(fmt.equals(".s") ? 4 : 8) + "(sp)");
                    return;
                }
            }
        }
        line((result.startsWith("f") ? "fsd " : "sd ") + result + ", 0(x31)");
        line("frflags x30");
        line("sd x30, 8(x31)");
        line("fsflags x0");
        line("addi x31, x31, 16");
    }

    void instruction() {
        int kind = random.nextInt(floatingPoint ? 26 : 20);
        if (kind >= 20) {
            floatingPoint();
            return;
        }
        if (kind < 12) {
            alu();
        } else if (kind < 14) {
            String op = pick(LOADS);
            int size = op.startsWith("ld") ? 8 : op.startsWith("lw") ? 4 : op.startsWith("lh") ? 2 : 1;
            line(op + " " + dest() + ", " + offset(size) + "(sp)");
        } else if (kind < 16) {
            String op = pick(STORES);
            int size = switch (op) {
                case "sd" -> 8;
                case "sw" -> 4;
                case "sh" -> 2;
                default -> 1;
            };
            line(op + " " + reg() + ", " + offset(size) + "(sp)");
        } else if (kind == 16) {
            String width = random.nextBoolean() ? ".w" : ".d";
            line("addi x5, sp, " + (random.nextInt(SCRATCH / 8) * 8));
            line(pick(AMOS) + width + " " + dest() + ", " + reg() + ", (x5)");
        } else if (kind == 17) {
            String width = random.nextBoolean() ? ".w" : ".d";
            line("addi x5, sp, " + (random.nextInt(SCRATCH / 8) * 8));
            if (random.nextInt(4) != 0) {
                line("lr" + width + " " + dest() + ", (x5)");
                line("addi x5, sp, " + (random.nextInt(SCRATCH / 8) * 8));
            }
            line("sc" + width + " " + dest() + ", " + reg() + ", (x5)");
        } else if (kind == 18) {
            line(pick(BRANCHES) + " " + reg() + ", " + reg() + ", 1f");
            alu();
            out.append("1:\n");
        } else {
            line("jal " + dest() + ", 1f");
            alu();
            out.append("1:\n");
        }
    }

    private int offset(int size) {
        // Mostly aligned; now and then not (Linux user mode completes misaligned accesses).
        int offset = random.nextInt(SCRATCH - 8);
        return random.nextInt(8) == 0 ? offset : offset & -size;
    }

    String program(int count) {
        out.append("\t.globl _start\n\t.text\n_start:\n\tla sp, data\n");
        for (int r = 1; r < 32; r++) {
            if (r != 2) {
                line("li x" + r + ", " + value());
            }
        }
        if (floatingPoint) {
            line("la x31, trace");
            line("fsrmi " + random.nextInt(5));
            for (int r = 0; r < 32; r++) {
                line("li x5, " + FP_INTERESTING[random.nextInt(FP_INTERESTING.length)]);
                line("fmv.d.x f" + r + ", x5");
            }
        }
        for (int i = 0; i < count; i++) {
            instruction();
        }
        for (int r = 1; r < 32; r++) {
            if (r != 2) {
                line("sd x" + r + ", " + (SCRATCH + 8 * r) + "(sp)");
            }
        }
        for (int r = 0; r < 32; r++) {
            line("fsd f" + r + ", " + (SCRATCH + 256 + 8 * r) + "(sp)");
        }
        line("frcsr x5");
        line("sd x5, " + (SCRATCH + 512) + "(sp)");
        line("li a0, 1");
        line("mv a1, sp");
        line("li a2, " + (SCRATCH + 520));
        line("li a7, 64");
        line("ecall");
        if (floatingPoint) {
            line("li a0, 1");
            line("la a1, trace");
            line("sub a2, x31, a1");
            line("li a7, 64");
            line("ecall");
        }
        line("li a0, 0");
        line("li a7, 93");
        line("ecall");
        out.append("\t.data\n\t.balign 16\ndata:\n");
        for (int i = 0; i < SCRATCH / 8; i++) {
            line(".dword " + value());
        }
        line(".space 520");
        out.append("\t.balign 16\ntrace:\n");
        line(".space " + (16 * count + 16));
        return out.toString();
    }
}
