package io.tessera.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.tessera.core.device.DeviceManager;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineManager;
import io.tessera.core.machine.MachineType;
import java.util.List;
import java.util.Map;
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
import org.osgi.framework.ServiceReference;

/** (a) The core services come up in a real framework, and a machine becomes a service. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class CoreServicesIT {

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

    @Test
    public void everyBundleIsActive() {
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getHeaders().get("Fragment-Host") == null) {
                assertEquals(bundle.getSymbolicName() + " is not active", Bundle.ACTIVE, bundle.getState());
            }
        }
    }

    @Test
    public void coreServicesAreRegisteredByTheCoreBundle() throws Exception {
        for (Class<?> service : List.of(MachineManager.class, DeviceManager.class, MachineType.class)) {
            ServiceReference<?> ref = context.getServiceReference(service);
            assertNotNull(service.getSimpleName() + " is not registered", ref);
            assertEquals("io.tessera.core", ref.getBundle().getSymbolicName());
        }
        assertEquals(List.of("none"), machines.types().stream().map(MachineType::name).toList());
    }

    @Test
    public void aCreatedMachineIsAServiceUntilDestroyed() throws Exception {
        Machine machine = machines.create("m1", "none", Map.of("memory", "16M"));
        try {
            var refs = context.getServiceReferences(Machine.class, "(tessera.machine=m1)");
            assertEquals(1, refs.size());
            assertEquals("none", refs.iterator().next().getProperty(Machine.TYPE_PROPERTY));
            machine.memory().write(0x8000_0000L, 8, 0x1234_5678_9abc_def0L);
            assertEquals(0x1234_5678_9abc_def0L, machine.memory().read(0x8000_0000L, 8));
        } finally {
            machines.destroy("m1");
        }
        assertTrue(context.getServiceReferences(Machine.class, "(tessera.machine=m1)").isEmpty());
        assertTrue(machines.find("m1").isEmpty());
    }
}
