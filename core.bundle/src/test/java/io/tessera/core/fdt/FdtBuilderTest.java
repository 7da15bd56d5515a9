package io.tessera.core.fdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob against the device tree compiler: dtc must read it as the same tree it compiles from source. */
class FdtBuilderTest {

    private static final String SOURCE = """
            /dts-v1/;
            /memreserve/ 0x80000000 0x200000;
            / {
            	#address-cells = <2>;
            	#size-cells = <2>;
            	compatible = "riscv-virtio";
            	model = "tessera,test";
            	chosen {
            		bootargs = "console=ttyS0 earlycon";
            		stdout-path = "/soc/serial@10000000";
            	};
            	memory@80000000 {
            		device_type = "memory";
            		reg = <0x0 0x80000000 0x0 0x8000000>;
            	};
            	cpus {
            		#address-cells = <1>;
            		#size-cells = <0>;
            		timebase-frequency = <10000000>;
            		cpu@0 {
            			device_type = "cpu";
            			reg = <0>;
            			compatible = "riscv";
            			riscv,isa = "rv64imafdc";
            			status = "okay";
            			interrupt-controller {
            				#interrupt-cells = <1>;
            				interrupt-controller;
            				compatible = "riscv,cpu-intc";
            			};
            		};
            	};
            	soc {
            		#address-cells = <2>;
            		#size-cells = <2>;
            		compatible = "simple-bus";
            		ranges;
            		serial@10000000 {
            			compatible = "ns16550a";
            			reg = <0x0 0x10000000 0x0 0x100>;
            			interrupts = <10>;
            			clock-frequency = <3686400>;
            			blob = [de ad be ef 01];
            			names = "a", "bc", "def";
            		};
            	};
            };
            """;

    private static byte[] built() {
        return new FdtBuilder()
                .reserve(0x8000_0000L, 0x20_0000L)
                .beginNode("")
                .property("#address-cells", 2).property("#size-cells", 2)
                .property("compatible", "riscv-virtio").property("model", "tessera,test")
                .beginNode("chosen")
                .property("bootargs", "console=ttyS0 earlycon").property("stdout-path", "/soc/serial@10000000")
                .endNode()
                .beginNode("memory@80000000")
                .property("device_type", "memory").propertyU64("reg", 0x8000_0000L, 0x800_0000L)
                .endNode()
                .beginNode("cpus")
                .property("#address-cells", 1).property("#size-cells", 0).property("timebase-frequency", 10_000_000)
                .beginNode("cpu@0")
                .property("device_type", "cpu").property("reg", 0).property("compatible", "riscv")
                .property("riscv,isa", "rv64imafdc").property("status", "okay")
                .beginNode("interrupt-controller")
                .property("#interrupt-cells", 1).emptyProperty("interrupt-controller").property("compatible", "riscv,cpu-intc")
                .endNode()
                .endNode()
                .endNode()
                .beginNode("soc")
                .property("#address-cells", 2).property("#size-cells", 2).property("compatible", "simple-bus")
                .emptyProperty("ranges")
                .beginNode("serial@10000000")
                .property("compatible", "ns16550a").propertyU64("reg", 0x1000_0000L, 0x100)
                .property("interrupts", 10).property("clock-frequency", 3_686_400)
                .property("blob", new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, 1})
                .stringList("names", "a", "bc", "def")
                .endNode()
                .endNode()
                .endNode()
                .build();
    }

    private static String dtc(Path input, String format, String output, Path outputFile) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("dtc", "-q", "-I", format, "-O", output, "-o", outputFile.toString(), input.toString())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("dtc is not installed: apt-get install device-tree-compiler (.ci/run does)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return Files.readString(outputFile, StandardCharsets.ISO_8859_1);
    }

    @Test
    void dtcReadsTheBlobAsTheTreeItCompilesFromSource(@TempDir Path dir) throws Exception {
        Path blob = Files.write(dir.resolve("tessera.dtb"), built());
        Path source = Files.writeString(dir.resolve("expected.dts"), SOURCE);
        // Both blobs are printed by dtc alike: ours, and the one dtc compiles from the source.
        dtc(source, "dts", "dtb", dir.resolve("expected.dtb"));
        String ours = dtc(blob, "dtb", "dts", dir.resolve("ours.dts"));
        assertEquals(dtc(dir.resolve("expected.dtb"), "dtb", "dts", dir.resolve("expected-again.dts")), ours);
        assertTrue(ours.contains("/memreserve/"), "the reservation is part of what is compared:\n" + ours);
    }

    @Test
    void propertyNamesAreStoredOnce() {
        byte[] blob = built();
        String text = new String(blob, StandardCharsets.ISO_8859_1);
        assertEquals(text.indexOf("#address-cells\0"), text.lastIndexOf("#address-cells\0"));
    }

    @Test
    void anUnbalancedTreeIsRefused() {
        assertThrows(IllegalStateException.class, () -> new FdtBuilder().beginNode("").beginNode("a").build());
        assertThrows(IllegalStateException.class, () -> new FdtBuilder().beginNode("x"));
        assertThrows(IllegalStateException.class, () -> new FdtBuilder().beginNode("").endNode().endNode());
        assertThrows(IllegalStateException.class, () -> new FdtBuilder().build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new FdtBuilder().beginNode("").beginNode("a/b"));
        assertTrue(e.getMessage().contains("no '/'"), e.getMessage());
    }
}
