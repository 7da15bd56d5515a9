package io.tessera.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineManager;
import io.tessera.core.machine.MachineState;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The translator's options and statistics in a real Felix: the spike board runs a bare-metal
 * program (src/test/asm/hello.S) with {@code accel=tcg,threshold=0}, and the Gogo commands
 * {@code tcg blocks}, {@code tcg block}, {@code tcg coverset} and {@code tcg cfg} describe
 * what was translated, through the statistics the accelerator publishes for the machine.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TranslatorCommandsIT {

    @Inject
    private CommandProcessor processor;

    @Inject
    private MachineManager machines;

    private CommandSession session;
    private Path work;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(List.of(TesseraOptions.platform()));
        for (String path : System.getProperty("tessera.itest.machine.bundles").split(",")) {
            options.add(CoreOptions.bundle(new File(path).toURI().toString()));
        }
        return options.toArray(Option[]::new);
    }

    @Before
    public void openSession() throws Exception {
        session = processor.createSession(InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
        work = Files.createTempDirectory("tcg-it");
    }

    @After
    public void cleanUp() {
        machines.machines().forEach(m -> machines.destroy(m.name()));
        session.close();
    }

    private String run(String command) throws Exception {
        Object result = session.execute(command);
        return result == null ? "" : result.toString();
    }

    private String error(String command) {
        return assertThrows(Exception.class, () -> session.execute(command)).getMessage();
    }

    @Test
    public void theCommandsDescribeWhatTheMachineTranslated() throws Exception {
        Path elf = BareMetalPrograms.build(work, "hello");
        run("machine create vm spike kernel=" + elf + " accel=tcg,threshold=0,cache=16M");
        run("machine start vm");
        Machine vm = machines.find("vm").orElseThrow();
        for (int i = 0; i < 600 && vm.state() != MachineState.SHUTDOWN; i++) {
            Thread.sleep(100);
        }
        assertEquals(MachineState.SHUTDOWN, vm.state());
        assertEquals("the program's exit status", 3, vm.exitStatus().getAsInt());

        // The hottest blocks; the machine may be named or left out (it is the only one).
        String blocks = run("tcg blocks vm -n 5");
        // In the test's log, for a reader: what the commands print on a real run.
        System.out.println("tessera> tcg blocks vm -n 5\n" + blocks);
        assertEquals(blocks, run("tcg blocks -n 5"));
        List<String> lines = blocks.lines().toList();
        assertTrue(blocks, lines.get(0).matches("\\d+ blocks translated, \\d+ guest instructions executed in them; by executions:"));
        assertTrue(blocks, lines.get(1).startsWith("PC "));
        assertTrue(blocks, lines.size() >= 3 && lines.size() <= 7);
        String[] hottest = lines.get(2).trim().split("\\s+");
        long executions = Long.parseLong(hottest[2]);
        assertTrue(blocks, executions > 1);
        String pc = hottest[0];

        String listing = run("tcg block vm " + pc);
        assertTrue(listing, listing.startsWith("==== unit " + pc + ": "));
        for (String section : List.of("-- guest\n", "-- IR\n", "-- IR, optimized\n", "-- JVM bytecode\n")) {
            assertTrue(section + " missing:\n" + listing, listing.contains(section));
        }
        assertTrue(listing, listing.contains("  " + pc.substring(2) + ":  "));

        String coverset = run("tcg coverset vm 90");
        System.out.println("tessera> tcg coverset vm 90\n" + coverset + "\ntessera> tcg block vm " + pc + "\n" + listing);
        assertTrue(coverset, coverset.matches("(?s)\\d+ of \\d+ blocks cover \\d+\\.\\d\\d % of the \\d+ guest instructions.*"));

        Path dotFile = work.resolve("hello.dot");
        run("tcg cfg vm " + pc + " -d 2 -o " + dotFile);
        checkDot(Files.readString(dotFile), pc);

        assertEquals("unknown sort order 'hot'; valid: executions, expansion, time, insns", error("tcg blocks vm -s hot"));
        assertTrue(error("tcg block vm 0x1"), error("tcg block vm 0x1").startsWith("no translated block starts at 0x1; the hottest: " + pc));

        // The statistics outlive the guest's power-off (above), not the machine.
        run("machine destroy vm");
        assertTrue(error("tcg blocks"), error("tcg blocks").startsWith("no machine runs with -accel tcg"));
        assertTrue(error("tcg blocks vm"), error("tcg blocks vm").startsWith("machine 'vm' has no translator statistics"));
    }

    /** The graph parses: a digraph of declared nodes, the block asked about among them, every edge between declared nodes. */
    private static void checkDot(String dot, String pc) {
        List<String> lines = dot.lines().toList();
        assertTrue(dot, lines.get(0).equals("digraph \"tcg " + pc + "\" {"));
        assertEquals(dot, "}", lines.get(lines.size() - 1));
        Pattern node = Pattern.compile("  (\\w+) \\[label=\"(0x[0-9a-f]+)[^\"]*\".*\\];");
        Pattern edge = Pattern.compile("  (\\w+) -> (\\w+)( \\[style=dashed\\])?;");
        Set<String> nodes = new HashSet<>();
        List<String[]> edges = new ArrayList<>();
        boolean asked = false;
        for (String line : lines.subList(1, lines.size() - 1)) {
            Matcher n = node.matcher(line);
            Matcher e = edge.matcher(line);
            if (n.matches()) {
                nodes.add(n.group(1));
                asked |= n.group(2).equals(pc) && line.contains("penwidth=3");
            } else if (e.matches()) {
                edges.add(new String[] {e.group(1), e.group(2)});
            } else {
                assertTrue("not a node, an edge or the defaults: " + line, line.startsWith("  node ["));
            }
        }
        assertTrue("the block asked about is not outlined:\n" + dot, asked);
        for (String[] e : edges) {
            assertTrue(e[0] + " -> " + e[1] + " ends at an undeclared node:\n" + dot, nodes.contains(e[0]) && nodes.contains(e[1]));
        }
    }

    @Test
    public void badAcceleratorOptionsAreRefusedWhenTheMachineIsCreated() throws Exception {
        Path elf = BareMetalPrograms.build(work, "hello");
        assertEquals("threshold=hot: valid values are whole numbers from 0 to 32767",
                error("machine create bad spike kernel=" + elf + " accel=tcg,threshold=hot"));
        assertTrue(error("machine create bad spike kernel=" + elf + " accel=tcg,tb-size=64"),
                error("machine create bad spike kernel=" + elf + " accel=tcg,tb-size=64")
                        .startsWith("accelerator 'tcg' has no option 'tb-size'; options: threshold ("));
        assertEquals("accelerator 'interp' has no option 'threshold'; it takes none",
                error("machine create bad spike kernel=" + elf + " accel=interp,threshold=0"));
        assertTrue(machines.find("bad").isEmpty());
        assertTrue(error("tcg blocks"), error("tcg blocks").startsWith("no machine runs with -accel tcg"));
    }
}
