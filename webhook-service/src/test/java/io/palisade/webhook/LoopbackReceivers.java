package io.palisade.webhook;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Test configuration only: loopback allowed, so deliveries reach the local test receivers. */
public class LoopbackReceivers implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("palisade.webhooks.egress.allow-loopback", "true");
    }
}
