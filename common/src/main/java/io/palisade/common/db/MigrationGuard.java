package io.palisade.common.db;

import jakarta.inject.Singleton;

import org.flywaydb.core.api.configuration.FluentConfiguration;

import io.palisade.common.security.ProductionSecretsGuard;
import io.quarkus.flyway.FlywayConfigurationCustomizer;
import io.quarkus.flyway.FlywayDataSource;

/**
 * Runs the production secrets guard before any migration: Flyway migrates during start-up, before the start-up
 * observers (and a migration run never reaches them), so without this a dev-only secret would be refused only after
 * the schema had been changed under it.
 */
@Singleton
@FlywayDataSource("migrations")
public class MigrationGuard implements FlywayConfigurationCustomizer {

    @Override
    public void customize(FluentConfiguration configuration) {
        ProductionSecretsGuard.requireNoDevOnlySecrets();
    }
}
