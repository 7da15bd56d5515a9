package io.tessera.run;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.ops4j.pax.exam.Option;

/**
 * The platform the integration tests boot: a real Felix with the bundles the reactor built
 * (the paths come from the build, so the tests run exactly what was just compiled).
 */
final class TesseraOptions {

    private TesseraOptions() {
    }

    static Option[] platform() {
        List<Option> options = new ArrayList<>();
        options.add(junitBundles());
        options.add(systemProperty("org.ops4j.pax.url.mvn.localRepository")
                .value(System.getProperty("org.ops4j.pax.url.mvn.localRepository")));
        for (String path : required("tessera.itest.bundles").split(",")) {
            options.add(bundle(new File(path).toURI().toString()));
        }
        return options(options.toArray(Option[]::new));
    }

    /** @return the file URL of the test counter bundle in revision {@code revision} (1 or 2) */
    static String counterBundle(int revision) {
        return new File(required("tessera.itest.counter.v" + revision)).toURI().toString();
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank() || value.contains("${")) {
            throw new IllegalStateException("system property " + property + " is not set by the build (failsafe systemPropertyVariables)");
        }
        return value;
    }
}
