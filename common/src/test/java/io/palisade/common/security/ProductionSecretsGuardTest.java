package io.palisade.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.LaunchMode;
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
                "palisade.stripe.webhook-secrets", "whsec_dev-only-local-endpoint",
                // whsec_ + base64 of "dev-only-webhook"
                "palisade.stripe.other-secret", "whsec_ZGV2LW9ubHktd2ViaG9vaw==",
                "palisade.stripe.secret-key", "sk_live_51HrealLookingKey",
                "quarkus.something", "dev-only-not-ours"), "test", 100)).build();
        assertEquals(List.of("palisade.crypto.master-key", "palisade.db.app-password", "palisade.stripe.other-secret",
                "palisade.stripe.webhook-secrets"), ProductionSecretsGuard.devOnlySecrets(config).stream().sorted().toList());
    }

    @Test
    void everyProfileButDevelopmentsAndTestsIsProduction() {
        assertEquals(true, ProductionSecretsGuard.production(LaunchMode.NORMAL, List.of("prod")));
        assertEquals(true, ProductionSecretsGuard.production(LaunchMode.NORMAL, List.of("staging")), "a profile not named prod");
        assertEquals(true, ProductionSecretsGuard.production(LaunchMode.NORMAL, List.of("prod", "eu")));
        assertEquals(false, ProductionSecretsGuard.production(LaunchMode.NORMAL, List.of("dev-stack")), "the local platform");
        assertEquals(false, ProductionSecretsGuard.production(LaunchMode.TEST, List.of("prod")));
        assertEquals(false, ProductionSecretsGuard.production(LaunchMode.NORMAL, List.of("test")));
    }
}
