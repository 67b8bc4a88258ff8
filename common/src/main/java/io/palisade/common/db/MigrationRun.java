package io.palisade.common.db;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Whether this process is a migration run ({@code palisade.migrate=true}, the chart's migration Jobs): it applies the
 * service's migrations as the schema owner and exits. Such a run serves nothing and starts no background work, so it
 * needs neither Kafka nor the platform's keys; what would act at start checks this first.
 */
@ApplicationScoped
public class MigrationRun {

    @ConfigProperty(name = "palisade.migrate")
    boolean active;

    public boolean active() {
        return active;
    }
}
