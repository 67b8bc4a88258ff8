package io.palisade.payment.connect;

import io.smallrye.config.ConfigMapping;

/** Where Stripe's hosted onboarding sends the operator back; each is the operator's public URL in production. */
@ConfigMapping(prefix = "palisade.connect")
public interface ConnectSettings {

    /** The page onboarding returns to when the operator finished (or left) it. */
    String returnUrl();

    /** The page that asks for a fresh link when the one handed out expired. */
    String refreshUrl();
}
