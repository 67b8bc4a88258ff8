package io.palisade.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

class ProductionSecretsGuardTest {

    @Test
    void findsPlainAndBase64DevOnlySecretsAndNothingElse() {
        var config = new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(Map.of(
                "palisade.db.app-password", "dev-only-tenant_service",
                // base64 of "dev-only-master-key-32-bytes!!!!", the local platform's master key
                "palisade.crypto.master-key", "ZGV2LW9ubHktbWFzdGVyLWtleS0zMi1ieXRlcyEhISE=",
                "palisade.db.owner-password", "a-real-secret",
                "quarkus.something", "dev-only-not-ours"), "test", 100)).build();
        assertEquals(List.of("palisade.crypto.master-key", "palisade.db.app-password"),
                ProductionSecretsGuard.devOnlySecrets(config).stream().sorted().toList());
    }
}
