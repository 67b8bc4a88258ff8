package io.palisade.payment;

import java.util.HashMap;
import java.util.Map;

import io.palisade.devstack.stripe.StripeFake;
import io.palisade.devstack.testing.PalisadeStackResource;
import io.palisade.devstack.testing.TestIssuer;
import io.palisade.devstack.testing.TestTenancy;

/**
 * The real PostgreSQL and Kafka for payment-service's tests, the tenancy schema, a test issuer, and the Stripe
 * fake in Stripe's place (API and signed webhooks).
 */
public class PaymentServiceStack extends PalisadeStackResource {

    public static final String WEBHOOK_SECRET = "whsec_test_current_" + java.util.UUID.randomUUID();
    public static final String OLD_WEBHOOK_SECRET = "whsec_test_previous_" + java.util.UUID.randomUUID();
    public static final StripeFake STRIPE = StripeFake.start(0);
    /** Where the service's mail lands in tests. */
    public static final java.nio.file.Path MAIL = mailDirectory("payment");

    public PaymentServiceStack() {
        super("payment-service");
    }

    @Override
    public Map<String, String> start() {
        TestTenancy.ensureSchema();
        Map<String, String> config = new HashMap<>(super.start());
        config.put("palisade.issuer", TestIssuer.get().issuer());
        config.put("palisade.stripe.api-base", STRIPE.apiBase());
        config.put("palisade.stripe.connect-base", STRIPE.apiBase());
        config.put("palisade.stripe.secret-key", "sk_test_palisade_platform");
        config.put("palisade.stripe.publishable-key", "pk_test_palisade_platform");
        config.put("palisade.stripe.webhook-secrets", WEBHOOK_SECRET + "," + OLD_WEBHOOK_SECRET);
        config.put("palisade.stripe.event-check", "200ms");
        config.put("palisade.gift-cards.min-interval", "PT0.3S");
        config.put("palisade.mail.directory", MAIL.toString());
        return config;
    }
}
