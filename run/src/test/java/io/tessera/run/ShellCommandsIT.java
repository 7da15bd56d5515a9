package io.tessera.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.tessera.core.device.DeviceManager;
import io.tessera.core.machine.MachineManager;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/** The Gogo commands of scope tessera, as a user types them. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellCommandsIT {

    @Inject
    private BundleContext context;

    @Inject
    private CommandProcessor processor;

    @Inject
    private MachineManager machines;

    @Inject
    private DeviceManager devices;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    private CommandSession session;
    private Bundle counter;

    @Configuration
    public Option[] config() {
        return TesseraOptions.platform();
    }

    @Before
    public void openSession() throws Exception {
        session = processor.createSession(InputStream.nullInputStream(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
        counter = context.installBundle(TesseraOptions.counterBundle(1));
        counter.start();
    }

    @After
    public void cleanUp() throws Exception {
        machines.machines().forEach(m -> machines.destroy(m.name()));
        counter.uninstall();
        session.close();
    }

    private String run(String command) throws Exception {
        Object result = session.execute(command);
        return result == null ? "" : result.toString();
    }

    private String error(String command) {
        Exception e = assertThrows(Exception.class, () -> session.execute(command));
        return e.getMessage();
    }

    @Test
    public void typesListsWhatIsInstalledWithItsBundle() throws Exception {
        String all = run("tessera:types");
        assertTrue(all, all.contains("none") && all.contains("io.tessera.core 0.1.0.SNAPSHOT"));
        assertTrue(all, all.contains("test-counter") && all.contains("io.tessera.device.testcounter 1.0.0"));
        assertTrue(all, all.matches("(?s).*isa types:\n  NAME +DETAIL +BUNDLE\n  riscv64 .*io\\.tessera\\.isa\\.riscv 0\\.1\\.0\\.SNAPSHOT.*"));
        assertTrue(all, all.contains("accel types:\n  (none)"));
        assertTrue(error("tessera:types gpu").contains("machine|device|isa|accel|block"));
    }

    @Test
    public void machineLifeCycleFromTheShell() throws Exception {
        assertEquals("created machine 'm1' (none, created)", run("machine create m1 none memory=32M"));
        assertTrue(run("machine list").matches("(?s)NAME\\s+TYPE\\s+STATE\\s+CPUS\\s+DEVICES\nm1\\s+none\\s+created\\s+0\\s+0"));
        String describe = run("machine describe m1");
        assertTrue(describe, describe.contains("0000000080000000-0000000081ffffff ram 'ram' @0"));
        assertTrue(run("machine start m1").contains("running"));
        assertTrue(run("machine pause m1").contains("paused"));
        assertEquals("reset machine 'm1' (none, paused)", run("machine reset m1"));
        assertTrue(run("machine resume m1").contains("running"));
        assertEquals("reset machine 'm1' (none, running)", run("machine reset m1"));
        assertEquals("destroyed machine 'm1'", run("machine destroy m1"));
        assertEquals("(none)", run("machine list"));
    }

    @Test
    public void badMachineInputNamesWhatIsValid() throws Exception {
        assertTrue(error("machine create m1 virt").contains("unknown machine type 'virt'; available: none"));
        assertTrue(error("machine create m1 none ram=1G").contains("has no option 'ram'; options: memory"));
        assertTrue(error("machine create m1 none memory=lots").contains("memory=lots is not a size"));
        assertTrue(error("machine create m1 none reboot=maybe").contains("reboot=maybe is not valid; use on or off"));
        assertTrue(error("machine describe nope").contains("no machine named 'nope'"));
        assertTrue(error("machine frobnicate").contains("machine create NAME"));
        assertEquals("nothing was left behind", "(none)", run("machine list"));
    }

    @Test
    public void deviceLifeCycleFromTheShell() throws Exception {
        run("machine create m1");
        assertEquals("added test-counter 'test-counter0' to machine 'm1'", run("device add m1 test-counter base=0x20000000"));
        assertEquals("added test-counter 'c1' to machine 'm1'", run("device add m1 test-counter id=c1 base=0x20001000"));
        String list = run("device list m1");
        assertTrue(list, list.contains("c1") && list.contains("test-counter0") && list.contains("active"));
        String describe = run("device describe m1 c1");
        assertTrue(describe, describe.contains("base = 0x20001000"));
        assertTrue(describe, describe.contains("0000000020001000-000000002000100f mmio 'test-counter' (c1)"));
        String type = run("device type test-counter");
        assertTrue(type, type.contains("base") && type.contains("long") && type.contains("0x10000000") == false);
        assertEquals("removed device 'c1' from machine 'm1'", run("device remove m1 c1"));
        assertTrue(machines.find("m1").orElseThrow().memory().lookup(0x2000_1000L).isEmpty());
    }

    @Test
    public void badDeviceInputNamesWhatIsValid() throws Exception {
        run("machine create m1");
        assertTrue(error("device add m1 uart").contains("unknown device type 'uart'; installed types: test-counter"));
        assertTrue(error("device add m2 test-counter").contains("no machine named 'm2'; machines: m1"));
        assertTrue(error("device add m1 test-counter speed=9600").contains("has no property 'speed'; its properties: base (long)"));
        assertTrue(error("device add m1 test-counter base=high").contains("base=high is not a number"));
        assertTrue(error("device add m1 test-counter id=9x").contains("device id '9x' is not valid"));
        assertTrue(error("device remove m1 c9").contains("machine 'm1' has no device 'c9'"));
        assertNothingConfigured();
    }

    @Test
    public void aDeviceThatFailsToRealizeLeavesNothingBehind() throws Exception {
        run("machine create m1");
        // RAM of the 'none' machine is at 0x80000000: a register block there overlaps it.
        String message = error("device add m1 test-counter id=c0 base=0x80000000");
        assertTrue(message, message.contains("device 'c0' was not added: failed to realize"));
        assertTrue(message, message.contains("overlaps 'ram'"));
        assertNothingConfigured();
        assertEquals(1, machines.find("m1").orElseThrow().systemBus().mappings().size());
        assertEquals("the id is free again", "added test-counter 'c0' to machine 'm1'", run("device add m1 test-counter id=c0"));
    }

    @Test
    public void completionOffersVerbsNamesTypesAndProperties() throws Exception {
        run("machine create m1");
        run("device add m1 test-counter id=c0");
        assertEquals("[types, create, list, describe, start, pause, resume, reset, destroy, help]",
                run("tessera:completions machine [machine ''] 1"));
        assertEquals("[m1]", run("tessera:completions machine [machine describe ''] 2"));
        assertEquals("[none]", run("tessera:completions machine [machine create m2 ''] 3"));
        assertEquals("[memory=, ram-base=, accel=, reboot=]", run("tessera:completions machine [machine create m2 none ''] 4"));
        assertEquals("[test-counter]", run("tessera:completions device [device add m1 ''] 3"));
        assertEquals("[id=, base=]", run("tessera:completions device [device add m1 test-counter ''] 4"));
        assertEquals("[c0]", run("tessera:completions device [device remove m1 ''] 3"));
    }

    private void assertNothingConfigured() throws Exception {
        assertEquals(0, devices.list(null).size());
        assertEquals(null, configurationAdmin.listConfigurations("(tessera.id=*)"));
    }
}
