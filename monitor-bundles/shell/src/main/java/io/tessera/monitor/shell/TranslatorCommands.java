package io.tessera.monitor.shell;

import io.tessera.core.device.DeviceConstants;
import io.tessera.tcg.stats.TranslationStatistics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The Gogo command {@code tcg} (scope {@code tessera}): what the translator of a machine run
 * with {@code -accel tcg} did, from the {@link TranslationStatistics} its accelerator publishes
 * per machine. Looked up when a command runs, never by the vCPUs.
 */
@Component(service = TranslatorCommands.class, property = {
    "osgi.command.scope=tessera",
    "osgi.command.function=tcg"
})
public final class TranslatorCommands {

    private final BundleContext context;
    private final TcgCommand command;

    @Activate
    public TranslatorCommands(BundleContext context) {
        this.context = context;
        this.command = new TcgCommand(this::machines, this::statistics);
    }

    @Descriptor("the translator's blocks of a machine run with -accel tcg: hottest blocks, one block's guest code, IR and bytecode, "
            + "coverset, control-flow graph; 'tcg help' for usage")
    public String tcg(@Descriptor("verb (blocks, block, coverset, cfg, stats, help) and its arguments") String... words) {
        return command.run(Arrays.asList(words == null ? new String[0] : words));
    }

    /** @return the names of the machines whose statistics are published, sorted */
    List<String> machines() {
        List<String> names = new ArrayList<>();
        for (ServiceReference<TranslationStatistics> ref : references(null)) {
            names.add(String.valueOf(ref.getProperty(DeviceConstants.MACHINE)));
        }
        names.sort(null);
        return names;
    }

    private Optional<TranslationStatistics> statistics(String machine) {
        if (!machine.matches("[A-Za-z0-9_.-]+")) {
            return Optional.empty();
        }
        for (ServiceReference<TranslationStatistics> ref : references("(" + DeviceConstants.MACHINE + "=" + machine + ")")) {
            // The service object stays valid while the machine runs; the command uses it at once.
            TranslationStatistics stats = context.getService(ref);
            if (stats != null) {
                context.ungetService(ref);
                return Optional.of(stats);
            }
        }
        return Optional.empty();
    }

    private Collection<ServiceReference<TranslationStatistics>> references(String filter) {
        try {
            return context.getServiceReferences(TranslationStatistics.class, filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("bad filter " + filter, e);
        }
    }
}
