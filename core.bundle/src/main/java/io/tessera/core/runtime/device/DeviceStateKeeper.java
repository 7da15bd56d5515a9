package io.tessera.core.runtime.device;

import io.tessera.core.device.Device;
import io.tessera.core.device.DeviceConstants;
import io.tessera.core.device.DeviceState;
import io.tessera.core.device.InvalidStateException;
import io.tessera.core.device.Stateful;
import io.tessera.core.machine.Machine;
import io.tessera.core.machine.MachineManager;
import io.tessera.core.machine.MachineState;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.SynchronousConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Carries device state across a bundle's update (or stop and start): as a device bundle
 * stops, the state of each of its instances is saved, with the machine paused so the devices
 * are quiescent; when an instance with the same id is registered again (by the new code), the
 * state is restored into it. States hold JDK types only, so the old code stays collectable.
 * When the bundle is uninstalled, its instances' configurations and states are dropped: the
 * devices are unplugged for good.
 */
@Component(immediate = true, service = SynchronousConfigurationListener.class)
public final class DeviceStateKeeper implements SynchronousBundleListener, ServiceListener, SynchronousConfigurationListener {

    private static final System.Logger LOG = System.getLogger(DeviceStateKeeper.class.getName());

    /**
     * What was kept of an instance whose bundle stopped: the bundle, the instance's configuration
     * (its PID) and its state ({@code null} for a device without state).
     */
    private record Saved(long bundleId, String configurationPid, DeviceState state) {
    }

    private final BundleContext context;
    private final MachineManager machines;
    private final ConfigurationAdmin configurationAdmin;
    private final Map<String, Saved> saved = new ConcurrentHashMap<>();

    @Activate
    public DeviceStateKeeper(BundleContext context, @Reference MachineManager machines,
            @Reference ConfigurationAdmin configurationAdmin) throws InvalidSyntaxException {
        this.context = context;
        this.machines = machines;
        this.configurationAdmin = configurationAdmin;
        context.addBundleListener(this);
        context.addServiceListener(this, "(objectClass=" + Device.class.getName() + ")");
    }

    @Deactivate
    void deactivate() {
        context.removeServiceListener(this);
        context.removeBundleListener(this);
    }

    private static String key(ServiceReference<?> ref) {
        return key((String) ref.getProperty(DeviceConstants.MACHINE), (String) ref.getProperty(DeviceConstants.ID));
    }

    private static String key(String machine, String id) {
        return machine + "/" + id;
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        if (event.getType() == BundleEvent.UNINSTALLED) {
            unplugForGood(event.getBundle());
        }
    }

    /**
     * Saves an instance's state while its service is being unregistered because its bundle is
     * stopping: SCR unregisters the service before it deactivates the component, so the
     * instance is still whole here. Other unregistrations (a removed device, a destroyed
     * machine) keep nothing.
     */
    private void saveIfBundleStopping(ServiceReference<?> ref) {
        Bundle bundle = ref.getBundle();
        if (bundle == null || bundle.getState() != Bundle.STOPPING || !isDevice(ref)) {
            return;
        }
        String pid = (String) ref.getProperty(Constants.SERVICE_PID);
        saved.put(key(ref), new Saved(bundle.getBundleId(), pid, null));
        Object service = context.getService(ref);
        try {
            if (service instanceof Stateful stateful) {
                Machine machine = machines.find((String) ref.getProperty(DeviceConstants.MACHINE)).orElse(null);
                boolean paused = machine != null && pauseIfRunning(machine);
                try {
                    saved.put(key(ref), new Saved(bundle.getBundleId(), pid, stateful.saveState()));
                } finally {
                    if (paused) {
                        machine.resume();
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "saving the state of device " + key(ref) + " failed; it will restart from reset", e);
        } finally {
            context.ungetService(ref);
        }
    }

    private static boolean pauseIfRunning(Machine machine) {
        if (machine.state() != MachineState.RUNNING) {
            return false;
        }
        machine.pause();
        return true;
    }

    private static boolean isDevice(ServiceReference<?> ref) {
        Object classes = ref.getProperty("objectClass");
        return classes instanceof String[] names && java.util.Arrays.asList(names).contains(Device.class.getName())
                && ref.getProperty(DeviceConstants.ID) != null && ref.getProperty(DeviceConstants.MACHINE) != null;
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        ServiceReference<?> ref = event.getServiceReference();
        switch (event.getType()) {
            case ServiceEvent.UNREGISTERING -> saveIfBundleStopping(ref);
            case ServiceEvent.REGISTERED -> restore(ref);
            default -> {
            }
        }
    }

    private void restore(ServiceReference<?> ref) {
        Saved state = saved.remove(key(ref));
        if (state == null || state.state() == null) {
            return;
        }
        Object service = context.getService(ref);
        try {
            if (service instanceof Stateful stateful) {
                stateful.restoreState(stateful.stateSchema().accept(state.state()));
            } else {
                LOG.log(Level.WARNING, "device " + key(ref) + " no longer keeps state; its saved state is dropped");
            }
        } catch (InvalidStateException | RuntimeException e) {
            LOG.log(Level.WARNING, "restoring the state of device " + key(ref) + " failed; it starts from reset: " + e.getMessage());
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * An instance removed while its bundle was stopped must not hand its state to a later
     * instance that happens to get the same id. (A synchronous listener: the state is gone
     * before the deletion returns, so an add that follows cannot race with it.)
     */
    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() == ConfigurationEvent.CM_DELETED) {
            saved.values().removeIf(s -> event.getPid().equals(s.configurationPid()));
        }
    }

    private void unplugForGood(Bundle bundle) {
        saved.entrySet().removeIf(entry -> {
            if (entry.getValue().bundleId() != bundle.getBundleId()) {
                return false;
            }
            String[] machineAndId = entry.getKey().split("/", 2);
            deleteConfiguration(machineAndId[0], machineAndId[1]);
            return true;
        });
    }

    private void deleteConfiguration(String machine, String id) {
        try {
            Configuration[] configurations = configurationAdmin.listConfigurations(
                    "(&" + DeviceConstants.machineFilter(machine) + "(" + DeviceConstants.ID + "=" + id + "))");
            if (configurations != null) {
                for (Configuration configuration : configurations) {
                    configuration.delete();
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.log(Level.WARNING, "could not delete the configuration of unplugged device " + machine + "/" + id, e);
        }
    }
}
