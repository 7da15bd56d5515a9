package io.tessera.isa.riscv;

/**
 * The target description gdb reads for a riscv64 hart (the XML of gdb's "Target
 * Descriptions" appendix): the standard riscv cpu and fpu features with the register numbers
 * gdb's RISC-V port expects, so that gdb-multiarch needs no architecture guessing.
 */
public final class GdbTargetDescription {

    /** gdb's register number of the first floating-point register (after x0..x31 and pc). */
    public static final int FIRST_FP_REGNUM = 33;
    /** gdb's register numbers of fflags, frm and fcsr. */
    public static final int FFLAGS_REGNUM = 66;
    /** gdb's register number of frm. */
    public static final int FRM_REGNUM = 67;
    /** gdb's register number of fcsr. */
    public static final int FCSR_REGNUM = 68;


    private GdbTargetDescription() {
    }

    /** @return gdb's name of x{@code i}: the ABI name, except that gdb calls x8 {@code fp}, not {@code s0} */
    public static String gdbName(int i) {
        return i == 8 ? "fp" : RiscvHart.ABI_NAMES[i];
    }

    /** @return the complete target description document for riscv64 with F and D */
    public static String riscv64() {
        StringBuilder xml = new StringBuilder();
        xml.append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
        xml.append("  <architecture>riscv:rv64</architecture>\n");
        xml.append("  <feature name=\"org.gnu.gdb.riscv.cpu\">\n");
        for (int i = 0; i < 32; i++) {
            String type = switch (i) {
                case 1 -> "code_ptr";
                case 2, 3, 4, 8 -> "data_ptr";
                default -> "int";
            };
            xml.append(String.format("    <reg name=\"%s\" bitsize=\"64\" type=\"%s\" regnum=\"%d\"/>%n",
                    gdbName(i), type, i));
        }
        xml.append("    <reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n");
        xml.append("  </feature>\n");
        xml.append("  <feature name=\"org.gnu.gdb.riscv.fpu\">\n");
        xml.append("    <union id=\"riscv_double\">\n");
        xml.append("      <field name=\"float\" type=\"ieee_single\"/>\n");
        xml.append("      <field name=\"double\" type=\"ieee_double\"/>\n");
        xml.append("    </union>\n");
        for (int i = 0; i < 32; i++) {
            xml.append(String.format("    <reg name=\"%s\" bitsize=\"64\" type=\"riscv_double\" regnum=\"%d\"/>%n",
                    RiscvHart.FP_ABI_NAMES[i], FIRST_FP_REGNUM + i));
        }
        xml.append(String.format("    <reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>%n", FFLAGS_REGNUM));
        xml.append(String.format("    <reg name=\"frm\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>%n", FRM_REGNUM));
        xml.append(String.format("    <reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"%d\"/>%n", FCSR_REGNUM));
        xml.append("  </feature>\n</target>\n");
        return xml.toString();
    }
}
