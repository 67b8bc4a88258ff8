package io.palisade.webhook;

import java.util.HashMap;
import java.util.Map;

import io.palisade.devstack.testing.PalisadeStackResource;
import io.palisade.devstack.testing.TestIssuer;
import io.palisade.devstack.testing.TestTenancy;

/** The real PostgreSQL and Kafka for webhook-service's tests, the tenancy schema and a test issuer. */
public class WebhookServiceStack extends PalisadeStackResource {

    public WebhookServiceStack() {
        super("webhook-service");
    }

    @Override
    public Map<String, String> start() {
        TestTenancy.ensureSchema();
        Map<String, String> config = new HashMap<>(super.start());
        config.put("palisade.issuer", TestIssuer.get().issuer());
        return config;
    }
}
