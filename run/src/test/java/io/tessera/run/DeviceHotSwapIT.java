package io.tessera.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceInfo;
import io.tessera.core.device.DeviceManager;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineManager;
import io.tessera.core.machine.MachineState;
import io.tessera.core.memory.AddressSpace;
import io.tessera.core.memory.BusErrorException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The platform promise with a third-party device bundle installed at run time: (b) plug and
 * use it, (c) update its code while the machine runs and keep its state, (d) uninstall it and
 * leave neither a mapping nor its classes behind.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class DeviceHotSwapIT {

    private static final long BASE = 0x1000_0000L;
    private static final long COUNT = BASE;
    private static final long INCREMENT = BASE + 0x4;
    private static final long REVISION = BASE + 0x8;
    private static final long ACCESSES = BASE + 0xc;

    @Inject
    private BundleContext context;

    @Inject
    private MachineManager machines;

    @Inject
    private DeviceManager devices;

    @Configuration
    public Option[] config() {
        return TesseraOptions.platform();
    }

    /** A machine "m" with the counter bundle (revision 1) installed and its device "c0" at the default base. */
    private record Plugged(Machine machine, Bundle counter) {
    }

    private Plugged machineWithCounter() throws Exception {
        Machine machine = machines.create("m", "none", Map.of());
        Bundle counter = installCounter();
        devices.add("m", "test-counter", "c0", Map.of());
        return new Plugged(machine, counter);
    }

    private Bundle installCounter() throws Exception {
        Bundle bundle = context.installBundle(TesseraOptions.counterBundle(1));
        bundle.start();
        return bundle;
    }

    /** (b) */
    @Test
    public void deviceFromABundleInstalledAtRunTimeIsUsableAtOnce() throws Exception {
        Machine machine = machines.create("m", "none", Map.of());
        assertTrue("the type is unknown before its bundle arrives", devices.type("test-counter").isEmpty());
        installCounter();

        DeviceInfo added = devices.add("m", "test-counter", "c0", Map.of("base", "0x10000000"));
        assertEquals(DeviceInfo.Status.ACTIVE, added.status());
        assertEquals("io.tessera.device.testcounter 1.0.0", added.bundle());

        AddressSpace memory = machine.memory();
        assertEquals(1, memory.read(REVISION, 4));
        memory.write(COUNT, 4, 40);
        memory.write(INCREMENT, 4, 2);
        assertEquals(42, memory.read(COUNT, 4));
        assertEquals("test-counter", memory.lookup(BASE).orElseThrow().region().name());
    }

    /** (c) */
    @Test
    public void updatingTheBundleRecreatesTheInstanceFromNewCodeAndKeepsItsState() throws Exception {
        Plugged plugged = machineWithCounter();
        Machine machine = plugged.machine();
        Bundle counter = plugged.counter();
        AddressSpace memory = machine.memory();
        memory.write(COUNT, 4, 1234);
        machine.start();
        List<String> transitions = new ArrayList<>();
        machine.addListener((m, from, to) -> transitions.add(from + "->" + to));
        WeakReference<Class<?>> oldCode = deviceClass();

        update(counter, 2);

        assertEquals("new code runs", 2, memory.read(REVISION, 4));
        assertNotEquals("the instance was re-created from the new bundle revision", oldCode.get(), deviceClass().get());
        assertEquals("the counter survived the update", 1234, memory.read(COUNT, 4));
        assertEquals("a v1 state is upgraded with accesses=0; this read is the third since", 3, memory.read(ACCESSES, 4));
        // Saved with the machine paused: once as the update stops the old code, and again if the refresh restarts the bundle.
        assertTrue("the machine was never paused to save the state", transitions.size() >= 2);
        for (int i = 0; i < transitions.size(); i++) {
            assertEquals(transitions.toString(), i % 2 == 0 ? "RUNNING->PAUSED" : "PAUSED->RUNNING", transitions.get(i));
        }
        assertEquals(MachineState.RUNNING, machine.state());
        assertEquals(1, devices.list("m").size());
        assertEquals("io.tessera.device.testcounter 2.0.0", devices.find("m", "c0").orElseThrow().bundle());
    }

    /** (d) */
    @Test
    public void uninstallingTheBundleUnplugsTheDeviceAndLetsItsClassesGo() throws Exception {
        Plugged plugged = machineWithCounter();
        Machine machine = plugged.machine();
        Bundle counter = plugged.counter();
        AddressSpace memory = machine.memory();
        memory.write(COUNT, 4, 7);
        WeakReference<Class<?>> revision1 = deviceClass();
        update(counter, 2);
        assertEquals(7, memory.read(COUNT, 4));
        WeakReference<Class<?>> revision2 = deviceClass();

        counter.uninstall();
        refresh(counter);

        assertTrue("the address space no longer maps the device", memory.lookup(BASE).isEmpty());
        assertThrows(BusErrorException.class, () -> memory.read(COUNT, 4));
        assertTrue(context.getServiceReferences(Device.class, null).isEmpty());
        assertEquals("its configuration is gone with it", List.of(), devices.list("m"));
        assertTrue(machine.systemBus().mappings().stream().noneMatch(m -> m.owner().equals("c0")));
        assertCollected(revision1, "revision 1");
        assertCollected(revision2, "revision 2");
    }

    @Test
    public void stoppingAndStartingTheBundleKeepsTheStateButARemovedDeviceStartsAfresh() throws Exception {
        Plugged plugged = machineWithCounter();
        Machine machine = plugged.machine();
        Bundle counter = plugged.counter();
        AddressSpace memory = machine.memory();
        memory.write(COUNT, 4, 99);

        counter.stop();
        assertTrue("a stopped bundle's device is unplugged", memory.lookup(BASE).isEmpty());
        assertEquals(DeviceInfo.Status.INACTIVE, devices.find("m", "c0").orElseThrow().status());
        counter.start();
        assertEquals("plugged again with its state", 99, memory.read(COUNT, 4));

        counter.stop();
        devices.remove("m", "c0");
        counter.start();
        devices.add("m", "test-counter", "c0", Map.of());
        assertEquals("a new device with an old id gets no old state", 0, memory.read(COUNT, 4));
    }

    private WeakReference<Class<?>> deviceClass() throws Exception {
        Collection<ServiceReference<Device>> refs = context.getServiceReferences(Device.class, "(tessera.id=c0)");
        assertEquals(1, refs.size());
        ServiceReference<Device> ref = refs.iterator().next();
        try {
            return new WeakReference<>(context.getService(ref).getClass());
        } finally {
            context.ungetService(ref);
        }
    }

    private void update(Bundle bundle, int revision) throws Exception {
        try (InputStream in = URI.create(TesseraOptions.counterBundle(revision)).toURL().openStream()) {
            bundle.update(in);
        }
        refresh(bundle);
    }

    private void refresh(Bundle bundle) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(bundle), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        assertTrue("refresh did not finish", done.await(30, TimeUnit.SECONDS));
    }

    private static void assertCollected(WeakReference<Class<?>> ref, String what) throws InterruptedException {
        for (int i = 0; i < 200 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
        if (ref.get() != null) {
            fail("the classes of " + what + " are still reachable: something holds its class loader");
        }
        assertNull(ref.get());
    }
}
