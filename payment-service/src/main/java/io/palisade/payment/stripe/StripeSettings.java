package io.palisade.payment.stripe;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The platform's Stripe account: where its API is (application.properties reads the STRIPE_* environment variables),
 * its keys, the webhook endpoint's secrets, and how often stored webhook events are applied.
 */
@ConfigMapping(prefix = "palisade.stripe")
public interface StripeSettings {

    String apiBase();

    String connectBase();

    /** The platform's secret key; connected accounts are reached with it and their account id. */
    String secretKey();

    /** Handed to Stripe Elements on the guest's checkout. */
    String publishableKey();

    /** The webhook endpoint's signing secrets, comma separated: several while one is rotated. */
    String webhookSecrets();

    /** How old a webhook's signature time may be. */
    @WithDefault("PT5M")
    Duration webhookTolerance();

    /** How often stored webhook events are claimed and applied. */
    @WithDefault("1s")
    Duration eventCheck();
}
