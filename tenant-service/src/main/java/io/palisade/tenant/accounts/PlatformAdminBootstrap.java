package io.palisade.tenant.accounts;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.palisade.common.db.MigrationRun;

/** Creates the platform's first operator from configuration, while the platform has none. */
@ApplicationScoped
public class PlatformAdminBootstrap {

    private static final Logger LOG = Logger.getLogger(PlatformAdminBootstrap.class);

    @Inject
    AccountService accounts;

    @ConfigProperty(name = "palisade.platform-admin.email")
    Optional<String> email;

    @ConfigProperty(name = "palisade.platform-admin.password")
    Optional<String> password;

    @Inject
    MigrationRun migrationRun;

    void onStart(@Observes StartupEvent event) {
        if (migrationRun.active()) {
            return;
        }
        if (email.isPresent() && password.isPresent()) {
            boolean created = accounts.ensurePlatformAdmin(email.get(), password.get()).await().atMost(Duration.ofSeconds(30));
            if (created) {
                LOG.info("platform admin account created");
            }
        }
    }
}
