package io.tessera.accel.tcg;

import io.tessera.core.accel.VcpuSet;
import io.tessera.core.device.DeviceConstants;
import io.tessera.tcg.stats.TranslationStatistics;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A machine's vCPUs, with the statistics of its translated code published as a
 * {@link TranslationStatistics} service (property {@value DeviceConstants#MACHINE} = the
 * machine's name) for as long as they run, so that the monitor finds them by the machine's
 * name. Only the monitor looks the service up; the vCPUs count executions in the blocks
 * themselves, without it.
 */
final class PublishedStatistics implements VcpuSet {

    private final VcpuSet vcpus;
    private final ServiceRegistration<TranslationStatistics> registration;

    PublishedStatistics(VcpuSet vcpus, TranslationStatistics statistics, BundleContext context, String machine) {
        this.vcpus = vcpus;
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(DeviceConstants.MACHINE, machine);
        this.registration = context.registerService(TranslationStatistics.class, statistics, properties);
    }

    @Override
    public void pause() {
        vcpus.pause();
    }

    @Override
    public void resume() {
        vcpus.resume();
    }

    /** Ends the vCPUs, then withdraws the statistics (the machine is going). */
    @Override
    public void stop() {
        try {
            vcpus.stop();
        } finally {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // Unregistered already (a second stop, or the bundle stopped first).
            }
        }
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
