package io.tessera.tcg.stats;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.BranchInstruction;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.ExceptionCatch;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.IncrementInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LabelTarget;
import java.lang.classfile.instruction.LoadInstruction;
import java.lang.classfile.instruction.LookupSwitchInstruction;
import java.lang.classfile.instruction.NewObjectInstruction;
import java.lang.classfile.instruction.NewPrimitiveArrayInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.lang.classfile.instruction.StoreInstruction;
import java.lang.classfile.instruction.TableSwitchInstruction;
import java.lang.classfile.instruction.TypeCheckInstruction;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * JVM bytecode as text, in the spirit of {@code javap -c}: each method with its instructions
 * at their offsets, branch targets as labels, field and method references by name. Reads the
 * class file with the JDK's own class-file API, so the translator needs no bundle beyond ASM's
 * core to show what it generated.
 */
public final class BytecodePrinter {

    private BytecodePrinter() {
    }

    /**
     * @param classFile a class file
     * @return its methods' code as text, one instruction a line
     * @throws IllegalArgumentException if the bytes are not a class file
     */
    public static String print(byte[] classFile) {
        ClassModel model = ClassFile.of().parse(classFile);
        StringBuilder out = new StringBuilder();
        for (MethodModel method : model.methods()) {
            out.append(method.methodName().stringValue()).append(method.methodType().stringValue()).append('\n');
            method.code().ifPresent(code -> printCode(code, out));
        }
        return out.toString();
    }

    private static void printCode(CodeModel code, StringBuilder out) {
        Map<Label, Integer> labels = new HashMap<>();
        int offset = 0;
        for (CodeElement element : code) {
            switch (element) {
                case LabelTarget target -> out.append("  L").append(label(labels, target.label())).append(":\n");
                case ExceptionCatch c -> out.append("  try L").append(label(labels, c.tryStart())).append(" to L")
                        .append(label(labels, c.tryEnd())).append(" catch ")
                        .append(c.catchType().map(t -> t.asInternalName()).orElse("any")).append(" at L")
                        .append(label(labels, c.handler())).append('\n');
                case Instruction insn -> {
                    out.append(String.format("  %5d: %s%n", offset, describe(insn, labels)));
                    offset += insn.sizeInBytes();
                }
                default -> {
                    // Line numbers, local variable names, stack maps: nothing generated code needs shown.
                }
            }
        }
    }

    private static int label(Map<Label, Integer> labels, Label label) {
        return labels.computeIfAbsent(label, l -> labels.size());
    }

    private static String describe(Instruction insn, Map<Label, Integer> labels) {
        String name = insn.opcode().name().toLowerCase(Locale.ROOT);
        String operands = switch (insn) {
            // The one-byte forms (iload_1) say their slot in their name.
            case LoadInstruction load -> insn.sizeInBytes() == 1 ? "" : String.valueOf(load.slot());
            case StoreInstruction store -> insn.sizeInBytes() == 1 ? "" : String.valueOf(store.slot());
            case IncrementInstruction inc -> inc.slot() + " " + inc.constant();
            case BranchInstruction branch -> "L" + label(labels, branch.target());
            case ConstantInstruction constant -> insn.sizeInBytes() == 1 ? "" : constant(constant.constantValue());
            case FieldInstruction field -> field.owner().asInternalName() + "." + field.name().stringValue() + " : "
                    + field.type().stringValue();
            case InvokeInstruction invoke -> invoke.owner().asInternalName() + "." + invoke.name().stringValue()
                    + invoke.type().stringValue();
            case NewObjectInstruction object -> object.className().asInternalName();
            case NewReferenceArrayInstruction array -> array.componentType().asInternalName();
            case NewPrimitiveArrayInstruction array -> array.typeKind().toString().toLowerCase(Locale.ROOT);
            case TypeCheckInstruction check -> check.type().asInternalName();
            case TableSwitchInstruction table -> table.lowValue() + ".." + table.highValue() + " "
                    + table.cases().stream().map(c -> c.caseValue() + ":L" + label(labels, c.target())).collect(Collectors.joining(" "))
                    + " default:L" + label(labels, table.defaultTarget());
            case LookupSwitchInstruction lookup -> lookup.cases().stream().map(c -> c.caseValue() + ":L" + label(labels, c.target()))
                    .collect(Collectors.joining(" ")) + " default:L" + label(labels, lookup.defaultTarget());
            default -> "";
        };
        return operands.isEmpty() ? name : name + " " + operands;
    }

    private static String constant(Object value) {
        return switch (value) {
            case String s -> '"' + s + '"';
            case Long l -> l + "L" + (Math.abs(l) >= 4096 ? " (0x" + Long.toHexString(l) + ")" : "");
            case Integer i -> i + (Math.abs(i) >= 4096 ? " (0x" + Integer.toHexString(i) + ")" : "");
            default -> String.valueOf(value);
        };
    }
}
