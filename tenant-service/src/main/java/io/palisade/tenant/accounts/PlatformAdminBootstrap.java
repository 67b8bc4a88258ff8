package io.palisade.tenant.accounts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.palisade.tenant.passwords.PasswordService;
import io.quarkus.agroal.DataSource;
import io.quarkus.runtime.StartupEvent;

/**
 * Creates the platform's first operator from configuration while the platform has none, in the run that applies the
 * migrations (the chart's migration Job, a test process), as the schema owner: the serving role cannot call the
 * helper, and serving instances are given no platform-admin credentials.
 */
@ApplicationScoped
public class PlatformAdminBootstrap {

    private static final Logger LOG = Logger.getLogger(PlatformAdminBootstrap.class);

    @ConfigProperty(name = "palisade.platform-admin.email")
    Optional<String> email;

    @ConfigProperty(name = "palisade.platform-admin.password")
    Optional<String> password;

    /** Whether this process applies the migrations, and so holds the schema owner's datasource. */
    @ConfigProperty(name = "quarkus.datasource.migrations.active")
    boolean migrating;

    @Inject
    @DataSource("migrations")
    Instance<AgroalDataSource> schemaOwner;

    @Inject
    PasswordService passwords;

    void onStart(@Observes StartupEvent event) throws SQLException {
        if (!migrating || email.isEmpty() || password.isEmpty()) {
            return;
        }
        PasswordService.NewPassword prepared = passwords.prepare(password.get()).await().atMost(Duration.ofSeconds(30));
        try (Connection c = schemaOwner.get().getConnection();
                PreparedStatement create = c.prepareStatement("select tenancy.ensure_platform_admin(?, ?, ?, ?, ?)")) {
            create.setObject(1, UUID.randomUUID());
            create.setString(2, email.get().toLowerCase(Locale.ROOT));
            create.setString(3, "Platform admin");
            create.setString(4, prepared.loginHash());
            create.setString(5, prepared.historyHash());
            try (ResultSet created = create.executeQuery()) {
                if (created.next() && created.getBoolean(1)) {
                    LOG.info("platform admin account created");
                }
            }
        }
    }
}
