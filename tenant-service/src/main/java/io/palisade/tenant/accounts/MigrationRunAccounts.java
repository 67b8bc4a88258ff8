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
import io.palisade.tenant.proof.GateTenants;
import io.quarkus.agroal.DataSource;
import io.quarkus.runtime.StartupEvent;

/**
 * The accounts the run that applies the migrations (the chart's migration Job, a test process) keeps from
 * configuration, as the schema owner: the platform's first operator while the platform has none (the serving role
 * cannot call the helper, and serving instances are given no platform-admin credentials), and the owners of the
 * isolation gate's two tenants ({@link GateTenants}).
 */
@ApplicationScoped
public class MigrationRunAccounts {

    private static final Logger LOG = Logger.getLogger(MigrationRunAccounts.class);

    @ConfigProperty(name = "palisade.platform-admin.email")
    Optional<String> email;

    @ConfigProperty(name = "palisade.platform-admin.password")
    Optional<String> password;

    @ConfigProperty(name = "palisade.isolation-gate.password")
    Optional<String> gatePassword;

    /** Whether this process applies the migrations, and so holds the schema owner's datasource. */
    @ConfigProperty(name = "quarkus.datasource.migrations.active")
    boolean migrating;

    @Inject
    @DataSource("migrations")
    Instance<AgroalDataSource> schemaOwner;

    private final PasswordService passwords;

    MigrationRunAccounts(PasswordService passwords) {
        this.passwords = passwords;
    }

    void onStart(@Observes StartupEvent event) throws SQLException {
        if (!migrating) {
            return;
        }
        if (email.isPresent() && password.isPresent()) {
            ensurePlatformAdmin();
        }
        if (gatePassword.isPresent()) {
            String loginHash = passwords.prepare(gatePassword.get()).await().atMost(Duration.ofSeconds(30)).loginHash();
            try (Connection c = schemaOwner.get().getConnection()) {
                GateTenants.keep(c, loginHash);
            }
            LOG.info("the isolation gate's tenants are ready");
        }
    }

    private void ensurePlatformAdmin() throws SQLException {
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
