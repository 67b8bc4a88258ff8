package io.palisade.common.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/** Gauges read a bean's state; a bean made anew takes its gauges over. */
public final class Gauges {

    private Gauges() {
    }

    /**
     * Registers the gauge, first removing one of the same name and tags: Micrometer would otherwise keep reading the
     * state of the bean instance that registered it first (one that is gone when a JVM restarts the application, as
     * tests do), and report NaN.
     */
    public static void register(MeterRegistry registry, String name, Tags tags, Gauge.Builder<?> builder) {
        registry.find(name).tags(tags).meters().forEach(registry::remove);
        builder.tags(tags).register(registry);
    }
}
