package io.palisade.webhook.egress;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.palisade.common.egress.Egress;
import io.palisade.common.egress.EgressRules;
import io.palisade.common.egress.HostResolver;
import io.smallrye.config.ConfigMapping;

/** Where webhooks may go: common's egress guard under {@code palisade.webhooks.egress.*}. */
public class WebhookEgress {

    @ConfigMapping(prefix = "palisade.webhooks.egress")
    public interface Rules extends EgressRules {
    }

    @Produces
    @Singleton
    Egress egress(Rules rules, HostResolver resolver) {
        return new Egress(rules, resolver);
    }
}
