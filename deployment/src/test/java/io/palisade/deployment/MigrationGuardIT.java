package io.palisade.deployment;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.palisade.devstack.DevSettings;
import io.palisade.devstack.ServiceProcess;
import io.palisade.devstack.ServiceSpec;
import io.palisade.devstack.testing.PalisadeTestStack;
import io.palisade.devstack.testing.TestDirectories;

/**
 * A production migration run with a dev-only secret stops before Flyway touches the schema: the secrets guard runs
 * before migrations, not only at start-up, which a migration run never reaches.
 */
class MigrationGuardIT {

    @Test
    void aMigrationRunWithADevOnlySecretChangesNothing() throws Exception {
        PalisadeTestStack stack = PalisadeTestStack.get();
        ServiceSpec booking = ServiceSpec.named("booking-service");
        Map<String, String> config = new HashMap<>(DevSettings.migrationConfig(stack.serviceConfig(booking), booking, stack.rolePasswords()));
        // The local platform's master key, which production refuses; everything else is this run's real configuration.
        config.put("palisade.crypto.master-key", new DevSettings(Map.of()).masterKey());
        config.put("quarkus.http.port", "0");
        Path log = TestDirectories.create("migration-guard").resolve("booking-migration.log");

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> ServiceProcess.start(Path.of("..").toAbsolutePath().normalize(), booking, config, log).awaitExit(Duration.ofSeconds(120), log));
        assertTrue(refused.getMessage().contains("exited with"), refused.getMessage());
        String output = Files.readString(log);
        assertTrue(output.contains("refusing to start in production with dev-only secrets in [palisade.crypto.master"), "refused for the dev-only key:\n" + output);
        assertFalse(output.contains("Migrating schema") || output.contains("Successfully validated") || output.contains("is up to date"),
                "Flyway never ran:\n" + output);
    }
}
