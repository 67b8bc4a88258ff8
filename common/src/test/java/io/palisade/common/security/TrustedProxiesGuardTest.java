package io.palisade.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

class TrustedProxiesGuardTest {

    private static org.eclipse.microprofile.config.Config config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 100)).build();
    }

    @Test
    void forwardedAddressesAreTakenOnlyFromNamedProxies() {
        assertTrue(TrustedProxiesGuard.problem(config(Map.of("quarkus.http.proxy.proxy-address-forwarding", "true"))).isPresent(),
                "forwarding from anyone");
        assertEquals(java.util.Optional.empty(), TrustedProxiesGuard.problem(config(Map.of("quarkus.http.proxy.proxy-address-forwarding", "true",
                "quarkus.http.proxy.trusted-proxies", "10.42.0.0/16"))));
        assertEquals(java.util.Optional.empty(), TrustedProxiesGuard.problem(config(Map.of())), "no forwarding: the connection's address");
    }
}
