package io.tessera.accel.tcg;

import io.tessera.core.accel.VcpuSet;
import io.tessera.core.device.DeviceConstants;
import io.tessera.tcg.stats.TranslationStatistics;
import java.util.Hashtable;
import io.tessera.core.machine.Machine;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceRegistration;

/**
 * A machine's vCPUs, with the statistics of its translated code published as a
 * {@link TranslationStatistics} service (property {@value DeviceConstants#MACHINE} = the
 * machine's name) until the machine is destroyed, so that the monitor finds them by the
 * machine's name, while it runs and after its guest has shut it down (what ran, to the end).
 * Only the monitor looks the service up; the vCPUs count executions in the blocks themselves.
 */
final class PublishedStatistics implements VcpuSet {

    private final VcpuSet vcpus;
    private final BundleContext context;
    private final ServiceRegistration<TranslationStatistics> registration;
    private final ServiceListener machineGone;

    /**
     * @param vcpus the running vCPUs
     * @param statistics what their translator keeps
     * @param machine the machine's name, whose {@link io.tessera.core.machine.Machine} service is registered
     */
    PublishedStatistics(VcpuSet vcpus, TranslationStatistics statistics, BundleContext context, String machine) {
        this.vcpus = vcpus;
        this.context = context;
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(DeviceConstants.MACHINE, machine);
        this.registration = context.registerService(TranslationStatistics.class, statistics, properties);
        this.machineGone = event -> {
            if (event.getType() == ServiceEvent.UNREGISTERING) {
                withdraw();
            }
        };
        try {
            context.addServiceListener(machineGone, "(&(objectClass=" + Machine.class.getName() + ")(" + DeviceConstants.MACHINE + "="
                    + machine + "))");
        } catch (InvalidSyntaxException e) {
            withdraw();
            throw new IllegalArgumentException("machine name '" + machine + "' makes a bad filter", e);
        }
    }

    /** The machine is being destroyed: its statistics go with it. */
    private void withdraw() {
        context.removeServiceListener(machineGone);
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // Unregistered already (the bundle stopped first).
        }
    }

    @Override
    public void pause() {
        vcpus.pause();
    }

    @Override
    public void resume() {
        vcpus.resume();
    }

    /** Ends the vCPUs; the statistics stay until the machine is destroyed. */
    @Override
    public void stop() {
        vcpus.stop();
    }

    @Override
    public void kick() {
        vcpus.kick();
    }

    @Override
    public boolean isRunning() {
        return vcpus.isRunning();
    }
}
